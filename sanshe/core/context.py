"""Per-request context (client IP) that the audit log reads without threading it through every call."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None
    user_agent: str


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("sanshe_request", default=None)


def forwarded_client(forwarded_for: str, remote_addr: str | None, hops: int) -> str | None:
    """The address the outermost of `hops` trusted proxies saw, counting X-Forwarded-For from the right.

    Each trusted proxy appends the address it received the request from (nginx's
    `$proxy_add_x_forwarded_for`), so only the right-most `hops` entries are facts; anything to their left
    was sent by the client and may be forged. With `hops` = 0 the header is ignored altogether.
    """
    if hops <= 0:
        return remote_addr or None
    entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if not entries:
        return remote_addr or None
    # Fewer entries than proxies: every entry was written by a trusted proxy; the left-most is the client.
    return entries[-hops] if len(entries) >= hops else entries[0]


def trusted_proxy_count() -> int:
    from django.conf import settings

    return max(int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0), 0)


def client_ip(request) -> str | None:
    """The client address: X-Forwarded-For counted from the right, as far as TRUSTED_PROXY_COUNT proxies.

    The one source of the client IP for the audit log, one-time-code limits and login throttling (axes
    reads it through AXES_CLIENT_IP_CALLABLE).
    """
    return forwarded_client(request.META.get("HTTP_X_FORWARDED_FOR", ""), request.META.get("REMOTE_ADDR"),
                            trusted_proxy_count())


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
