"""Per-request context (client IP) that the audit log reads without threading it through every call."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None
    user_agent: str


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("sanshe_request", default=None)


def client_ip(request) -> str | None:
    """The client address; X-Forwarded-For is trusted only behind the configured proxy."""
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def set_request(request) -> contextvars.Token:
    info = RequestInfo(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:200])
    return _current.set(info)


def reset_request(token: contextvars.Token) -> None:
    _current.reset(token)


def current_request() -> RequestInfo | None:
    return _current.get()


class RequestContextMiddleware:
    """Makes the client IP available to the audit log for the duration of a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request(request)
        try:
            return self.get_response(request)
        finally:
            reset_request(token)
