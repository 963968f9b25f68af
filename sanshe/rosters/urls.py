from django.urls import path

from . import views

app_name = "rosters"

urlpatterns = [
    path("", views.my_shifts, name="my_shifts"),
    path("needs/<int:pk>/claim/", views.claim, name="claim"),
    path("needs/<int:pk>/assign/", views.assign, name="assign"),
    path("needs/<int:pk>/help/", views.help_call, name="help_call"),
    path("assignments/<int:pk>/<slug:action>/", views.assignment_action, name="assignment_action"),
    path("offers/<int:pk>/<slug:action>/", views.offer_action, name="offer_action"),
    path("drops/<int:pk>/decide/", views.drop_decide, name="drop_decide"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift_detail"),
    path("shifts/<int:pk>/edit/", views.shift_edit, name="shift_edit"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:pk>/", views.group_roster, name="group_roster"),
    path("groups/<int:group_pk>/templates/new/", views.template_edit, name="template_create"),
    path("groups/<int:group_pk>/templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/generate/", views.template_generate, name="template_generate"),
    path("coverage/", views.coverage, name="coverage"),
    path("hours/", views.my_hours, name="my_hours"),
    path("hours/manage/", views.hours_manage, name="hours_manage"),
    path("hours/export.xlsx", views.hours_export, name="hours_export"),
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
    path("policy/", views.policy_edit, name="policy"),
    path("calendar/", views.calendar, name="calendar"),
    path("ical/<str:token>.ics", views.ical_feed, name="ical"),
]
