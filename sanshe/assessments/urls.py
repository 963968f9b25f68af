from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("cases/<int:case_id>/", views.case_assessments, name="case"),
    path("cases/<int:case_id>/give/<str:scale>/", views.scale_give, name="give"),
    path("cases/<int:case_id>/live/<str:scale>/", views.scale_live, name="live"),
    path("cases/<int:case_id>/send/", views.link_send, name="send"),
    path("cases/<int:case_id>/triage/", views.triage_run, name="triage_run"),
    path("cases/<int:case_id>/place/", views.placement_pick, name="place"),
    path("cases/<int:case_id>/place/private-thread/", views.placement_thread, name="place_thread"),
    path("administrations/<int:pk>/", views.administration_detail, name="administration"),
    path("administrations/<int:pk>/cancel/", views.link_cancel, name="link_cancel"),
    path("triage/<int:pk>/", views.decision_detail, name="decision"),
    path("triage/<int:pk>/decide/", views.decision_decide, name="decide"),
    path("f/done/", views.self_fill_done, name="self_fill_done"),
    path("f/<str:token>/", views.self_fill, name="self_fill"),
]
