"""Household sheet import and export: upload, check (dry run), import in bulk, export to Excel.

Checking and importing take seconds for a big file, so they are not one `@transaction.atomic` each: the job's
status changes are committed first so the page can show them, and all the writes that matter (places, people,
the final job counts, the audit event) happen in one transaction at the end. Live progress goes to the cache
(shared between the web and task processes) because rows written inside that transaction are invisible to
the page until it commits.
"""

from __future__ import annotations

import gc
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.accounts.policies import require
from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound
from sanshe.core.models import AuditOutcome
from sanshe.core.uploads import SheetLimits, UntrustedFileError, parse_untrusted
from sanshe.places.models import Community
from sanshe.places.selectors import community_place_ids
from sanshe.places.services import households_ensure

from . import household_sheet
from .choices import Category, Relation
from .household_sheet import HouseholdSheetFileError, HouseholdSheetRow, RowError
from .models import ImportJob, ImportMode, ImportStatus, Person
from .services import person_normalise

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv", ".txt"}
ERRORS_KEPT = 5000  # errors stored on the job; `error_count` has the full number
BATCH_SIZE = 2000
FILE_TTL = timedelta(hours=24)  # an uploaded household sheet not imported by then is deleted (PIPL: minimisation)
NEW_NAMES_SHOWN = 20

Progress = Callable[[str, int, int], None]  # (phase, rows done, rows in total)

# person_normalise's field names → the household sheet column the user should look at.
_FIELD_COLUMNS = {"name": "name", "doc_number": "doc_number", "birth_date": "doc_number", "sex": "sex",
                  "phone": "phone", "address": "address"}


# ------------------------------------------------------------------------------------------- progress

def progress_key(job_id: int) -> str:
    return f"sanshe:household-sheet-progress:{job_id}"


def cache_progress(job_id: int) -> Progress:
    """A progress reporter that the job page reads (through the cache, visible across processes)."""

    def report(phase: str, done: int, total: int) -> None:
        cache.set(progress_key(job_id), {"phase": phase, "done": done, "total": total}, timeout=3600)

    return report


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


@contextmanager
def _gc_paused():
    """No cyclic garbage collection while a big household sheet is processed.

    Hundreds of thousands of short-lived rows, strings and tuples make the collector rescan everything
    it holds again and again (about 10-15 % of an import's time, measured). The rows are freed by reference
    counting as usual; only cycles wait until the collector runs again. The previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ---------------------------------------------------------------------------------------------- upload

def _import_community(actor, community_id: int) -> Community:
    scope = require(actor, "people.import")
    if community_id not in scope.community_ids("people.import"):
        raise ObjectNotFound()
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        raise ObjectNotFound()
    return community


def household_sheet_upload_check(*, file_name: str, size: int) -> None:
    """The checks an upload must pass before it is stored: kind of file by name, and size."""
    suffix = Path(file_name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError({"file": _("只能导入Excel表格（.xlsx、.xls）或CSV文件，这个文件是“%(suffix)s”") % {
            "suffix": suffix or _("无扩展名")}})
    if size == 0:
        raise ValidationError({"file": _("文件是空的（0字节），请重新选择文件")})
    limit = settings.HOUSEHOLD_SHEET_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError({"file": _("文件太大（%(size).1f MB），上限为%(limit)d MB。请分成几个文件分别导入") % {
            "size": size / 1024 / 1024, "limit": limit // (1024 * 1024)}})


@transaction.atomic
def household_sheet_job_create(*, actor, community_id: int, upload: File, file_name: str, enqueue: bool = True) -> ImportJob:
    """Store an uploaded household sheet privately and queue its check (dry run)."""
    community = _import_community(actor, community_id)
    file_name = Path(file_name or "").name[:200] or "household_sheet"
    size = upload.size or 0
    household_sheet_upload_check(file_name=file_name, size=size)
    job = ImportJob(created_by=actor, community=community, file_name=file_name, file_size=size)
    job.file.save(file_name, upload, save=False)
    try:
        job.full_clean()
        job.save()
        audit_record(actor=actor, action="household_sheet.upload", obj=job, community_id=community.pk,
                     detail={"bytes": size, "kind": Path(file_name).suffix.lower()})
    except BaseException:
        job.file.storage.delete(job.file.name)  # no orphaned copy of a household sheet on disk
        raise
    if enqueue:
        from .tasks import household_sheet_validate_task

        job_id, actor_id = job.pk, actor.pk
        transaction.on_commit(lambda: household_sheet_validate_task(job_id, actor_id))
    return job


# --------------------------------------------------------------------------------------------- checking

class _PersonDraft:
    """What person_normalise reads and derives, without the cost of a model instance per row."""

    __slots__ = ("name", "name_pinyin", "name_initials", "doc_type", "doc_number", "doc_index", "sex",
                 "birth_date", "phone", "phone_index", "phone_tail_index", "address", "child_under_14",
                 "household_id")

    def __init__(self, row: HouseholdSheetRow):
        self.name = row.name
        self.doc_type = row.doc_type
        self.doc_number = row.doc_number
        self.sex = row.sex
        self.birth_date = row.birth_date
        self.phone = row.phone
        self.address = row.address
        self.child_under_14 = False
        self.household_id = None


@dataclass
class _Checked:
    table: household_sheet.HouseholdSheetTable
    total_rows: int
    rows: list[HouseholdSheetRow]
    drafts: list[_PersonDraft]
    errors: list[RowError]
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return self.total_rows - len(self.rows)


def _read_job_file(job: ImportJob) -> household_sheet.HouseholdSheetTable:
    if not job.file:
        raise HouseholdSheetFileError([RowError(None, "", _("上传的文件已删除（超过24小时未导入，或已导入过）。请重新上传"))])
    storage = job.file.storage
    try:
        local = storage.path(job.file.name)
    except NotImplementedError:  # object storage
        local = None
    source: bytes | str
    if local and os.path.isfile(local):
        source = local  # calamine reads from the path without a copy in memory
    else:
        with storage.open(job.file.name, "rb") as handle:
            source = handle.read()
    # Parsed in a child process with memory and time limits: a crafted file fails the job, not the server.
    try:
        return household_sheet.unpack_household_sheet(parse_untrusted(
            household_sheet.read_household_sheet_packed, source, file_name=job.file_name, max_bytes=settings.HOUSEHOLD_SHEET_MAX_UPLOAD_BYTES,
            sheet_limits=SheetLimits.from_settings()))
    except UntrustedFileError as exc:
        raise HouseholdSheetFileError([RowError(None, "", exc.message)]) from exc


def _check(job: ImportJob, *, today: date, progress: Progress) -> _Checked:
    """Read and check the job's file: cell rules, then the same rules as person_normalise, then the database."""
    progress("reading", 0, 0)
    table = _read_job_file(job)
    result = household_sheet.validate_household_sheet(table, today=today)
    errors = list(result.errors)
    rows: list[HouseholdSheetRow] = []
    drafts: list[_PersonDraft] = []
    total = len(result.rows)
    progress("validating", 0, total)
    for done, row in enumerate(result.rows, start=1):
        draft = _PersonDraft(row)
        try:
            person_normalise(draft, today=today)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = table.header_of(_FIELD_COLUMNS[name]) if name in _FIELD_COLUMNS else ""
                errors.extend(RowError(row.row, column, message) for message in messages)
        else:
            rows.append(row)
            drafts.append(draft)
        if done % BATCH_SIZE == 0:
            progress("validating", done, total)
    progress("validating", total, total)
    rows, drafts = _drop_registered(table, rows, drafts, errors)
    errors.sort(key=lambda e: e.row or 0)
    return _Checked(table=table, total_rows=result.total_rows, rows=rows, drafts=drafts, errors=errors,
                    ignored_headers=table.ignored_headers)


def _drop_registered(table, rows: list[HouseholdSheetRow], drafts: list[_PersonDraft], errors: list[RowError]):
    """People whose ID is registered already are duplicates: reported, not imported again.

    The lookup is by blind index over all communities on purpose: an ID is unique in the whole deployment
    (a database constraint), and only the index values are read.
    """
    indexes = [d.doc_index for d in drafts if d.doc_index]
    registered: set[str] = set()
    for start in range(0, len(indexes), 500):
        chunk = indexes[start:start + 500]
        registered.update(Person.objects.filter(doc_index__in=chunk).values_list("doc_index", flat=True))
    if not registered:
        return rows, drafts
    column = table.header_of("doc_number")
    kept_rows, kept_drafts = [], []
    for row, draft in zip(rows, drafts, strict=True):
        if draft.doc_index in registered:
            errors.append(RowError(row.row, column, _("重复人员：该证件号码已登记，本次不重复导入")))
        else:
            kept_rows.append(row)
            kept_drafts.append(draft)
    return kept_rows, kept_drafts


def _new_places(community_id: int, rows: Iterable[HouseholdSheetRow]) -> dict:
    """What importing these rows would add to the places tree (for the preview)."""
    # The actor's right to this community was checked on the job; these reads stay inside it.
    places = community_place_ids(community_id)
    new_compounds: dict[str, None] = {}
    buildings: set[tuple] = set()
    units: set[tuple] = set()
    households: set[tuple] = set()
    for row in rows:
        compound_id = places.compounds.get(row.compound)
        if compound_id is None:
            new_compounds[row.compound] = None
        building_id = places.buildings.get((compound_id, row.building)) if compound_id else None
        if building_id is None:
            buildings.add((row.compound, row.building))
        unit_id = places.units.get((building_id, row.unit)) if building_id else None
        if unit_id is None:
            units.add((row.compound, row.building, row.unit))
        if unit_id is None or (unit_id, row.room) not in places.households:
            households.add((row.compound, row.building, row.unit, row.room))
    names = list(new_compounds)
    return {"compounds": len(names), "compound_names": names[:NEW_NAMES_SHOWN], "buildings": len(buildings),
            "units": len(units), "households": len(households)}


def _save_errors(job: ImportJob, errors: list[RowError]) -> None:
    job.error_count = len(errors)
    job.errors = [e.as_dict() for e in errors[:ERRORS_KEPT]]


def _access_job(actor, job: ImportJob) -> ImportJob:
    require(actor, "people.import")
    fresh = ImportJob.objects.for_actor(actor, "import").filter(pk=job.pk).first()
    if fresh is None:
        raise ObjectNotFound()
    return fresh


def _claim(job: ImportJob, from_status: Iterable[str], to_status: str, **values) -> bool:
    """Move the job to `to_status` only if nobody else did first (double clicks, retried tasks)."""
    updated = ImportJob.objects.filter(pk=job.pk, status__in=list(from_status)).update(
        status=to_status, updated_at=timezone.now(), **values)
    return updated == 1


def _fail(job: ImportJob, reason: str, errors: list[RowError] | None = None, *, actor=None,
          action: str = "") -> ImportJob:
    """Mark the job failed with a Chinese reason (and audit the failed attempt when `action` is given)."""
    with transaction.atomic():
        job.status = ImportStatus.FAILED
        job.failure_reason = reason[:500]
        if errors is not None:
            _save_errors(job, errors)
        job.finished_at = timezone.now()
        job.save()
        if action:
            audit_record(actor=actor, action=action, obj=job, outcome=AuditOutcome.FAILURE,
                         detail={"mode": job.mode, "imported": 0, "errors": job.error_count})
    return job


def _delete_file(job: ImportJob) -> None:
    if job.file:
        name = job.file.name
        try:
            job.file.storage.delete(name)
        except OSError:
            logger.warning("household_sheet file of import job %s could not be deleted", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        job.file = ""


def household_sheet_validate(*, actor, job: ImportJob, progress: Progress | None = None) -> ImportJob:
    """Dry run: read and check the file, record counts, the errors and what the import would create."""
    job = _access_job(actor, job)
    progress = progress or _no_progress
    if not _claim(job, [ImportStatus.UPLOADED, ImportStatus.VALIDATED], ImportStatus.VALIDATING):
        return job
    job.refresh_from_db()
    try:
        with _gc_paused():
            checked = _check(job, today=timezone.localdate(), progress=progress)
    except HouseholdSheetFileError as exc:
        with transaction.atomic():
            _fail(job, exc.errors[0].reason, exc.errors)
            audit_record(actor=actor, action="household_sheet.validate", obj=job, outcome=AuditOutcome.FAILURE,
                         detail={"file_error": True})
        _delete_file(job)
        return job
    except Exception:
        logger.exception("checking household sheet import job %s failed", job.pk)
        _fail(job, _("检查文件时出现系统错误，请稍后重新上传；如果一再出现，请联系管理员"))
        _delete_file(job)
        return job
    with transaction.atomic():
        job.status = ImportStatus.VALIDATED
        job.total_rows = job.processed_rows = checked.total_rows
        job.valid_rows = len(checked.rows)
        job.error_rows = checked.error_rows
        _save_errors(job, checked.errors)
        job.summary = {
            "sheet": checked.table.sheet_name, "kind": checked.table.kind, "header_row": checked.table.header_row,
            "ignored_columns": checked.ignored_headers[:30],
            "new": _new_places(job.community_id, checked.rows),
        }
        job.save()
        audit_record(actor=actor, action="household_sheet.validate", obj=job, detail={
            "rows": job.total_rows, "valid": job.valid_rows, "error_rows": job.error_rows})
    return job


# ---------------------------------------------------------------------------------------------- import

@transaction.atomic
def household_sheet_import_start(*, actor, job: ImportJob, mode: str) -> ImportJob:
    """The user chose how to import a checked household sheet: queue the import (once, whatever the clicks)."""
    job = _access_job(actor, job)
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("请选择导入方式")})
    if job.status in {ImportStatus.IMPORTING, ImportStatus.DONE}:
        raise ValidationError(_("这个文件已经开始导入了，请勿重复提交"))
    if job.status != ImportStatus.VALIDATED:
        raise ValidationError(_("这个文件现在不能导入（%(status)s）") % {"status": job.get_status_display()})
    if job.valid_rows == 0:
        raise ValidationError(_("没有可以导入的行，请修改文件后重新上传"))
    if mode == ImportMode.ALL_OR_NOTHING and job.error_count:
        raise ValidationError(_("文件中还有%(n)d处问题，不能选择“全部无误才导入”。请修改后重新上传，或只导入无误的行")
                              % {"n": job.error_count})
    if not _claim(job, [ImportStatus.VALIDATED], ImportStatus.IMPORTING, mode=mode, processed_rows=0):
        raise ValidationError(_("这个文件已经开始导入了"))
    job.refresh_from_db()
    from .tasks import household_sheet_import_task

    job_id, actor_id = job.pk, actor.pk
    transaction.on_commit(lambda: household_sheet_import_task(job_id, actor_id, mode))
    return job


class _RowWriter:
    """Insert many rows of a model in one statement per batch, without building a model instance for each.

    The columns come from the model, so a field added later is written with its default. The caller passes
    the varying values already as the database takes them (see `_PersonWriter`); everything else is the
    field's default, converted once. This is what bulk_create does, minus its per-object, per-field cost,
    which was most of the import's time.
    """

    def __init__(self, model, varying: tuple[str, ...]) -> None:
        self.connection = connections[router.db_for_write(model)]
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        by_attname = {f.attname: f for f in fields}
        missing = set(varying) - by_attname.keys()
        if missing:
            raise RuntimeError(f"{model.__name__} has no fields {sorted(missing)}")
        fixed = [f for f in fields if f.attname not in varying]
        self.fixed_values = tuple(f.get_db_prep_save(f.get_default(), self.connection) for f in fixed)
        quote = self.connection.ops.quote_name
        columns = [quote(f.column) for f in fixed] + [quote(by_attname[a].column) for a in varying]
        self.sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "
                    f"VALUES ({', '.join(['%s'] * len(columns))})")
        self.now = self.connection.ops.adapt_datetimefield_value(timezone.now())

    def insert(self, batch: list[tuple]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(self.sql, batch)


class _PersonWriter(_RowWriter):
    VARYING = ("name", "name_pinyin", "name_initials", "sex", "birth_date", "doc_type", "doc_number", "doc_index",
               "phone", "phone_index", "phone_tail_index", "address", "household_id", "relation", "is_representative",
               "community_id", "compound_id", "building_id", "category", "child_under_14", "created_at", "updated_at")

    def __init__(self) -> None:
        super().__init__(Person, self.VARYING)
        self.encrypt_doc = self._encrypter("doc_number")
        self.encrypt_phone = self._encrypter("phone")
        self.encrypt_address = self._encrypter("address")
        self.adapt_date = self.connection.ops.adapt_datefield_value

    @staticmethod
    def _encrypter(name: str) -> Callable[[str], str]:
        """The field's own Fernet, as the field uses it to save. (The field's get_prep_value first tries to
        decrypt the plaintext, in case it was already encrypted; that failed attempt doubled the cost.)"""
        fernet = Person._meta.get_field(name).f

        def encrypt(value: str) -> str:
            return fernet.encrypt(value.encode("utf-8")).decode("utf-8")

        return encrypt

    def values(self, row: HouseholdSheetRow, draft: _PersonDraft, household: tuple[int, int, int, int],
               representative: bool) -> tuple:
        household_id, building_id, compound_id, community_id = household
        return self.fixed_values + (
            draft.name, draft.name_pinyin, draft.name_initials, draft.sex,
            self.adapt_date(draft.birth_date) if draft.birth_date else None, row.doc_type,
            self.encrypt_doc(draft.doc_number) if draft.doc_number else None, draft.doc_index,
            self.encrypt_phone(draft.phone) if draft.phone else None, draft.phone_index, draft.phone_tail_index,
            self.encrypt_address(draft.address) if draft.address else None,
            household_id, row.relation, representative, community_id, compound_id, building_id, row.category,
            draft.child_under_14, self.now, self.now,
        )


def _ensure_places(community_id: int, rows: list[HouseholdSheetRow]) -> tuple[list[tuple[int, int, int, int]], dict]:
    """Create the compounds, buildings, units and households the rows need (through the places tree's
    service); each row's (household, building, compound, community) ids, and what was created."""
    ids, created = households_ensure(community_id=community_id,
                                     addresses=((r.compound, r.building, r.unit, r.room) for r in rows))
    return [ids[(r.compound, r.building, r.unit, r.room)] for r in rows], created


def _households_with_representative(household_ids: set[int]) -> set[int]:
    ids = list(household_ids)
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found.update(Person.objects.filter(household_id__in=ids[start:start + 500], is_representative=True)
                     .values_list("household_id", flat=True))
    return found


def _write(job: ImportJob, checked: _Checked, progress: Progress) -> dict:
    """Create the places and the people (inside the caller's transaction); what was created."""
    households, created = _ensure_places(job.community_id, checked.rows)
    represented = _households_with_representative({h[0] for h in households})
    writer = _PersonWriter()
    total = len(checked.rows)
    batch: list[tuple] = []
    progress("importing", 0, total)
    for done, (row, draft, household) in enumerate(zip(checked.rows, checked.drafts, households, strict=True),
                                                   start=1):
        # The household head represents the household in the resident group, unless someone already does.
        representative = row.relation == Relation.HEAD and household[0] not in represented
        if representative:
            represented.add(household[0])
        batch.append(writer.values(row, draft, household, representative))
        if len(batch) == BATCH_SIZE:
            writer.insert(batch)
            batch = []
            progress("importing", done, total)
    if batch:
        writer.insert(batch)
    progress("importing", total, total)
    created["people"] = total
    return created


def household_sheet_import(*, actor, job: ImportJob, mode: str, progress: Progress | None = None) -> ImportJob:
    """Import a checked household sheet: re-check it against the database as it is now, then write it all at once.

    `all_or_nothing` imports nothing if any row has a problem; `valid_only` imports the rows without one.
    Either way the people, their places, the job's final counts and the audit event commit together.
    """
    job = _access_job(actor, job)
    progress = progress or _no_progress
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("请选择导入方式")})
    if job.status == ImportStatus.VALIDATED:
        if not _claim(job, [ImportStatus.VALIDATED], ImportStatus.IMPORTING, mode=mode):
            return job
    elif job.status != ImportStatus.IMPORTING or job.mode != mode or job.finished_at is not None:
        return job
    job.refresh_from_db()
    try:
        with _gc_paused():
            checked = _check(job, today=timezone.localdate(), progress=progress)
        if mode == ImportMode.ALL_OR_NOTHING and checked.errors:
            return _fail(job, _("复核时发现%(n)d处问题，按“全部无误才导入”的选择，没有导入任何人员")
                         % {"n": len(checked.errors)}, checked.errors, actor=actor, action="household_sheet.import")
        if not checked.rows:
            return _fail(job, _("复核后没有可以导入的行（可能已有人先导入了这些人员）"), checked.errors,
                         actor=actor, action="household_sheet.import")
        with transaction.atomic():
            with _gc_paused():
                created = _write(job, checked, progress)
            job.status = ImportStatus.DONE
            job.mode = mode
            job.total_rows = job.processed_rows = checked.total_rows
            job.valid_rows = job.imported_rows = len(checked.rows)
            job.error_rows = checked.error_rows
            _save_errors(job, checked.errors)
            job.summary = {**job.summary, "created": created}
            job.finished_at = timezone.now()
            job.save()
            audit_record(actor=actor, action="household_sheet.import", obj=job, detail={
                "mode": mode, "rows": checked.total_rows, "imported": created["people"],
                "error_rows": checked.error_rows, "compounds": created["compounds"],
                "buildings": created["buildings"], "units": created["units"], "households": created["households"]})
        return job
    except HouseholdSheetFileError as exc:
        return _fail(job, exc.errors[0].reason, exc.errors, actor=actor, action="household_sheet.import")
    except IntegrityError:
        logger.warning("household_sheet import job %s hit a uniqueness conflict", job.pk)
        return _fail(job, _("导入期间有人同时登记了相同证件号码的人员，没有导入任何人员。请重新上传文件检查后再导入"),
                     actor=actor, action="household_sheet.import")
    except Exception:
        logger.exception("household_sheet import job %s failed", job.pk)
        return _fail(job, _("导入时出现系统错误，没有导入任何人员。请重新上传后再试；如果一再出现，请联系管理员"),
                     actor=actor, action="household_sheet.import")
    finally:
        _delete_file(job)


@transaction.atomic
def household_sheet_job_cancel(*, actor, job: ImportJob, reason: str = "") -> ImportJob:
    """The user gives up on a checked file (or only wanted the check): delete it now rather than after a day."""
    job = _access_job(actor, job)
    if not _claim(job, [ImportStatus.UPLOADED, ImportStatus.VALIDATED], ImportStatus.FAILED,
                  failure_reason=reason or _("已取消导入，文件已删除"), finished_at=timezone.now()):
        raise ValidationError(_("这个文件正在处理或已经处理完，不能取消"))
    job.refresh_from_db()
    audit_record(actor=actor, action="household_sheet.cancel", obj=job)
    transaction.on_commit(lambda: _delete_file(job))
    return job


def household_sheet_files_purge(*, now=None) -> int:
    """Delete uploaded household sheets nobody imported within a day, and fail jobs whose worker died; how many."""
    now = now or timezone.now()
    stale = ImportJob.objects.filter(updated_at__lt=now - FILE_TTL).exclude(
        status__in=[ImportStatus.DONE, ImportStatus.FAILED])
    count = 0
    for job in stale:
        _delete_file(job)
        _claim(job, [job.status], ImportStatus.FAILED, finished_at=now,
               failure_reason=_("超过24小时没有导入，文件已删除。如需导入请重新上传"))
        count += 1
    for job in ImportJob.objects.filter(status__in=[ImportStatus.DONE, ImportStatus.FAILED]).exclude(file=""):
        _delete_file(job)
    return count


# ---------------------------------------------------------------------------------------------- export

@dataclass
class HouseholdSheetExport:
    file: IO[bytes]
    file_name: str
    count: int


def household_sheet_export(*, actor, community_id: int | None = None, compound_id: int | None = None,
                  building_id: int | None = None, category: str = "", unmasked: bool = False,
                  reason: str = "") -> HouseholdSheetExport:
    """People in the actor's export scope to .xlsx; masked unless an organisation admin gives a reason."""
    from . import household_sheet_selectors
    from .household_sheet_xlsx import write_people

    require(actor, "people.export")
    reason = (reason or "").strip()
    if unmasked:
        require(actor, "people.export_unmasked")
        if len(reason) < 4:
            raise ValidationError({"reason": _("导出完整证件号和手机号，须填写事由（至少4个字）")})
    if category and category not in Category.values:
        raise ValidationError({"category": _("请选择人员类别")})
    people = household_sheet_selectors.household_sheet_export_people(
        actor=actor, unmasked=unmasked, community_id=community_id, compound_id=compound_id,
        building_id=building_id, category=category)
    if not people.exists():
        raise ValidationError(_("没有符合条件的人员，请调整筛选条件"))
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    with transaction.atomic():
        count = write_people(handle, people, unmasked=unmasked)
        audit_record(actor=actor, action="household_sheet.export", reason=reason if unmasked else "",
                     community_id=community_id, detail={
                         "count": count, "unmasked": unmasked, "community_id": community_id,
                         "compound_id": compound_id, "building_id": building_id, "category": category})
    handle.seek(0)
    label = _("完整") if unmasked else _("脱敏")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return HouseholdSheetExport(file=handle, file_name=f"人员名册-{label}-{stamp}.xlsx", count=count)

