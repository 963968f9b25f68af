"""Case pages (个案): take next, intake (信息采集), the case page (tool 5), my cases, print and export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanshe.core.gate import page
from sanshe.core.pages import apply_service_errors
from sanshe.rules.needs import need_labels

from . import selectors, services
from .export import person_age
from .forms import AssignForm, FollowUpForm, IntakeForm, PrintContactsForm, StatusForm, TransferForm
from .models import CasePart, CaseStatus
from .policies import can_cases, could_hold_a_part
from .rules import TRANSITIONS

# The case pages' gates: anonymous → login; no case role → 403; the object's scope is checked by access_case
# (404). A role that may be handed a part of a case, but not of this one, gets 404 on a case's pages: the case
# is not theirs to know about, the same answer as for a case of another community.
case_manager_page = page("cases.manage")
case_page = page("cases.see", not_found_for=could_hold_a_part)


def _case_url(case_id: int, anchor: str = "") -> str:
    return reverse("cases:case_detail", args=[case_id]) + (f"#{anchor}" if anchor else "")


@case_manager_page
@require_POST
def take_next(request: HttpRequest) -> HttpResponse:
    """Take the most urgent, longest-waiting referral and open its intake."""
    case = services.referral_take_next(actor=request.user)
    if case is None:
        messages.info(request, _("没有待接收的转介"))
        return redirect("cases:referral_inbox")
    return _after_take(request, case, _("已接收：%(name)s（个案 %(number)s）") % {
        "name": case.person.name, "number": case.number})


def _after_take(request: HttpRequest, case, taken: str) -> HttpResponse:
    """A crisis referral opens the crisis page first (or its chat alert while no crisis is open): the person is
    safe before the paperwork. Any other referral opens the intake."""
    stop = selectors.referral_crisis_stop(actor=request.user, referral=getattr(case, "taken_referral", None),
                                          case=case)
    if stop is None:
        messages.success(request, taken + _("，请完成信息采集"))
        return redirect("cases:case_intake", pk=case.pk)
    url, kind = stop
    if kind == "crisis":
        messages.warning(request, taken + _("。这是危机个案：请先在本页确认并处置危机，再打开个案完成信息采集"))
    else:
        messages.warning(request, taken + _("。这是高危风险预警的转介：请先确认预警、启动危机处置，再完成信息采集"))
    return redirect(url)


@case_manager_page
@require_POST
def referral_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    """Take this referral (or continue one I took) into a case and open its intake."""
    try:
        case = services.referral_take_into_case(actor=request.user, referral_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cases:referral_detail", pk=pk)
    return _after_take(request, case, _("已接收：个案 %(number)s") % {"number": case.number})


def _need_groups(form: IntakeForm) -> list[tuple[str, list]]:
    """The needs checkboxes grouped as on the paper form (医疗 / 照护 / 支持)."""
    from sanshe.rules.needs import NEED_DOMAINS

    by_value = {str(choice.data["value"]): choice for choice in form["needs"]}
    return [(str(label), [by_value[code] for code in needs]) for label, needs in NEED_DOMAINS.values()]


@case_manager_page
@require_http_methods(["GET", "POST"])
def case_intake(request: HttpRequest, pk: int) -> HttpResponse:
    """信息采集: client details (masked), emergency contact, demands, needs assessment (tool 4), plan."""
    case = selectors.access_case(actor=request.user, id=pk, action="change")
    initial = {name: getattr(case, name) or "" for name in services.INTAKE_TEXT_FIELDS}
    initial.update(emergency_contact_name=case.emergency_contact_name or "",
                   emergency_contact_phone=case.emergency_contact_phone or "", needs=case.needs)
    source = selectors.referral_intake_view(actor=request.user, case=case)
    if source is not None and not any(initial[name] for name in ("demand_emotion", "demand_medical",
                                                                 "demand_psychological", "demand_other")):
        # Nothing written yet: start from the referral's reason, in the demand it is about (the worker edits it).
        referral = source["referral"]
        field = {"chat": "demand_psychological", "alert": "demand_medical", "check_in": "demand_medical"}.get(
            referral.source_kind, "demand_other")
        initial[field] = _("转介原因（%(who)s，%(when)s）：%(reason)s") % {
            "who": referral.created_by or _("系统自动转介"),
            "when": timezone.localtime(referral.created_at).strftime("%m-%d %H:%M"), "reason": referral.reason}
    form = IntakeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.case_intake_save(actor=request.user, case_id=case.pk, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("信息采集已保存"))
                return redirect("cases:case_detail", pk=case.pk)
        status = 400
    return render(request, "cases/case_intake.html", {
        "case": case, "person": case.person, "form": form, "need_groups": _need_groups(form), "source": source,
        "crumbs": [(_("我的个案"), reverse("cases:my_cases")), (case.number, _case_url(case.pk))],
    }, status=status)


def _forms_for(case, *, status_form=None, followup_form=None, transfer_form=None, assign_form=None) -> dict:
    status_choices = [(code, label) for code, label in CaseStatus.choices if code in TRANSITIONS.get(case.status, ())]
    if case.status == CaseStatus.CLOSED:
        status_choices = [(CaseStatus.IN_SERVICE, _("重新开启（服务中）"))]
    return {
        "status_form": status_form or StatusForm(choices=status_choices),
        "followup_form": followup_form or FollowUpForm(initial={"date": timezone.localdate()}),
        "transfer_form": transfer_form or TransferForm(choices=[
            (u.pk, str(u)) for u in services.social_workers_for(case).exclude(pk=case.owner_id)]),
        "assign_form": assign_form or AssignForm(choices=[
            (u.pk, str(u)) for u in services.assignees_for_any(case)]),
    }


def _render_case(request: HttpRequest, case, *, status: int = 200, **forms) -> HttpResponse:
    from .sections import case_sections_for

    now = timezone.now()
    page = selectors.case_page(actor=request.user, case=case)
    can_change = can_cases(request.user, "cases.manage") and selectors.case_in_scope(
        actor=request.user, case=case, action="change")
    sections = [mark_safe(render_to_string(template, context, request=request))  # noqa: S308 — our templates
                for template, context in case_sections_for(request.user, case)]
    context = {
        "case": case, "person": case.person, "now": now, **page, "sections": sections,
        "can_change": can_change, "parts": CasePart.choices, "need_labels": need_labels(case.needs),
        "followup_rows": _followup_rows(page["followups"]),
        "crumbs": [(_("我的个案"), reverse("cases:my_cases"))],
        "can_print_contacts": selectors.may_print_contacts(actor=request.user, case=case),
    }
    if context["can_print_contacts"]:
        context["print_contacts_form"] = PrintContactsForm()
    if can_change:
        context.update(_forms_for(case, **forms))
    else:
        context["followup_form"] = forms.get("followup_form") or FollowUpForm(initial={"date": timezone.localdate()})
        # An assignee writes follow-ups in their own parts only.
        context["followup_form"].fields["domain"].choices = [
            (code, label) for code, label in CasePart.choices if code in page["parts_visible"]]
    return render(request, "cases/case_detail.html", context, status=status)


def _followup_rows(followups) -> list[dict]:
    """Tool 5's table: one row per date, with the medical / psychological / other entries side by side."""
    rows: dict = {}
    for entry in followups:
        row = rows.setdefault(entry.date, {"date": entry.date, "medical": [], "psychological": [], "other": []})
        row[entry.domain].append(entry)
    return list(rows.values())


@case_page
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(actor=request.user, id=pk)
    return _render_case(request, case)


@case_manager_page
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(actor=request.user, id=pk, action="change")
    form = StatusForm(request.POST, choices=CaseStatus.choices)
    if form.is_valid():
        try:
            services.case_status_set(actor=request.user, case_id=case.pk, status=form.cleaned_data["status"],
                                     reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("个案状态已更新"))
            return redirect(_case_url(case.pk, "status"))
    case = selectors.access_case(actor=request.user, id=pk, action="change")
    form.fields["status"].choices = _forms_for(case)["status_form"].fields["status"].choices
    return _render_case(request, case, status=400, status_form=form)


@case_page
@require_POST
def followup_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(actor=request.user, id=pk, action="follow_up")
    form = FollowUpForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_followup_add(actor=request.user, case_id=case.pk, date=data["date"], domain=data["domain"],
                                       content=data["content"], responsible_name=data["responsible_name"],
                                       contact=data["contact"], due_at=data["due_at"], done=data["done"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("跟进记录已添加"))
            return redirect(_case_url(case.pk, "followups"))
    return _render_case(request, case, status=400, followup_form=form)


@case_page
@require_POST
def followup_done(request: HttpRequest, pk: int, followup_id: int) -> HttpResponse:
    case = selectors.access_case(actor=request.user, id=pk, action="follow_up")
    parts = selectors.case_parts_for(actor=request.user, case=case)
    if not case.followups.filter(pk=followup_id, domain__in=sorted(parts)).exists():
        from sanshe.core.errors import ObjectNotFound
        raise ObjectNotFound()
    services.case_followup_done(actor=request.user, followup_id=followup_id)
    messages.success(request, _("已标记完成"))
    return redirect(_case_url(case.pk, "followups"))


@case_manager_page
@require_POST
def case_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(actor=request.user, id=pk, action="change")
    form = TransferForm(request.POST, choices=[(u.pk, str(u)) for u in
                                               services.social_workers_for(case).exclude(pk=case.owner_id)])
    if form.is_valid():
        try:
            services.case_transfer(actor=request.user, case_id=case.pk, to_user_id=form.cleaned_data["to_user"],
                                   reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("个案已转移，新负责社工会收到通知"))
            if selectors.case_in_scope(actor=request.user, case=case, action="view"):
                return redirect(_case_url(case.pk))
            return redirect("cases:my_cases")
    return _render_case(request, case, status=400, transfer_form=form)


@case_manager_page
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.access_case(actor=request.user, id=pk, action="change")
    form = AssignForm(request.POST, choices=[(u.pk, str(u)) for u in services.assignees_for_any(case)])
    if form.is_valid():
        try:
            services.case_assign(actor=request.user, case_id=case.pk, part=form.cleaned_data["part"],
                                 assignee_id=form.cleaned_data["assignee"], note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已指派，负责人可查看此个案并记录跟进"))
            return redirect(_case_url(case.pk, "assignments"))
    return _render_case(request, case, status=400, assign_form=form)


@case_manager_page
@require_POST
def assignment_end(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    case = selectors.access_case(actor=request.user, id=pk, action="change")
    if not case.assignments.filter(pk=assignment_id, ended_at__isnull=True).exists():
        from sanshe.core.errors import ObjectNotFound
        raise ObjectNotFound()
    services.case_assignment_end(actor=request.user, assignment_id=assignment_id)
    messages.success(request, _("已结束该分工"))
    return redirect(_case_url(case.pk, "assignments"))


@case_page
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(request, "cases/my_cases.html", {
        "cases": selectors.my_cases(actor=request.user, now=now), "now": now,
        "assigned": selectors.assigned_cases(actor=request.user),
        "can_manage": can_cases(request.user, "cases.manage"),
    })


@case_page
@require_GET
def case_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Tool 5 (个案管理跟进表) on A4, in the guide's layout."""
    case = selectors.access_case(actor=request.user, id=pk)
    return _render_print(request, case)


def _render_print(request: HttpRequest, case, *, contacts=None) -> HttpResponse:
    """Tool 5 on A4: masked numbers, or the full ones of an audited print with contacts (`contacts`)."""
    page = selectors.case_page(actor=request.user, case=case)
    return render(request, "cases/case_print.html", {
        "case": case, "person": case.person, "rows": _followup_rows(page["followups"]), "now": timezone.now(),
        "parts_visible": page["parts_visible"], "contacts": contacts,
        "age": person_age(case.person),
        "crumbs": [(_("我的个案"), reverse("cases:my_cases")), (case.number, _case_url(case.pk))],
    })


@case_page
@require_POST
def case_print_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    """Tool 5 with the client's and the emergency contact's full phone numbers, after a written reason (audited).

    Only for this response: the page is never cached, and nothing of the numbers is stored. A missing reason
    prints nothing and shows the form again with the error.
    """
    case = selectors.access_case(actor=request.user, id=pk)
    form = PrintContactsForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        # The service checks the permission before the reason: a refused print is a 403, never a form error.
        contacts = services.case_print_contacts(actor=request.user, case_id=case.pk, reason=reason)
    except ValidationError as error:
        if not form.errors:
            apply_service_errors(form, error)
        return render(request, "cases/case_print_contacts.html", {
            "case": case, "form": form,
            "crumbs": [(_("我的个案"), reverse("cases:my_cases")), (case.number, _case_url(case.pk))],
        }, status=400)
    return _render_print(request, case, contacts=contacts)


@case_page
@require_GET
def case_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Tool 5 as an xlsx workbook (masked, formula-safe)."""
    from sanshe.core.audit import audit_record

    from .export import case_workbook

    case = selectors.access_case(actor=request.user, id=pk)
    page = selectors.case_page(actor=request.user, case=case)
    audit_record(actor=request.user, action="case.export", obj=case)
    response = HttpResponse(case_workbook(case, _followup_rows(page["followups"]), parts=page["parts_visible"]),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="case-{case.number}.xlsx"'
    return response
