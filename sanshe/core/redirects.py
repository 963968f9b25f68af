"""Where a `next` parameter may send the browser: only back into this site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str, *, value: str | None = None) -> str:
    """The `next` URL of the request (POST, then GET) if it stays on this host and scheme, else `default`.

    Django's url_has_allowed_host_and_scheme also refuses what browsers read as another host although
    it starts with "/" ("//evil.example", "/\\evil.example", control characters).
    """
    target = value if value is not None else (request.POST.get("next") or request.GET.get("next") or "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


class TelRedirect(HttpResponseRedirect):
    """Straight into the phone's dialler (the crisis page's and the health alert's call buttons)."""

    allowed_schemes = ["tel"]


def tel_redirect(number: str) -> TelRedirect:
    return TelRedirect(f"tel:{''.join(c for c in number if c.isdigit() or c == '+')}")
