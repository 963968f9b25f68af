"""Crisis pages: phone-first, big and simple. Views only parse input, call a service or selector, render."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanshe.cases.selectors import access_case
from sanshe.core.errors import ObjectNotFound
from sanshe.core.gate import page
from sanshe.core.redirects import tel_redirect

from . import selectors, services
from .models import CrisisDomain
from .pages import case_url, detail_context


def _errors(error: ValidationError) -> dict[str, list[str]]:
    """Field → messages; messages not about one field under "general" (templates cannot read "__all__")."""
    found = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return {("general" if field == "__all__" else field): messages for field, messages in found.items()}


@page("crisis.pages")
@require_GET
def crisis_list(request: HttpRequest) -> HttpResponse:
    """Open crises in scope: unacknowledged first, then the oldest."""
    return render(request, "crisis/crisis_list.html", {
        "crises": selectors.crisis_open_list(actor=request.user), "now": timezone.now(),
    })


@page("cases.manage", objects={"case_id": access_case}, action="change")
@require_http_methods(["GET", "POST"])
def crisis_start(request: HttpRequest, case) -> HttpResponse:
    """Start the crisis protocol from a case: domain and reason (social workers of the case's community)."""
    data = {"domain": request.POST.get("domain", ""), "reason": request.POST.get("reason", "")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            crisis = services.crisis_open(actor=request.user, case=case, domain=data["domain"], source="manual",
                                          reason=data["reason"])
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.warning(request, _("危机处置已启动，已通知值班人员、负责社工和机构管理员。请立即联系当事人。"))
            return redirect("crisis:detail", pk=crisis.pk)
    return render(request, "crisis/crisis_start.html", {
        "case": case, "data": data, "errors": errors, "domains": CrisisDomain.choices, "case_url": case_url(case.pk),
    }, status=400 if errors else 200)


@page("crisis.pages")
@require_POST
def crisis_start_from_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    """A social worker starts the crisis protocol from a chat risk alert (opens the case if needed)."""
    try:
        crisis = services.crisis_from_alert(actor=request.user, alert_id=alert_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("groups:alerts")
    messages.warning(request, _("已为该成员启动危机处置。请立即联系当事人。"))
    return redirect("crisis:detail", pk=crisis.pk)


@page("crisis.pages", objects={"pk": ("crisis", selectors.access_crisis)})
@require_GET
def crisis_detail(request: HttpRequest, crisis) -> HttpResponse:
    return render(request, "crisis/crisis_detail.html", detail_context(request.user, crisis))


def _act(request: HttpRequest, pk: int, action: Callable[[], object], done: str, form: str) -> HttpResponse:
    """Run a service for the crisis page; on bad input show the page again with the messages, nothing saved.
    Back to the crisis page after, or to the crisis list when the actor no longer holds it (a recipient who is
    not responsible for the case loses a crisis once it is closed)."""
    try:
        action()
    except ValidationError as error:
        crisis = selectors.access_crisis(actor=request.user, id=pk)
        context = detail_context(request.user, crisis)
        context.update({"errors": _errors(error), "error_form": form, "posted": request.POST})
        return render(request, "crisis/crisis_detail.html", context, status=400)
    messages.success(request, done)
    if not selectors.crisis_in_scope(actor=request.user, crisis_id=pk):
        return redirect("crisis:list")
    return redirect("crisis:detail", pk=pk)


@page("crisis.pages")
@require_POST
def crisis_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda: services.crisis_acknowledge(actor=request.user, crisis=pk),
                _("已确认，由您负责处置。请不要让当事人独处。"), "ack")


@page("crisis.pages")
@require_POST
def crisis_step(request: HttpRequest, pk: int) -> HttpResponse:
    kind = request.POST.get("kind", "")
    return _act(request, pk, lambda: services.crisis_step_record(
        actor=request.user, crisis=pk, kind=kind, note=request.POST.get("note", ""),
        call=request.POST.get("call", "")), _("已记录这一步"), f"step-{kind}")


@page("crisis.pages")
@require_POST
def crisis_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda: services.crisis_note_add(
        actor=request.user, crisis=pk, text=request.POST.get("text", ""),
        is_contact=request.POST.get("is_contact", "1") == "1"), _("已记录"), "note")


@page("crisis.pages")
@require_POST
def crisis_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda: services.crisis_close(
        actor=request.user, crisis=pk, outcome_kind=request.POST.get("outcome_kind", ""),
        outcome=request.POST.get("outcome", ""), close_reason=request.POST.get("close_reason", "")),
        _("危机处置已结束，结果已记录"), "close")


@page("crisis.pages")
@require_POST
def crisis_call(request: HttpRequest, pk: int, target: str) -> HttpResponse:
    """Tap to call: the full number is revealed only by this audited step, straight into the phone's dialler."""
    if target not in services.CALL_TARGETS:
        raise ObjectNotFound()
    try:
        number = services.crisis_call_number(actor=request.user, crisis=pk, target=target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("crisis:detail", pk=pk)
    return tel_redirect(number)

