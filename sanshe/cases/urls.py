from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("referrals/", views.referral_inbox, name="referral_inbox"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/take/", views.referral_take, name="referral_take"),
    path("referrals/<int:pk>/close/", views.referral_close, name="referral_close"),
]
