"""The gate every monitoring page goes through: login, then a monitoring capability (403), private pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from sanshe.core.errors import ActionForbidden

from .policies import monitoring_scope


def monitoring_required(*capabilities: str) -> Callable:
    """Anonymous → login page; a role holding none of `capabilities` anywhere → 403; never cached."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = f"{reverse('accounts:login')}?next={request.path}"
                    return response
                return redirect_to_login(request.get_full_path())
            scope = monitoring_scope(request.user)
            if capabilities and not any(scope.can(c) for c in capabilities):
                raise ActionForbidden(capabilities[0])
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorator


def private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Health data on a page without login (the personal link): never cached, never indexed."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped
