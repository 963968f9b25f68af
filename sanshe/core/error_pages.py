"""The error pages (400, 403, 404, 500, CSRF failure): Chinese, in the site layout, with a way back.

Under /api/v1/ they answer with the API's own JSON body (`{"detail": "…"}`, sanshe.api.errors) instead: a
client of the API never gets a page. The 500 page is rendered without the request's context processors (the
navigation queries the database, which may be what failed) and so shows the bare layout.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from .redirects import safe_next

API_PREFIX = "/api/v1/"
# A refusal's own message is shown when it is written for people (Chinese); internal codes ("summary.edit") are not.
_READABLE = re.compile(r"[\u4e00-\u9fff]")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _api_error(detail: str, status: int) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def back_url(request: HttpRequest) -> str:
    """The page the person came from (Referer), if it is on this site and not the page that failed; else ""."""
    referer = request.headers.get("Referer", "")
    if not referer:
        return ""
    try:
        target = safe_next(request, "", value=referer)
    except DisallowedHost:  # a 400 for a host we do not serve: no way to tell what is "this site"
        return ""
    if not target:
        return ""
    parts = urlsplit(target)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if request.method == "GET" and path == request.get_full_path():
        return ""  # reloading the failed page is no way back
    return path


def _page(request: HttpRequest, template_name: str, status: int, *, with_request: bool = True,
          context: dict | None = None) -> HttpResponse:
    values = {"back_url": back_url(request), **(context or {})}
    template = loader.get_template(template_name)
    body = template.render(values, request if with_request else None)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(_("请求无效"), 400)
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(_("您的角色无权进行此操作"), 403)
    reason = str(exception or "")
    return _page(request, "403.html", 403, context={"reason": reason if _READABLE.search(reason) else ""})


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(_("未找到该记录，或您无权查看"), 404)
    return _page(request, "404.html", 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """No context processors, no database: the page must render when the database is what failed."""
    if _is_api(request):
        return _api_error(_("服务器出错，请稍后再试"), 500)
    return _page(request, "500.html", 500, with_request=False)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the form was not accepted (an old page, a logged-out session, cookies off)."""
    if _is_api(request):
        return _api_error(_("页面已过期，请刷新后重试"), 403)
    # Without the request's context: a forged request should not get the navigation of the victim's session.
    return _page(request, "403_csrf.html", 403, with_request=False)
