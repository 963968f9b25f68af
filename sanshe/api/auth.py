"""How API callers prove who they are: a bearer token (integrations) or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from sanshe.accounts.services import api_token_authenticate

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BearerToken(HttpBearer):
    """`Authorization: Bearer ssk_…`: a token made on /api/tokens/ or with `manage.py api_token`."""

    openapi_description = "接口令牌 / API token: Authorization: Bearer ssk_…"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(plaintext=token.strip())
        if user is None:
            return None
        # The token acts as its user: everything downstream reads the same actor.
        request.user = user
        return user


class SessionWithCsrf(APIKeyCookie):
    """The logged-in browser session; unsafe methods must carry the CSRF token (X-CSRFToken)."""

    param_name: str = settings.SESSION_COOKIE_NAME
    openapi_description = "浏览器会话 / browser session (X-CSRFToken header for POST/PATCH)"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # An anonymous caller gets 401, not a CSRF 403, so the CSRF check only runs for a real session.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method in UNSAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise HttpError(403, _("安全校验（CSRF）失败，请刷新页面后重试"))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


def docs_login_required(view):
    """The docs page and the OpenAPI schema: for logged-in staff (session) or a valid bearer token.

    The schema lists every endpoint and field; it is not for anonymous visitors. Anonymous: the docs page
    sends the browser to the login page, the schema answers 401 like any API call.
    """
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login
    from django.http import JsonResponse

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            header = request.headers.get("Authorization", "")
            scheme, _sep, token = header.partition(" ")
            if scheme.lower() != "bearer" or api_token_authenticate(plaintext=token.strip()) is None:
                if request.path.endswith(".json"):
                    return JsonResponse({"detail": _("请先登录，或使用接口令牌")}, status=401,
                                        json_dumps_params={"ensure_ascii": False})
                return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
