"""Permission denials reach the audit log, whichever view raised them."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpRequest

from .audit import audit_record
from .models import AuditOutcome

logger = logging.getLogger(__name__)


class AccessDeniedAuditMiddleware:
    """A view that raises PermissionDenied/ActionForbidden (403) leaves an `access.denied` audit event.

    Out-of-scope objects are 404s on purpose (their existence is not revealed) and are not recorded here;
    services audit the denials they decide themselves (a refused reveal, say).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if not isinstance(exception, PermissionDenied):
            return None
        user = getattr(request, "user", None)
        # The path names pages and row ids only (personal data never travels in URLs); no query string.
        detail = {"path": request.path[:200], "method": request.method}
        if exception.args and isinstance(exception.args[0], str):
            detail["capability"] = exception.args[0][:64]
        try:
            audit_record(actor=user, action="access.denied", outcome=AuditOutcome.DENIED, detail=detail,
                         actor_label="" if user is not None and user.is_authenticated else "anonymous")
        except DatabaseError:
            # The 403 must still be answered if the database refuses the write (e.g. a broken transaction).
            logger.exception("could not audit an access denial")
        return None


def content_security_policy() -> str:
    """The policy every page is served with: scripts only from our own static files, no eval, no framing.

    Styles too come only from our own stylesheets: no `style="..."` attribute and no `<style>` element in
    any template (tests/core/test_csp.py scans them), so injected markup cannot restyle a page (hide a
    warning, overlay a fake form). Scripts may still set a property through the CSSOM (`el.style.height`),
    which the policy allows. The API docs (django-ninja's bundled Swagger UI) need no exception. Sockets
    may go to WEBSOCKET_URL when it is another origin (the split laptop layout); 'self' covers same-origin
    ws:/wss: behind the proxy.
    """
    from urllib.parse import urlsplit

    from django.conf import settings

    connect = ["'self'"]
    if settings.WEBSOCKET_URL:
        parts = urlsplit(settings.WEBSOCKET_URL)
        if parts.scheme and parts.netloc:
            connect.append(f"{parts.scheme}://{parts.netloc}")
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": connect,
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy header (sanshe.core.middleware.content_security_policy)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
