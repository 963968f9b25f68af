from django.urls import path

from . import case_views, help_views, views

app_name = "cases"

urlpatterns = [
    path("referrals/", views.referral_inbox, name="referral_inbox"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/next/", case_views.take_next, name="take_next"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/take/", views.referral_take, name="referral_take"),
    path("referrals/<int:pk>/open/", case_views.referral_open_case, name="referral_open_case"),
    path("referrals/<int:pk>/close/", views.referral_close, name="referral_close"),
    path("mine/", case_views.my_cases, name="my_cases"),
    path("<int:pk>/", case_views.case_detail, name="case_detail"),
    path("<int:pk>/intake/", case_views.case_intake, name="case_intake"),
    path("<int:pk>/status/", case_views.case_status, name="case_status"),
    path("<int:pk>/followups/", case_views.followup_add, name="followup_add"),
    path("<int:pk>/followups/<int:followup_id>/done/", case_views.followup_done, name="followup_done"),
    path("<int:pk>/transfer/", case_views.case_transfer, name="case_transfer"),
    path("<int:pk>/assign/", case_views.case_assign, name="case_assign"),
    path("<int:pk>/assign/<int:assignment_id>/end/", case_views.assignment_end, name="assignment_end"),
    path("<int:pk>/print/", case_views.case_print, name="case_print"),
    path("<int:pk>/print/contacts/", case_views.case_print_contacts, name="case_print_contacts"),
    path("<int:pk>/export.xlsx", case_views.case_export, name="case_export"),
    path("help/", help_views.help_request, name="help_request"),
]
