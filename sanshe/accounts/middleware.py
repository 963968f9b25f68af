"""Session policy (等保2.0): idle timeout (sanshe.core.sessions), and a forced change of a password an
administrator chose."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from sanshe.core.pages import BACKGROUND_ATTRIBUTE
from sanshe.core.redirects import safe_next
from sanshe.core.sessions import (
    LAST_SEEN_KEY,
    is_resident_session,
    session_idle_expired,
    session_stamp,
    session_touch_due,
)

__all__ = ["LAST_SEEN_KEY", "IdleTimeoutMiddleware", "LoginIpThrottleMiddleware", "PasswordChangeRequiredMiddleware"]
_API_PREFIX = "/api/"


def _go(request, url: str) -> HttpResponse:
    """Redirect; for an htmx request, make the whole page navigate instead of swapping a fragment."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _next_after_login(request) -> str:
    """Where to return after logging in again: the page the person was on, if it is on this site, else ""."""
    if request.headers.get("HX-Request"):
        # A fragment request: return to the page that asked for it, not to the fragment.
        candidate = request.headers.get("HX-Current-URL", "")
    elif request.method == "GET":
        candidate = request.get_full_path()
    else:
        # A form sent after the session ended: back to the page the form was on.
        candidate = request.headers.get("Referer", "")
    target = safe_next(request, "", value=candidate)
    if not target:
        return ""
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class IdleTimeoutMiddleware:
    """A session unused for longer than its limit is ended (checked on the next request).

    The limit is sanshe.core.sessions.idle_limit: SESSION_IDLE_TIMEOUT for staff, days for residents. An
    ended resident is sent to the one-time-code login, staff to the password login; both keep `next`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and session_idle_expired(user, request.session.get(LAST_SEEN_KEY)):
            resident = is_resident_session(user)
            logout(request)
            if request.path.startswith(_API_PREFIX):
                return self.get_response(request)
            if resident:
                messages.info(request, _("登录已过期，请用手机验证码重新登录"))
                login_url = reverse("accounts:otp_login")
            else:
                messages.info(request, _("长时间未操作，已自动退出，请重新登录"))
                login_url = reverse("accounts:login")
            next_url = _next_after_login(request)
            if next_url:
                login_url += "?" + urlencode({"next": next_url})
            return _go(request, login_url)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Count the request as use of the session, unless the page asked for it in the background.

        A chat page polling for events or an alert list polling for new alerts is not someone at the
        phone: counting those would keep a session left open on a shared phone alive forever.
        """
        if request.user.is_authenticated and not getattr(view_func, BACKGROUND_ATTRIBUTE, False):
            if session_touch_due(request.session.get(LAST_SEEN_KEY)):
                session_stamp(request.session, request.user)
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
