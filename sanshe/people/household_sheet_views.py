"""Household sheet pages: upload a household sheet, watch it being checked, see the preview, import; export people to Excel."""

from __future__ import annotations

import io
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sanshe.accounts.policies import scope_for
from sanshe.core.pages import apply_service_errors, capability_required, int_param

from . import household_sheet_selectors, household_sheet_services
from .household_sheet_forms import (
    HouseholdSheetExportForm,
    HouseholdSheetImportForm,
    HouseholdSheetUploadForm,
)
from .household_sheet_xlsx import write_errors, write_template
from .models import ImportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_SHOWN = 100
STALLED_AFTER = timedelta(minutes=10)


def _xlsx_response(handle, file_name: str) -> FileResponse:
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=file_name, content_type=XLSX)


@capability_required("people.import")
@require_http_methods(["GET", "POST"])
def household_sheet_import(request: HttpRequest) -> HttpResponse:
    """Choose the community and the household sheet file; the check starts at once and the job page shows it."""
    communities = household_sheet_selectors.import_communities(actor=request.user)
    first = communities.first()
    form = HouseholdSheetUploadForm(request.POST or None, request.FILES or None, communities=communities,
                            initial={"community": first.pk if first else None})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = household_sheet_services.household_sheet_job_create(
                actor=request.user, community_id=form.cleaned_data["community"].pk, upload=upload,
                file_name=upload.name)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("people:household_sheet_job", job_id=job.pk)
    return render(request, "people/household_sheet_import.html", {
        "form": form, "has_communities": first is not None,
        "jobs": household_sheet_selectors.import_job_list(actor=request.user),
        "can_export": scope_for(request.user).can("people.export"),
    })


@capability_required("people.import")
def household_sheet_template(request: HttpRequest) -> FileResponse:
    """The import template: headers, one example row, and an instructions sheet."""
    handle = io.BytesIO()
    write_template(handle)
    return _xlsx_response(handle, _("人员名册导入模板.xlsx"))


def _job_context(job) -> dict:
    errors = job.errors or []
    return {
        # A job that has not moved for this long has lost its worker (or none is running).
        "stalled": job.is_running and timezone.now() - job.updated_at > STALLED_AFTER,
        "job": job,
        "progress": household_sheet_selectors.import_progress(job),
        "errors_shown": errors[:ERRORS_SHOWN],
        "errors_more": max(job.error_count - min(len(errors), ERRORS_SHOWN), 0),
        "file_errors": [e for e in errors if e.get("row") is None],
        "new": (job.summary or {}).get("new", {}),
        "created": (job.summary or {}).get("created", {}),
        "ignored_columns": (job.summary or {}).get("ignored_columns", []),
        "can_import": job.status == ImportStatus.VALIDATED and job.valid_rows > 0,
        "can_all_or_nothing": job.status == ImportStatus.VALIDATED and job.valid_rows > 0 and not job.error_count,
    }


@capability_required("people.import")
def household_sheet_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """One uploaded household sheet: progress while it is checked or imported, then the preview or the result."""
    job = household_sheet_selectors.access_import_job(actor=request.user, job_id=job_id)
    return render(request, "people/household_sheet_job.html", _job_context(job))


@capability_required("people.import")
def household_sheet_job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The part of the job page that htmx refreshes every second while the job runs."""
    job = household_sheet_selectors.access_import_job(actor=request.user, job_id=job_id)
    return render(request, "people/_household_sheet_job_status.html", _job_context(job))


@capability_required("people.import")
@require_POST
def household_sheet_job_start(request: HttpRequest, job_id: int) -> HttpResponse:
    """Import the checked household sheet: the valid rows only, or all-or-nothing."""
    job = household_sheet_selectors.access_import_job(actor=request.user, job_id=job_id)
    form = HouseholdSheetImportForm(request.POST)
    if form.is_valid():
        try:
            household_sheet_services.household_sheet_import_start(actor=request.user, job=job, mode=form.cleaned_data["mode"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    else:
        messages.error(request, _("请选择导入方式"))
    return redirect("people:household_sheet_job", job_id=job.pk)


@capability_required("people.import")
@require_POST
def household_sheet_job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    """Give up on a checked household sheet; the file is deleted."""
    job = household_sheet_selectors.access_import_job(actor=request.user, job_id=job_id)
    try:
        household_sheet_services.household_sheet_job_cancel(actor=request.user, job=job)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("people:household_sheet_job", job_id=job.pk)
    messages.success(request, _("已取消导入，上传的文件已删除。"))
    return redirect("people:household_sheet_import")


@capability_required("people.import")
def household_sheet_job_errors(request: HttpRequest, job_id: int) -> FileResponse:
    """The job's problem list as a workbook (row, column, reason), to fix the original file."""
    job = household_sheet_selectors.access_import_job(actor=request.user, job_id=job_id)
    handle = io.BytesIO()
    write_errors(handle, job.errors or [], file_name=job.file_name)
    return _xlsx_response(handle, _("名册问题清单-%(id)s.xlsx") % {"id": job.pk})


@capability_required("people.export")
@require_http_methods(["GET", "POST"])
def household_sheet_export(request: HttpRequest) -> HttpResponse:
    """Choose whom to export (and, for organisation admins, whether unmasked, with a reason); get an .xlsx."""
    actor = request.user
    scope = scope_for(actor)
    can_unmask = scope.can("people.export_unmasked")
    data = request.POST if request.method == "POST" else None
    chosen = request.POST if request.method == "POST" else request.GET
    community_id = int_param(chosen.get("community"))
    compound_id = int_param(chosen.get("compound"))
    building_id = int_param(chosen.get("building"))
    compounds = household_sheet_selectors.export_compounds(actor=actor, community_id=community_id)
    if compound_id and not compounds.filter(pk=compound_id).exists():
        compound_id = None  # the community changed: start the compound over
    buildings = household_sheet_selectors.export_buildings(actor=actor, community_id=community_id, compound_id=compound_id)
    if building_id and not buildings.filter(pk=building_id).exists():
        building_id = None
    form = HouseholdSheetExportForm(
        data, initial={"community": community_id, "compound": compound_id, "building": building_id},
        communities=household_sheet_selectors.export_communities(actor=actor), compounds=compounds, buildings=buildings,
        can_unmask=can_unmask)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            export = household_sheet_services.household_sheet_export(
                actor=actor,
                community_id=cleaned["community"].pk if cleaned.get("community") else None,
                compound_id=cleaned["compound"].pk if cleaned.get("compound") else None,
                building_id=cleaned["building"].pk if cleaned.get("building") else None,
                category=cleaned.get("category") or "",
                unmasked=bool(cleaned.get("unmasked")), reason=cleaned.get("reason") or "")
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return FileResponse(export.file, as_attachment=True, filename=export.file_name, content_type=XLSX)
    template = "people/_household_sheet_export_form.html" if request.headers.get("HX-Request") else "people/household_sheet_export.html"
    return render(request, template, {
        "form": form, "can_unmask": can_unmask, "export_url": reverse("people:household_sheet_export"),
        "crumbs": [(_("人员"), _reverse_or_empty("people:person_list")), (_("导出名册"), "")],
    })


def _reverse_or_empty(name: str) -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
