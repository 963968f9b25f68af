"""Residents' own requests for help (求助) on the phone, and what became of them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sanshe.core.gate import page
from sanshe.core.pages import apply_service_errors

from . import selectors, services
from .forms import HelpForm


def handler_label(handler) -> str:
    """How a resident sees who has their request: the role word and the name staff use with residents."""
    if handler is None:
        return _("本社区社工")
    name = handler.display_name or handler.username
    if "社工" in name:  # "陈社工" already says the role: not "社工陈社工"
        return name
    return _("社工%(name)s") % {"name": name}


LIFE_DANGER = gettext_lazy("如有生命危险（如呼吸困难、意识不清、想伤害自己），请立即拨打120；遇到危险请拨打110。")


@page("cases.help")
@require_http_methods(["GET", "POST"])
def help_request(request: HttpRequest) -> HttpResponse:
    """The 求助 form, with the status of the resident's earlier requests below it.

    A request is never refused: while an earlier one is open the new one is attached to it, and the resident
    is told who has it and what to do if life is in danger right now.
    """
    form = HelpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = services.help_request_create(actor=request.user, kinds=form.cleaned_data["kinds"],
                                                    text=form.cleaned_data["text"],
                                                    urgency=form.cleaned_data["urgency"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                if sent.is_attached:
                    who = handler_label(selectors.help_handler(referral=sent.referral))
                    text = _("已并入您正在处理中的求助，由%(who)s负责，已提醒尽快联系您。") % {"who": who}
                    if sent.raised_urgency:
                        text += _("这条求助更紧急，已提高处理的紧急程度。")
                    messages.success(request, text + str(LIFE_DANGER))
                else:
                    messages.success(request, _("求助已发送，社会工作者会尽快联系您。如情况紧急，请直接拨打120或110。"))
                return redirect("cases:help_request")
        status = 400
    open_request = selectors.help_open_request(actor=request.user)
    handler = selectors.help_handler(referral=open_request)
    response = render(request, "cases/help_request.html", {
        "form": form, "requests": selectors.help_requests_mine(actor=request.user),
        "open_request": open_request, "handler": handler, "handler_label": handler_label(handler)}, status=status)
    add_never_cache_headers(response)
    return response
