"""Pages of the record tools, "record this" requests, referrals out, the daily summary and the handover."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanshe.core.errors import ActionForbidden
from sanshe.core.gate import page
from sanshe.core.pages import apply_service_errors, int_param

from . import exports, selectors, services
from .forms import (
    RecordForm,
    ReferralOutAdvanceForm,
    ReferralOutForm,
    SummaryRowForm,
    masked_values,
    record_initial,
)
from .models import RecordKind
from .policies import could_use_records, records_scope
from .summary import BASIC_INFO_NOTE, COLUMNS, DOMAIN_HIDDEN, editable_fields

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Anonymous → login; a user with no records anywhere (community worker, resident) → 403; a volunteer between
# groups opening someone's record: not theirs to know about (404, not 403).
records_page = page("records.use", not_found_for=could_use_records)


def _xlsx(handle, name: str) -> FileResponse:
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# ----------------------------------------------------------------------------------------------- records

@records_page
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    """服务记录: the records the user may read, newest first, with what they can start."""
    group_id = int_param(request.GET.get("group"))
    day = _day(request.GET.get("day"))
    kind = request.GET.get("kind", "")
    kind = kind if kind in RecordKind.values else ""
    scope = records_scope(request.user)
    return render(request, "records/record_list.html", {
        "records": selectors.record_list(actor=request.user, group_id=group_id, day=day, kind=kind),
        "groups": selectors.record_groups(actor=request.user), "group_id": group_id, "day": day, "kind": kind,
        "kinds": RecordKind.choices, "writable": [(k, RecordKind(k).label) for k in RecordKind.values
                                                  if k in scope.writable_kinds()],
        "requests_open": len(selectors.open_record_requests(actor=request.user)),
        "is_social_worker": bool(scope.sw_communities),
    })


def _record_form_context(request, form, *, kind, record=None, group=None, person=None, case=None, clients=()):
    return {"form": form, "kind": kind, "kind_label": RecordKind(kind).label, "record": record, "group": group,
            "person": person, "case": case, "clients": clients, "tool": {"consultation": 3, "social_work": 4,
                                                                             "medical": 6, "psychological": 7}[kind]}


@records_page
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    """Start a tool 3/4/6/7 record: choose the group (and the client), then fill in the form."""
    if kind not in RecordKind.values:
        raise Http404()
    scope = records_scope(request.user)
    if kind not in scope.writable_kinds():
        raise ActionForbidden(kind)
    group_id = int_param(request.POST.get("group") or request.GET.get("group"))
    person_id = int_param(request.POST.get("person") or request.GET.get("person"))
    case_id = int_param(request.POST.get("case") or request.GET.get("case"))
    groups = [g for g in selectors.record_groups(actor=request.user)
              if scope.can_write(kind, group_id=g.pk, community_id=g.community_id)]
    group = next((g for g in groups if g.pk == group_id), None)
    if group_id and group is None:
        raise Http404()
    if group is None and not case_id:
        if len(groups) == 1:
            group = groups[0]
        else:
            return render(request, "records/record_pick_group.html",
                          {"groups": groups, "kind": kind, "kind_label": RecordKind(kind).label})
    case = None
    if case_id:
        from sanshe.cases.selectors import access_case

        case = access_case(actor=request.user, id=case_id)
        person_id = person_id or case.person_id
    clients = selectors.group_clients(group_id=group.pk) if group else []
    prefill = _prefill(request.user, kind, person_id, group, case) if person_id else {}
    masked = masked_values(prefill)
    form = RecordForm(request.POST or None, kind=kind, masked=masked)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_create(actor=request.user, kind=kind, group_id=group.pk if group else None,
                                            person_id=person_id, case_id=case_id, data=_only_filled(form))
            if request.POST.get("action") == "submit":
                services.record_submit(actor=request.user, record_id=record.pk)
                messages.success(request, _("记录已提交。"))
                return redirect("records:record_detail", record.pk)
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"consultation_points": "q_0", "service_points": "p_0"})
        else:
            messages.success(request, _("草稿已保存。"))
            return redirect("records:record_edit", record.pk)
    elif request.method == "GET" and prefill:
        # Show what will be prefilled from the person and the case (the service applies it on save).
        form = RecordForm(kind=kind, initial={**prefill, **{k: v for k, v in masked.items() if v}}, masked=masked)
    person = next((c for c in clients if c.pk == person_id), None) or (case.person if case else None)
    return render(request, "records/record_form.html", _record_form_context(
        request, form, kind=kind, group=group, person=person, case=case, clients=clients))


def _only_filled(form: RecordForm) -> dict:
    """On create, leave out blank fields so the person's and the case's prefill is not overwritten by nothing."""
    return {k: v for k, v in form.service_data().items() if v not in ("", None, [])}


def _prefill(actor, kind, person_id, group, case) -> dict:
    try:
        person = services._client_person(actor, person_id=person_id,
                                         community_id=group.community_id if group else case.community_id,
                                         group_id=group.pk if group else None)
    except (ValidationError, AttributeError):
        return {}
    initial = services.person_prefill(person, on=timezone.localdate())
    if case is not None and kind == RecordKind.SOCIAL_WORK:
        initial.update(services.case_prefill(case))
    return initial


@records_page
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.access_record(actor=request.user, id=pk)
    if record.author_id != request.user.pk or not record.is_draft:
        return redirect("records:record_detail", record.pk)
    form = RecordForm(request.POST or None, kind=record.kind, points=len(record.points),
                      service_points=len(record.service_point_list), initial=record_initial(record),
                      masked=masked_values({k: getattr(record, k) for k in ("client_phone", "client_address",
                                                                            "emergency_contact_phone")}))
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "submit":
                services.record_submit(actor=request.user, record_id=record.pk, data=form.service_data())
                messages.success(request, _("记录已提交。"))
                return redirect("records:record_detail", record.pk)
            services.record_update(actor=request.user, record_id=record.pk, data=form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"consultation_points": "q_0", "service_points": "p_0"})
        else:
            messages.success(request, _("草稿已保存。"))
            return redirect("records:record_edit", record.pk)
    return render(request, "records/record_form.html", _record_form_context(
        request, form, kind=record.kind, record=record, group=record.group, person=record.person, case=record.case))


@records_page
@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The record in the guide's layout (prints on A4)."""
    record = selectors.access_record(actor=request.user, id=pk)
    if record.author_id != request.user.pk and record.domain in ("medical", "psychological"):
        services.record_read_audit(actor=request.user, record=record)
    scope = records_scope(request.user)
    return render(request, "records/record_detail.html", {
        "record": record, "sections": exports.record_values(record), "images": list(record.images.all()),
        "can_edit": record.author_id == request.user.pk and record.is_draft,
        "can_refer": record.person_id is not None and record.community_id in scope.sw_communities})


def _image_response(image) -> FileResponse:
    response = FileResponse(image.file.open("rb"), content_type=image.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@records_page
@require_GET
def record_image(request: HttpRequest, pk: int, image_id: int) -> HttpResponse:
    return _image_response(selectors.record_image(actor=request.user, record_id=pk, image_id=image_id))


@records_page
@require_GET
def summary_image(request: HttpRequest, pk: int, image_id: int) -> HttpResponse:
    return _image_response(selectors.summary_image(actor=request.user, summary_id=pk, image_id=image_id))


@records_page
@require_POST
def record_images(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach WeChat screenshots to one's own tool-3 draft."""
    selectors.access_record(actor=request.user, id=pk)  # out of scope: 404 before anything is said about it
    files = request.FILES.getlist("screenshots")
    if not files:
        messages.error(request, _("请选择要上传的截图。"))
        return redirect("records:record_edit", pk)
    try:
        added = services.record_images_add(actor=request.user, record_id=pk,
                                           uploads=[(f.read(), f.name) for f in files[:12]])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已上传%(n)d张截图。") % {"n": added})
    return redirect("records:record_edit", pk)


@records_page
@require_GET
def record_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.access_record(actor=request.user, id=pk)
    services.record_export_audit(actor=request.user, obj=record, what="record")
    return _xlsx(exports.write_record(record), f"{record.number}.xlsx")


# ------------------------------------------------------------------------------------ "record this" requests

@records_page
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """待记录咨询: the "record this" requests of the secretary's groups, oldest first."""
    return render(request, "records/request_list.html",
                  {"requests": selectors.open_record_requests(actor=request.user)})


@records_page
@require_POST
def request_record(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        record = services.consultation_from_request(actor=request.user, request_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("records:request_list")
    messages.success(request, _("已根据引用的消息生成咨询记录草稿，请补全后提交。"))
    return redirect("records:record_edit", record.pk)


@records_page
@require_POST
def request_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.record_request_dismiss(actor=request.user, request_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("records:request_list")


# ---------------------------------------------------------------------------------------------- summaries

@records_page
@require_GET
def summary_index(request: HttpRequest) -> HttpResponse:
    """每日工作记录汇总: the summaries the user may see, and a day to open per group."""
    scope = records_scope(request.user)
    groups = [g for g in selectors.record_groups(actor=request.user)
              if g.pk in scope.group_community or g.community_id in scope.sw_communities]
    picked_group, picked_day = int_param(request.GET.get("g")), _day(request.GET.get("d"))
    if picked_group and picked_day and any(g.pk == picked_group for g in groups):
        return redirect("records:summary_detail", picked_group, picked_day.isoformat())
    return render(request, "records/summary_index.html", {
        "summaries": selectors.summary_list(actor=request.user), "groups": groups, "today": timezone.localdate()})


def _summary_context(request, group, day, summary_obj):
    scope = records_scope(request.user)
    domains = scope.summary_domains(group.pk, group.community_id)
    rows = []
    if summary_obj is not None:
        for row in summary_obj.rows.all():
            cells = []
            for column, value in zip(COLUMNS, exports.summary_cells(summary_obj, row, domains), strict=True):
                cells.append({"label": column.label, "value": value, "hidden": column.domain not in domains,
                              "field": column.field})
            rows.append({"row": row, "cells": cells, "images": list(row.screenshots.all())})
    return {"group": group, "day": day, "summary": summary_obj, "rows": rows, "columns": COLUMNS,
            "can_run": scope.can_run_summary(group.pk, group.community_id),
            "can_edit": bool(editable_fields(domains)) and (summary_obj is None or not summary_obj.is_final),
            "record_count": selectors.day_record_count(group_id=group.pk, day=day),
            "basic_info_note": BASIC_INFO_NOTE, "hidden_note": DOMAIN_HIDDEN}


@records_page
@require_http_methods(["GET", "POST"])
def summary_detail(request: HttpRequest, group_id: int, day: str) -> HttpResponse:
    """Tool 8 for one group and day: compile it, look at it (A4 landscape print), edit rows, finalise."""
    the_day = _day(day)
    if the_day is None:
        raise Http404()
    group = selectors.access_summary_group(actor=request.user, group_id=group_id)
    if request.method == "POST":
        try:
            services.summary_compile(actor=request.user, group_id=group.pk, day=the_day)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已汇总当天已提交的服务记录。"))
        return redirect("records:summary_detail", group.pk, the_day.isoformat())
    summary_obj = selectors.summary_get(actor=request.user, group_id=group.pk, day=the_day)
    return render(request, "records/summary_detail.html", _summary_context(request, group, the_day, summary_obj))


@records_page
@require_http_methods(["GET", "POST"])
def summary_row_edit(request: HttpRequest, pk: int, row_id: int) -> HttpResponse:
    summary_obj = selectors.access_summary(actor=request.user, id=pk)
    row = next((r for r in summary_obj.rows.all() if r.pk == row_id), None)
    if row is None:
        raise Http404()
    domains = records_scope(request.user).summary_domains(summary_obj.group_id, summary_obj.community_id)
    fields = editable_fields(domains)
    if not fields:
        raise ActionForbidden("summary.edit")
    initial = {f: getattr(row, f) for f in fields}
    if "confirmed" in initial:
        initial["confirmed"] = {True: "yes", False: "no"}.get(row.confirmed, "")
    form = SummaryRowForm(request.POST or None, fields=fields, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.summary_row_update(actor=request.user, row_id=row.pk, data=form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("records:summary_detail", summary_obj.group_id, summary_obj.day.isoformat())
    return render(request, "records/summary_row_form.html",
                  {"summary": summary_obj, "row": row, "form": form, "basic_info_note": BASIC_INFO_NOTE})


@records_page
@require_POST
def summary_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    summary_obj = selectors.access_summary(actor=request.user, id=pk)
    try:
        services.summary_finalise(actor=request.user, summary_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("汇总表已定稿。"))
    return redirect("records:summary_detail", summary_obj.group_id, summary_obj.day.isoformat())


@records_page
@require_GET
def summary_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    summary_obj = selectors.access_summary(actor=request.user, id=pk)
    domains = records_scope(request.user).summary_domains(summary_obj.group_id, summary_obj.community_id)
    services.record_export_audit(actor=request.user, obj=summary_obj, what="summary")
    return _xlsx(exports.write_summary(summary_obj, domains), f"每日工作记录汇总表-{summary_obj.day:%Y%m%d}.xlsx")


@records_page
@require_GET
def handover(request: HttpRequest, group_id: int, day: str) -> HttpResponse:
    """工作交接: today's clients of the group for the next shift, with the roster's own handover notes linked."""
    the_day = _day(day)
    if the_day is None:
        raise Http404()
    group = selectors.access_summary_group(actor=request.user, group_id=group_id)
    return render(request, "records/handover.html", {
        "group": group, "day": the_day, "clients": selectors.handover_list(actor=request.user, group_id=group.pk,
                                                                           day=the_day),
        "notes": selectors.handover_notes(group_id=group.pk, day=the_day),
        "next_shift": selectors.next_shift(group_id=group.pk, after=timezone.now())})


# ------------------------------------------------------------------------------------------- referral out

def _require_social_worker(request) -> None:
    if not records_scope(request.user).sw_communities:
        raise ActionForbidden("records.referral_out")


@records_page
@require_GET
def referral_out_list(request: HttpRequest) -> HttpResponse:
    _require_social_worker(request)
    open_only = request.GET.get("all") != "1"
    return render(request, "records/referral_out_list.html", {
        "referrals": selectors.referral_out_list(actor=request.user, open_only=open_only), "open_only": open_only})


@records_page
@require_http_methods(["GET", "POST"])
def referral_out_create(request: HttpRequest) -> HttpResponse:
    _require_social_worker(request)
    person_id = int_param(request.POST.get("person") or request.GET.get("person"))
    case_id = int_param(request.POST.get("case") or request.GET.get("case"))
    record_id = int_param(request.POST.get("record") or request.GET.get("record"))
    case = None
    if case_id:
        from sanshe.cases.selectors import access_case

        case = access_case(actor=request.user, id=case_id)
        person_id = case.person_id
    if not person_id:
        return render(request, "records/referral_out_bad.html", status=400)
    from sanshe.people.models import Person

    person = Person.objects.filter(pk=person_id, community_id__in=records_scope(request.user).sw_communities).first()
    if person is None:
        raise Http404()
    form = ReferralOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_out_create(actor=request.user, person_id=person.pk, case_id=case_id,
                                                    record_id=record_id, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("服务转介已发出，请在对方确认后更新状态。"))
            return redirect("records:referral_out_detail", referral.pk)
    return render(request, "records/referral_out_form.html",
                  {"form": form, "person": person, "case": case, "record_id": record_id})


@records_page
@require_http_methods(["GET", "POST"])
def referral_out_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.access_referral_out(actor=request.user, id=pk)
    form = ReferralOutAdvanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_out_advance(actor=request.user, referral_id=referral.pk, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("转介进展已更新。"))
            return redirect("records:referral_out_detail", referral.pk)
    return render(request, "records/referral_out_detail.html", {
        "referral": referral, "form": form, "next": services.NEXT_STATUSES.get(referral.status, ())})


def reverse_summary(group_id: int, day: date) -> str:
    return reverse("records:summary_detail", args=[group_id, day.isoformat()])
