from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("badge/", views.notification_badge, name="badge"),
    path("<int:notification_id>/open/", views.notification_open, name="open"),
    path("read-all/", views.notifications_read_all, name="read_all"),
    path("settings/", views.preference_edit, name="preferences"),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("sms/status/", views.sms_status, name="sms_status"),
]
