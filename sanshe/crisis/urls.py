from django.urls import path

from . import views

app_name = "crisis"

urlpatterns = [
    path("", views.crisis_list, name="list"),
    path("cases/<int:case_id>/start/", views.crisis_start, name="start"),
    path("alerts/<int:alert_id>/start/", views.crisis_start_from_alert, name="start_from_alert"),
    path("<int:pk>/", views.crisis_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.crisis_acknowledge, name="acknowledge"),
    path("<int:pk>/steps/", views.crisis_step, name="step"),
    path("<int:pk>/notes/", views.crisis_note, name="note"),
    path("<int:pk>/close/", views.crisis_close, name="close"),
    path("<int:pk>/call/<str:target>/", views.crisis_call, name="call"),
]
