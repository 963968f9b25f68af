"""What every page view shares: the capability gate, keyset cursors, private responses, form errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from sanshe.accounts.policies import require


def capability_required(capability: str) -> Callable:
    """Anonymous → login page; a role without `capability` anywhere → 403 (audited by the middleware).

    Pages that show personal data are also marked private and never cached (shared phones, WeChat).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                if request.headers.get("HX-Request"):
                    # A fragment request after the session ended: send the whole page to the login form.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = f"{reverse('accounts:login')}?next={request.path}"
                    return response
                return redirect_to_login(request.get_full_path())
            require(request.user, capability)
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        return wrapped

    return decorator


# Set on views that pages call on their own (polls): they do not count as the person using the session.
BACKGROUND_ATTRIBUTE = "sanshe_background_poll"


def background_poll(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view that pages call by themselves: it does not keep an idle session alive.

    Put it innermost (closest to the function): `functools.wraps` carries the mark to outer decorators.
    """
    setattr(view, BACKGROUND_ATTRIBUTE, True)
    return view


def int_param(value: str | None) -> int | None:
    """A positive integer from a query parameter, or None for anything else."""
    if value and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def apply_service_errors(form: Form, error: ValidationError, *, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: on the field it names, or above the form."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        target = aliases.get(field, field)
        if target == NON_FIELD_ERRORS or target not in form.fields:
            form.add_error(None, messages)
        else:
            form.add_error(target, messages)
