"""Roster pages: my shifts, group rosters and templates, shift detail, coverage board, hours, calendar feed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanshe.accounts.models import Organisation
from sanshe.accounts.policies import scope_for
from sanshe.core.errors import ObjectNotFound
from sanshe.core.gate import page
from sanshe.core.pages import apply_service_errors
from sanshe.core.redirects import safe_next
from sanshe.groups.models import DutyKind

from . import ical, selectors, services
from .forms import (
    CorrectionForm,
    GenerateForm,
    GroupRosterForm,
    ManualHoursForm,
    PolicyForm,
    ReasonForm,
    ShiftEditForm,
    SlotFormSet,
    TemplateForm,
)
from .models import RosterPolicy, ShiftStatus, ShiftTemplate
from .policies import (
    can_override_rest,
    is_hours_manager,
    is_roster_manager,
)
from .services import SlotInput


def _done(request: HttpRequest, message: str, default: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(safe_next(request, safe_next(request, "/", value=default)))


def _fail(request: HttpRequest, error: ValidationError, default: str) -> HttpResponse:
    for text in error.messages:
        messages.error(request, text)
    return redirect(safe_next(request, safe_next(request, "/", value=default)))


# ------------------------------------------------------------------------------------------ volunteer


@page("rosters.view")
def my_shifts(request: HttpRequest) -> HttpResponse:
    """我的班次: the next shift with the handover first, check-in/out, open places to claim, offers, notices."""
    now = timezone.now()
    response = render(request, "rosters/my_shifts.html", {
        "shifts": selectors.my_shifts(user=request.user, now=now),
        "places": selectors.claim_list(user=request.user, now=now),
        "offers": services.open_offers_for(request.user, now=now),
        "notices": selectors.notices(user=request.user),
        "unread": selectors.unread_notice_count(user=request.user),
        "is_manager": is_roster_manager(request.user),
    })
    services.notices_mark_read(actor=request.user)
    return response


@require_POST
@page("rosters.view")
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    back = reverse("rosters:my_shifts")
    try:
        services.shift_claim(actor=request.user, need_id=pk)
    except ValidationError as error:
        return _fail(request, error, back)
    return _done(request, _("认领成功，开班前会提醒您"), back)


@require_POST
@page("rosters.view")
def assignment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    back = reverse("rosters:my_shifts")
    actor = request.user
    try:
        if action == "checkin":
            services.assignment_check_in(actor=actor, assignment_id=pk)
            text = _("已签到，值班期间您可以在群里发言")
        elif action == "checkout":
            record = services.assignment_check_out(actor=actor, assignment_id=pk)
            text = _("已签退，本次记录服务时长%(h)s小时。请记得写交接。") % {"h": record.hours}
        elif action == "drop":
            result = services.assignment_drop(actor=actor, assignment_id=pk, reason=request.POST.get("reason", ""))
            text = _("已退班") if result.dropped else _("退班申请已提交，等待群秘书同意")
        elif action == "offer":
            services.offer_create(actor=actor, assignment_id=pk, note=request.POST.get("reason", ""))
            text = _("已发给可接班的同事，有人接班后会通知您")
        elif action == "remove":
            services.assignment_remove(actor=actor, assignment_id=pk)
            text = _("已调离")
        elif action == "noshow":
            services.assignment_mark_no_show(actor=actor, assignment_id=pk)
            text = _("已标记缺勤")
        elif action == "move":
            moved = services.assignment_move(actor=actor, assignment_id=pk, need_id=int(request.POST.get("need") or 0))
            text = _("已调到%(when)s的班次") % {"when": f"{timezone.localtime(moved.shift.starts_at):%m-%d %H:%M}"}
        else:
            raise ObjectNotFound()
    except ValidationError as error:
        return _fail(request, error, back)
    return _done(request, text, back)


@require_POST
@page("rosters.view")
def offer_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    back = reverse("rosters:my_shifts")
    try:
        if action == "take":
            services.offer_take(actor=request.user, offer_id=pk)
            text = _("已接班")
        elif action == "withdraw":
            services.offer_withdraw(actor=request.user, offer_id=pk)
            text = _("已撤回转让")
        else:
            raise ObjectNotFound()
    except ValidationError as error:
        return _fail(request, error, back)
    return _done(request, text, back)


@page("rosters.view")
def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One shift: the handover of the previous shift first, places and people, the secretary's tools."""
    shift = selectors.access_shift(actor=request.user, id=pk)
    can_manage = selectors.Shift.objects.for_actor(request.user, "manage").filter(pk=pk).exists()
    now = timezone.now()
    if request.method == "POST" and request.POST.get("action") == "handover":
        try:
            services.handover_write(actor=request.user, shift_id=pk, body=request.POST.get("body", ""))
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("交接已保存，下一班上岗前会看到"))
            return redirect("rosters:shift_detail", pk=pk)
    needs = list(shift.needs.all())
    if can_manage and shift.status == ShiftStatus.OPEN and shift.starts_at > now:
        for need in needs:
            need.candidates = selectors.assignable_users(need=need, now=now) if need.gap else []
            need.blocked = selectors.blocked_candidates(need=need, now=now) if need.gap else []
            need.overridable = [c for c in need.blocked if c.rest_only]
    assignments = list(shift.assignments.all())
    mine = [a for a in assignments if a.user_id == request.user.pk and a.status == "active"]
    if can_manage and shift.status == ShiftStatus.OPEN and shift.starts_at > now:
        targets = selectors.move_targets(actor=request.user, shift=shift, now=now)
        for assignment in assignments:
            assignment.move_targets = targets.get(assignment.kind, []) if assignment.status == "active" else []
    return render(request, "rosters/shift_detail.html", {
        "shift": shift, "needs": needs, "assignments": assignments, "can_manage": can_manage,
        "handover": selectors.handover_for(shift), "own_notes": shift.handover_notes.select_related("author"),
        "drops": selectors.pending_drops(shift=shift) if can_manage else [], "mine": mine,
        "started": shift.starts_at <= now, "now": now, "can_override": can_override_rest(request.user),
        "crumbs": [(shift.group.name, reverse("rosters:group_roster", args=[shift.group_id]))] if can_manage else [],
    })


# ------------------------------------------------------------------------------------------ secretary


@require_POST
@page("rosters.manage")
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.ShiftNeed.objects.for_actor(request.user, "manage").filter(pk=pk).first()
    if need is None:
        raise ObjectNotFound()
    back = reverse("rosters:shift_detail", args=[need.shift_id])
    try:
        override = request.POST.get("override") == "1"
        reason = request.POST.get("reason", "").strip()
        if override and not reason:
            raise ValidationError(_("破例安排须填写原因（例如：夜班无人可排，已征得本人同意）"))
        services.shift_assign(actor=request.user, need_id=pk, user_id=int(request.POST.get("user") or 0),
                              override_reason=reason if override else "")
    except ValidationError as error:
        return _fail(request, error, back)
    return _done(request, _("已破例安排，已记录原因") if override else _("已安排"), back)


@require_POST
@page("rosters.manage")
def help_call(request: HttpRequest, pk: int) -> HttpResponse:
    back = reverse("rosters:coverage")
    try:
        call = services.help_call(actor=request.user, need_id=pk)
    except ValidationError as error:
        return _fail(request, error, back)
    return _done(request, _("已向%(n)d位可上岗的志愿者发出求助") % {"n": call.recipients}, back)


@require_POST
@page("rosters.manage")
def drop_decide(request: HttpRequest, pk: int) -> HttpResponse:
    back = request.POST.get("next") or reverse("rosters:my_shifts")
    try:
        services.drop_decide(actor=request.user, request_id=pk, approve=request.POST.get("approve") == "1")
    except ValidationError as error:
        return _fail(request, error, back)
    return _done(request, _("已处理退班申请"), back)


@page("rosters.manage")
def shift_edit(request: HttpRequest, pk: int) -> HttpResponse:
    shift = selectors.access_shift(actor=request.user, id=pk, action="manage")
    start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    initial = {"start": start.hour * 60 + start.minute,
               "end": (end.hour * 60 + end.minute) or 24 * 60, "note": shift.note, "scope": "one"}
    initial.update({f"need_{n.kind}": n.needed for n in shift.needs.all()})
    form = ShiftEditForm(request.POST or None, initial=initial)
    cancel_form = ReasonForm(prefix="cancel")
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            services.shift_cancel(actor=request.user, shift_id=pk, reason=request.POST.get("cancel-reason", ""))
        except ValidationError as error:
            cancel_form = ReasonForm(request.POST, prefix="cancel")
            cancel_form.is_valid()
            apply_service_errors(cancel_form, error)
        else:
            messages.success(request, _("班次已取消，值班人员已收到通知"))
            return redirect("rosters:group_roster", pk=shift.group_id)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            n = services.shift_update(actor=request.user, shift_id=pk, start_minute=data["start"],
                                      end_minute=data["end"], needs=form.needs(), note=data["note"],
                                      and_later=data["scope"] == "later")
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"needs": None})
        else:
            messages.success(request, _("已修改%(n)d个班次") % {"n": n})
            return redirect("rosters:shift_detail", pk=pk)
    return render(request, "rosters/shift_edit.html", {"shift": shift, "form": form, "cancel_form": cancel_form,
                                                       "in_series": bool(shift.slot_id)})


@page("rosters.manage")
def group_list(request: HttpRequest) -> HttpResponse:
    return render(request, "rosters/group_list.html", {"groups": selectors.managed_groups(actor=request.user)})


@page("rosters.manage")
def group_roster(request: HttpRequest, pk: int) -> HttpResponse:
    """A group's roster for the coming days, its templates and its claim window."""
    group = selectors.access_managed_group(actor=request.user, id=pk)
    today = timezone.localdate()
    days = 7 if request.GET.get("days") != "14" else 14
    settings_form = GroupRosterForm(request.POST or None, initial={
        "claim_window_days": services.claim_window_days(group.pk)})
    if request.method == "POST" and settings_form.is_valid():
        try:
            services.group_roster_update(actor=request.user, group_id=pk, **settings_form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(settings_form, error)
        else:
            messages.success(request, _("已保存"))
            return redirect("rosters:group_roster", pk=pk)
    return render(request, "rosters/group_roster.html", {
        "group": group, "days": selectors.shifts_by_day(group=group, start=today, days=days), "span": days,
        "templates": selectors.templates_of(group), "settings_form": settings_form,
        "generate_form": GenerateForm(initial={"date_from": today, "date_to": today + timedelta(days=13)}),
        "crumbs": [(_("排班"), reverse("rosters:group_list"))],
    })


def _slot_initial(template: ShiftTemplate | None) -> list[dict]:
    if template is None:
        return [{"start": 8 * 60, "end": 12 * 60, "weekdays": list(range(7)), f"need_{DutyKind.MEDICAL}": 1,
                 f"need_{DutyKind.PSYCHOLOGICAL}": 1, f"need_{DutyKind.SECRETARY}": 1},
                {"start": 14 * 60, "end": 18 * 60, "weekdays": list(range(7)), f"need_{DutyKind.MEDICAL}": 1,
                 f"need_{DutyKind.PSYCHOLOGICAL}": 1, f"need_{DutyKind.SECRETARY}": 1},
                {"start": 19 * 60, "end": 22 * 60, "weekdays": list(range(7)), f"need_{DutyKind.PSYCHOLOGICAL}": 1,
                 f"need_{DutyKind.SECRETARY}": 1}]
    return [{"start": s.start_minute, "end": s.end_minute, "weekdays": s.weekdays,
             **{f"need_{k}": v for k, v in s.needs().items()}} for s in template.slots.all()]


@page("rosters.manage")
def template_edit(request: HttpRequest, group_pk: int, pk: int | None = None) -> HttpResponse:
    """Time slots per day and how many of each kind every slot needs; rows left empty are ignored."""
    group = selectors.access_managed_group(actor=request.user, id=group_pk)
    template = None
    if pk is not None:
        template = ShiftTemplate.objects.filter(pk=pk, group=group).prefetch_related("slots").first()
        if template is None:
            raise ObjectNotFound()
    initial = _slot_initial(template)
    form = TemplateForm(request.POST or None, initial={"name": template.name} if template else None)
    formset = SlotFormSet(request.POST or None, initial=initial + [{} for _ in range(2)], prefix="slot")
    slot_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        slots = [SlotInput(f.cleaned_data["start"], f.cleaned_data["end"], tuple(f.cleaned_data["weekdays"]),
                           f.needs()) for f in formset.forms if f.cleaned_data.get("used")]
        try:
            saved = services.template_save(actor=request.user, group_id=group.pk, name=form.cleaned_data["name"],
                                           slots=slots, template_id=pk)
        except ValidationError as error:
            slot_errors = error.message_dict.get("slots", [])
            apply_service_errors(form, ValidationError({k: v for k, v in error.message_dict.items() if k != "slots"})
                                 if set(error.message_dict) - {"slots"} else ValidationError({}))
        else:
            messages.success(request, _("模板已保存，可以生成班次了"))
            return redirect(reverse("rosters:group_roster", args=[group.pk]) + f"#template-{saved.pk}")
    return render(request, "rosters/template_form.html", {
        "group": group, "template": template, "form": form, "formset": formset, "slot_errors": slot_errors,
        "crumbs": [(_("排班"), reverse("rosters:group_list")),
                   (group.name, reverse("rosters:group_roster", args=[group.pk]))],
    })


@require_POST
@page("rosters.manage")
def template_generate(request: HttpRequest, pk: int) -> HttpResponse:
    template = ShiftTemplate.objects.for_actor(request.user, "manage").filter(pk=pk).first()
    if template is None:
        raise ObjectNotFound()
    back = reverse("rosters:group_roster", args=[template.group_id])
    form = GenerateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect(back)
    try:
        n = services.shifts_generate(actor=request.user, template_id=pk, **form.cleaned_data)
    except ValidationError as error:
        return _fail(request, error, back)
    return _done(request, _("已生成%(n)d个班次（已存在或已开始的时段会跳过）") % {"n": n}, back)


@page("rosters.manage")
def coverage(request: HttpRequest) -> HttpResponse:
    """Gaps in the next 24 hours and 7 days by group and kind; one tap sends a call for help."""
    hours = 24 if request.GET.get("span") != "7d" else 24 * 7
    rows, urgent = selectors.coverage(actor=request.user, now=timezone.now(), hours=hours)
    return render(request, "rosters/coverage.html", {
        "rows": rows, "urgent": urgent, "span": "7d" if hours > 24 else "24h",
        "kinds": [label for _value, label in DutyKind.choices],
    })


# ------------------------------------------------------------------------------------------ hours


def _hours_decimal_to_minutes(value: Decimal) -> int:
    return int((value * 60).to_integral_value())


@page("rosters.view")
def my_hours(request: HttpRequest) -> HttpResponse:
    records, totals, no_shows, certificates = selectors.my_hours(user=request.user)
    organisations = Organisation.objects.filter(pk__in=services.service_organisation_ids(request.user)).order_by("name")
    form = ManualHoursForm(request.POST if request.POST.get("action") == "add" else None, organisations=organisations)
    correction_form = CorrectionForm(request.POST if request.POST.get("action") == "correct" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add" and form.is_valid():
                services.hours_manual_add(actor=request.user, organisation_id=form.cleaned_data["organisation"].pk,
                                          service_date=form.cleaned_data["service_date"],
                                          minutes=_hours_decimal_to_minutes(form.cleaned_data["hours"]),
                                          content=form.cleaned_data["content"])
                messages.success(request, _("已提交补录，机构确认后计入时长"))
                return redirect("rosters:my_hours")
            if action == "correct" and correction_form.is_valid():
                services.hours_correction_request(
                    actor=request.user, record_id=int(request.POST.get("record") or 0),
                    minutes=_hours_decimal_to_minutes(correction_form.cleaned_data["hours"]),
                    reason=correction_form.cleaned_data["reason"])
                messages.success(request, _("更正申请已提交"))
                return redirect("rosters:my_hours")
            if action == "certificate":
                certificate = services.certificate_issue(actor=request.user,
                                                         organisation_id=int(request.POST.get("organisation") or 0))
                return redirect("rosters:certificate", pk=certificate.pk)
        except ValidationError as error:
            apply_service_errors(form if action == "add" else correction_form, error,
                                 aliases={"minutes": "hours" if action != "add" else "hours"})
    return render(request, "rosters/hours.html", {
        "records": records, "totals": totals, "no_shows": no_shows, "certificates": certificates, "form": form,
        "correction_form": correction_form, "is_hours_manager": is_hours_manager(request.user),
    })


@page("rosters.view")
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """志愿服务证明, printable on A4; the volunteer's own, or for the issuing organisation's admins."""
    scope = scope_for(request.user)
    cert = (selectors.HoursCertificate.objects.select_related("organisation")
            .filter(pk=pk).filter(selectors.Q(user=request.user)
                                  | selectors.Q(organisation_id__in=scope.organisation_ids_for("users.manage")))
            .first())
    if cert is None:
        raise ObjectNotFound()
    return render(request, "rosters/certificate.html", {"cert": cert})


@page("rosters.hours")
def hours_manage(request: HttpRequest) -> HttpResponse:
    """The organisation's desk: confirm manual and unclosed hours, decide corrections, lift no-show blocks."""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "record":
                services.hours_decide(actor=request.user, record_id=int(request.POST.get("id") or 0),
                                      approve=request.POST.get("approve") == "1", note=request.POST.get("note", ""))
            elif action == "correction":
                services.hours_correction_decide(actor=request.user, correction_id=int(request.POST.get("id") or 0),
                                                 accept=request.POST.get("approve") == "1",
                                                 note=request.POST.get("note", ""))
            elif action == "lift":
                services.no_show_lift(actor=request.user, user_id=int(request.POST.get("id") or 0),
                                      reason=request.POST.get("note", ""))
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("已处理"))
        return redirect("rosters:hours_manage")
    records, corrections = selectors.hours_to_decide(actor=request.user)
    scope = scope_for(request.user)
    return render(request, "rosters/hours_manage.html", {
        "records": records, "corrections": corrections, "blocked": selectors.blocked_volunteers(actor=request.user),
        "organisations": Organisation.objects.filter(pk__in=scope.organisation_ids).order_by("name"),
    })


@page("rosters.hours")
def hours_export(request: HttpRequest) -> HttpResponse:
    """Everyone's hours as .xlsx (names, no personal numbers; cells safe against formula injection)."""
    from openpyxl import Workbook

    from sanshe.core.audit import audit_record
    from sanshe.core.spreadsheets import safe_text

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("志愿服务时长"))
    sheet.append([_("姓名"), _("账号"), _("记录机构"), _("群"), _("服务日期"), _("开始"), _("结束"), _("时长（小时）"),
                  _("服务内容"), _("来源"), _("状态"), _("说明")])
    count = 0
    for r in selectors.hours_export_rows(actor=request.user).iterator(chunk_size=2000):
        sheet.append([safe_text(str(r.user)), safe_text(r.user.username), safe_text(r.organisation.name),
                      safe_text(r.group.name if r.group else ""), r.service_date,
                      timezone.localtime(r.started_at).strftime("%H:%M") if r.started_at else "",
                      timezone.localtime(r.ended_at).strftime("%H:%M") if r.ended_at else "",
                      r.hours, safe_text(r.content), str(r.get_source_display()), str(r.get_status_display()),
                      safe_text(r.note)])
        count += 1
    buffer = BytesIO()
    workbook.save(buffer)
    audit_record(actor=request.user, action="rosters.hours_export", detail={"rows": count})
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="volunteer-hours-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@page()
def policy_edit(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    org_ids = scope.organisation_ids_for("users.manage")
    if not org_ids:
        from sanshe.core.errors import ActionForbidden

        raise ActionForbidden("rosters.policy")
    organisation = Organisation.objects.filter(pk__in=org_ids).order_by("name").first()
    policy = RosterPolicy.objects.filter(organisation=organisation).first() or RosterPolicy(organisation=organisation)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(actor=request.user, organisation_id=organisation.pk,
                                   **{k: form.cleaned_data[k] for k in form.Meta.fields})
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("排班规则已保存"))
            return redirect("rosters:policy")
    return render(request, "rosters/policy_form.html", {"form": form, "organisation": organisation})


# ------------------------------------------------------------------------------------------ calendar


@page("rosters.view")
def calendar(request: HttpRequest) -> HttpResponse:
    """Create (or replace) and revoke the private iCal link."""
    link = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_revoke(actor=request.user)
            messages.success(request, _("订阅链接已作废，日历应用将不再更新"))
            return redirect("rosters:calendar")
        token = services.feed_create(actor=request.user)
        link = request.build_absolute_uri(reverse("rosters:ical", args=[token]))
    active = selectors.CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).first()
    return render(request, "rosters/calendar.html", {"link": link, "active": active})


@page(login=False, private=True)
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: no login (calendar apps cannot log in); the unguessable token is the key."""
    feed = selectors.feed_for_token(services.feed_token_hash(token)) if len(token) < 80 else None
    if feed is None:
        raise ObjectNotFound()
    now = timezone.now()
    selectors.CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    events = []
    for a in selectors.feed_shifts(user=feed.user, now=now):
        shift = a.shift
        events.append({
            "uid": f"sanshe-assignment-{a.pk}", "start": shift.starts_at, "end": shift.ends_at,
            "summary": f"{shift.group.name} · {DutyKind(a.kind).label}",
            "description": _("三社线上抗疫值班。请提前上线签到，结束后写交接。") + (f"\n{shift.note}" if shift.note else ""),
            "alarm_minutes": 60,
        })
    body = ical.calendar(name=_("我的值班（三社）"), events=events, now=now, host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sanshe-shifts.ics"'
    return response
