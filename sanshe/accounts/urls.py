from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/code/", views.otp_login, name="otp_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.my_account, name="my_account"),
    path("me/password/", views.password_change, name="password_change"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/roles/new/", views.membership_edit, name="membership_grant"),
    path("users/<int:user_id>/roles/<int:membership_id>/", views.membership_edit, name="membership_edit"),
    path("users/<int:user_id>/roles/<int:membership_id>/revoke/", views.membership_revoke,
         name="membership_revoke"),
    path("users/<int:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:user_id>/activate/", views.user_activate, name="user_activate"),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:user_id>/password/", views.user_password_reset, name="user_password_reset"),
]
