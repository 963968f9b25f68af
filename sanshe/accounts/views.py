"""Login and logout pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _

from .forms import StaffLoginForm


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


def lockout_response(request, credentials, *args, **kwargs):
    """What django-axes shows after too many failures (HTTP 429)."""
    form = StaffLoginForm(request)
    return render(request, "accounts/login.html", {
        "form": form,
        "lockout_message": _("登录失败次数过多，账号已锁定30分钟。如需立即解锁，请联系机构管理员。"),
    }, status=429)
