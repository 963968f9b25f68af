"""Session policy (等保2.0): idle timeout, and a forced change of a password an administrator chose."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from sanshe.core.pages import BACKGROUND_ATTRIBUTE

LAST_SEEN_KEY = "last_seen"
_API_PREFIX = "/api/"


def _go(request, url: str) -> HttpResponse:
    """Redirect; for an htmx request, make the whole page navigate instead of swapping a fragment."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class IdleTimeoutMiddleware:
    """A session unused for SESSION_IDLE_TIMEOUT seconds is ended (checked on the next request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                if request.path.startswith(_API_PREFIX):
                    return self.get_response(request)
                messages.info(request, _("长时间未操作，已自动退出，请重新登录"))
                login_url = reverse("accounts:login")
                if request.method == "GET":
                    login_url += "?" + urlencode({"next": request.path})
                return _go(request, login_url)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Count the request as use of the session, unless the page asked for it in the background.

        A chat page polling for events or an alert list polling for new alerts is not someone at the
        phone: counting those would keep a session left open on a shared phone alive forever.
        """
        if request.user.is_authenticated and not getattr(view_func, BACKGROUND_ATTRIBUTE, False):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            # Write at most once a minute to keep session saves off the hot path.
            if last_seen is None or now - last_seen > 60:
                request.session[LAST_SEEN_KEY] = now
        return None


class PasswordChangeRequiredMiddleware:
    """Until they choose their own password, such users can only reach the password page (and log out).

    The session is what this gates, on every path: the API and the API token page included, or a user
    still holding an administrator's password could mint a token that outlives the change. A bearer-token
    call carries no session (request.user is anonymous here), so integrations are not affected; tokens
    are revoked when an administrator resets the password (accounts.services.user_password_reset).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and getattr(user, "password_must_change", False):
            allowed = (reverse("accounts:password_change"), reverse("accounts:logout"))
            path = request.path
            if not (path in allowed or path.startswith(settings.STATIC_URL)):
                message = _("您的密码由管理员设置，请先修改为只有您自己知道的密码")
                if path.startswith(_API_PREFIX) and not path.startswith("/api/tokens/"):
                    return JsonResponse({"detail": message}, status=403,
                                        json_dumps_params={"ensure_ascii": False})
                messages.warning(request, message)
                return _go(request, reverse("accounts:password_change"))
        return self.get_response(request)


class LoginIpThrottleMiddleware:
    """Refuses login attempts from an address that failed too often across accounts (HTTP 429).

    Covers the staff login page and the admin's login: a refused attempt is audited as `login.throttled`
    and never reaches authentication, so it counts against no account.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path in _login_paths():
            from sanshe.core.audit import audit_record
            from sanshe.core.context import client_ip
            from sanshe.core.models import AuditOutcome

            from .lockout import ip_throttle_wait
            from .views import ip_throttled_response

            minutes = ip_throttle_wait(client_ip(request))
            if minutes:
                audit_record(actor=None, action="login.throttled", outcome=AuditOutcome.DENIED,
                             detail={"wait_minutes": minutes})
                return ip_throttled_response(request, minutes)
        return self.get_response(request)


def _login_paths() -> set[str]:
    paths = {reverse("accounts:login")}
    try:
        paths.add(reverse("admin:login"))
    except NoReverseMatch:  # a deployment without the admin site
        pass
    return paths
