"""The page where staff make and revoke their own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sanshe.accounts import services
from sanshe.core.gate import page

from . import selectors
from .forms import ApiTokenForm


@page("accounts.staff")
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; POST makes a new one and shows its plaintext on this response only."""
    new_token = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, plaintext = services.api_token_create(actor=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("name", message)
        else:
            # Rendered, not redirected: the token must never travel in a URL or sit in the session.
            new_token = {"name": token.name, "plaintext": plaintext}
            form = ApiTokenForm()
    context = {"form": form, "tokens": selectors.api_token_list(actor=request.user), "new_token": new_token}
    return render(request, "api/token_list.html", context)


@page()
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's tokens at once."""
    token = services.api_token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, _("已撤销令牌“%(name)s”，使用它的系统将无法再访问") % {"name": token.name})
    return redirect("api:token_list")
