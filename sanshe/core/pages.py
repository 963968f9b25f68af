"""What every page view shares: the capability gate (sanshe.core.gate), keyset cursors, form errors."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import Form
from django.http import HttpResponse

from .gate import page


def capability_required(capability: str) -> Callable:
    """Anonymous → login page; a role without `capability` anywhere → 403; never cached: the one gate
    (`sanshe.core.gate.page`) under the name the directory's pages use."""
    return page(capability)


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
