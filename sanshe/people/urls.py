from django.urls import path  # noqa: F401

from . import views  # noqa: F401
from .roster_urls import urlpatterns as roster_urlpatterns

app_name = "people"

urlpatterns: list = [] + roster_urlpatterns
