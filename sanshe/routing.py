"""WebSocket routes; each feature app adds its consumers here."""

from django.urls import path

from sanshe.core.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
]
