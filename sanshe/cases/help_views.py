"""Residents' own requests for help (求助) on the phone, and what became of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sanshe.core.errors import ActionForbidden
from sanshe.core.pages import apply_service_errors

from . import selectors, services
from .forms import HelpForm


def is_resident(user) -> bool:
    from sanshe.accounts.policies import scope_for

    return bool(getattr(user, "is_authenticated", False) and scope_for(user).person_id)


@require_http_methods(["GET", "POST"])
def help_request(request: HttpRequest) -> HttpResponse:
    """The 求助 form, with the status of the resident's earlier requests below it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_resident(request.user):
        raise ActionForbidden("cases.help")
    form = HelpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.help_request_create(actor=request.user, kinds=form.cleaned_data["kinds"],
                                             text=form.cleaned_data["text"], urgency=form.cleaned_data["urgency"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("求助已发送，社会工作者会尽快联系您。如情况紧急，请直接拨打120或110。"))
                return redirect("cases:help_request")
        status = 400
    response = render(request, "cases/help_request.html", {
        "form": form, "requests": selectors.help_requests_mine(actor=request.user)}, status=status)
    add_never_cache_headers(response)
    return response
