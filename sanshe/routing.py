"""WebSocket routes; each feature app adds its consumers here."""

from django.urls import path

from sanshe.core.consumers import PingConsumer
from sanshe.core.notify.consumers import NotificationConsumer
from sanshe.groups.consumers import ChatConsumer
from sanshe.monitoring.consumers import AlertConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/groups/<int:group_id>/", ChatConsumer.as_asgi()),
    path("ws/groups/threads/<int:thread_id>/", ChatConsumer.as_asgi()),
    path("ws/monitoring/alerts/", AlertConsumer.as_asgi()),
]
