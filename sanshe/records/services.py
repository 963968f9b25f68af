"""Writes of service records, referrals out and daily summaries: validated, scoped and audited."""

from __future__ import annotations

import json
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ActionForbidden, ObjectNotFound

from . import rules, summary
from .models import (
    NUMBER_PREFIX,
    OPEN_REFERRAL_OUT,
    DailySummary,
    DailySummaryRow,
    RecordKind,
    RecordStatus,
    ReferralOut,
    ReferralOutEvent,
    ReferralOutKind,
    ReferralOutStatus,
    ServiceRecord,
    SummaryStatus,
)
from .policies import forget_records_scope, records_scope
from .visibility import record_domain

# Fields a record form may set (everything else is set by the services).
RECORD_FIELDS = (
    "client_name", "client_sex", "client_age", "client_address", "client_phone", "client_education",
    "client_marital", "emergency_contact_name", "emergency_contact_phone", "service_start", "service_end",
    "consult_kind", "service_staff", "consultation_points", "chat_record",
    "demand_emotion", "demand_medical", "demand_psychological", "demand_other", "needs", "needs_other",
    "service_points", "result", "follow_up",
    "physical_condition", "other_history", "past_illness", "medication", "treatment", "treatment_count",
    "online_service", "professional_advice",
    "consult_count", "observation", "counselling_process", "goal_plan", "next_appointment", "next_appointment_at",
)
JSON_FIELDS = ("consultation_points", "service_points")


def _age(birth: date | None, on: date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def person_prefill(person, *, on: date) -> dict:
    """The client block of a record from the person record (tools 3, 4, 6, 7 一、基本资料)."""
    address = person.address or ""
    if not address and person.household_id:
        household = person.household
        address = f"{household.unit.building.compound.name}{household.unit.building.name}{household.unit.name}" \
                  f"{household.room}"
    return {"client_name": person.name, "client_sex": person.sex if person.sex in ("M", "F") else "",
            "client_age": _age(person.birth_date, on), "client_address": address, "client_phone": person.phone or ""}


def case_prefill(case) -> dict:
    """Tool 4's demands and needs assessment from the case intake (信息采集)."""
    return {"emergency_contact_name": case.emergency_contact_name or "",
            "emergency_contact_phone": case.emergency_contact_phone or "",
            "demand_emotion": case.demand_emotion or "", "demand_medical": case.demand_medical or "",
            "demand_psychological": case.demand_psychological or "", "demand_other": case.demand_other or "",
            "needs": list(case.needs or []), "needs_other": case.needs_other or ""}


def _group_for(actor, group_id: int):
    from sanshe.groups.models import Group

    group = Group.objects.for_actor(actor, "view").filter(pk=group_id, is_archived=False).first()
    if group is None:
        raise ObjectNotFound()
    return group


def _client_person(actor, *, person_id: int, community_id: int, group_id: int | None):
    """The client if the actor may write about them: a client member of the group, or (social workers) anyone
    of the community. Anything else is "outside your scope", with nothing saved."""
    from sanshe.groups.models import GroupMember, MemberStatus
    from sanshe.people.models import Person

    scope = records_scope(actor)
    person = (Person.objects.select_related("household__unit__building__compound")
              .filter(pk=person_id, is_active=True).first())
    if person is not None and person.community_id == community_id:
        if community_id in scope.sw_communities:
            return person
        if group_id and person.user_id and GroupMember.objects.filter(
                group_id=group_id, user_id=person.user_id, status=MemberStatus.ACTIVE).exists():
            return person
    raise ValidationError({"person": _("这位服务对象不在您服务的群或社区内，不能为其记录。")})


def _open_case(person_id: int | None):
    from sanshe.cases.models import OPEN_CASE_STATUSES, Case

    if not person_id:
        return None
    return Case.objects.filter(person_id=person_id, status__in=OPEN_CASE_STATUSES).order_by("-opened_at").first()


def _number(kind: str, on: date) -> str:
    prefix = f"{NUMBER_PREFIX[kind]}{on:%Y%m%d}-"
    last = (ServiceRecord.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def _save_numbered(record: ServiceRecord) -> None:
    """Save with the next number of its kind and day; two writers taking the same number retry (unique)."""
    for attempt in range(5):
        record.number = _number(record.kind, record.service_date)
        try:
            with transaction.atomic():
                record.save()
            return
        except IntegrityError:
            # Only a taken number is retried; any other constraint is a real error.
            if attempt == 4 or not ServiceRecord.objects.filter(number=record.number).exists():
                raise


def _clean_data(kind: str, data: dict) -> dict:
    cleaned = {k: v for k, v in data.items() if k in RECORD_FIELDS}
    for field in ("consultation_points", "service_points"):
        if field in cleaned:
            items = cleaned[field] or []
            if field == "consultation_points":
                items = [{"q": (p.get("q") or "").strip(), "a": (p.get("a") or "").strip()} for p in items]
                items = [p for p in items if p["q"] or p["a"]]
            else:
                items = [str(p).strip() for p in items if str(p).strip()]
            cleaned[field] = items
    for key, value in list(cleaned.items()):
        if isinstance(value, str):
            cleaned[key] = value.strip()
    if kind == "psychological" and cleaned.get("next_appointment") is not True:
        cleaned.setdefault("next_appointment_at", None)
    return cleaned


def _apply(record: ServiceRecord, cleaned: dict) -> None:
    for key, value in cleaned.items():
        if key in JSON_FIELDS:
            value = json.dumps(value, ensure_ascii=False) if value else ""
        elif value is None and key not in ("client_age", "service_start", "service_end", "next_appointment",
                                           "next_appointment_at", "consult_count"):
            value = ""
        setattr(record, key, value)
    record.domain = record_domain(record.kind, record.consult_kind)
    start = record.service_start or record.recorded_at
    record.service_date = timezone.localdate(start)


def _record_data(record: ServiceRecord) -> dict:
    data = {field: getattr(record, field) for field in RECORD_FIELDS}
    data["consultation_points"] = record.points
    data["service_points"] = record.service_point_list
    data["has_images"] = record.pk is not None and record.images.exists()
    return data


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_create(*, actor, kind: str, group_id: int | None = None, person_id: int | None = None,
                  case_id: int | None = None, data: dict | None = None, now: datetime | None = None
                  ) -> ServiceRecord:
    """Start a record of tool 3, 4, 6 or 7 (a draft) about a client in a group the actor serves in."""
    now = now or timezone.now()
    if kind not in RecordKind.values:
        raise ValidationError({"kind": _("未知的记录类型。")})
    scope = records_scope(actor)
    group = _group_for(actor, group_id) if group_id else None
    case = None
    if case_id:
        from sanshe.cases.selectors import access_case

        case = access_case(actor=actor, id=case_id)
        person_id = person_id or case.person_id
    community_id = group.community_id if group else case.community_id if case else None
    if community_id is None and person_id:
        from sanshe.people.models import Person

        community_id = Person.objects.filter(pk=person_id).values_list("community_id", flat=True).first()
    if community_id is None:
        raise ValidationError({"group": _("请选择服务所在的群。")})
    if not scope.can_write(kind, group_id=group.pk if group else None, community_id=community_id):
        raise ActionForbidden(_("您在这个群里不能填写这类记录。"))
    person = _client_person(actor, person_id=person_id, community_id=community_id,
                            group_id=group.pk if group else None) if person_id else None
    case = case or _open_case(person.pk if person else None)
    if case is not None and case.community_id != community_id:
        case = None
    initial: dict = {}
    if person is not None:
        initial.update(person_prefill(person, on=timezone.localdate(now)))
    if case is not None and kind == RecordKind.SOCIAL_WORK:
        initial.update(case_prefill(case))
    cleaned = _clean_data(kind, {**initial, **(data or {})})
    record = ServiceRecord(kind=kind, group=group, community_id=community_id, person=person, case=case, author=actor,
                           recorded_at=now, status=RecordStatus.DRAFT)
    _apply(record, cleaned)
    _raise(rules.check_record(kind, _record_data(record), now=now))
    _save_numbered(record)
    audit_record(actor=actor, action="records.record.create", obj=record,
                 detail={"kind": kind, "group": group.pk if group else None, "case": case.pk if case else None})
    return record


def _own_draft(actor, record_id: int) -> ServiceRecord:
    record = ServiceRecord.objects.for_actor(actor, "view").select_for_update().filter(pk=record_id).first()
    if record is None:
        raise ObjectNotFound()
    if record.author_id != actor.pk:
        raise ActionForbidden(_("只有记录人可以修改这份记录。"))
    if not record.is_draft:
        raise ValidationError(_("这份记录已提交，不能再修改。"))
    return record


@transaction.atomic
def record_update(*, actor, record_id: int, data: dict, now: datetime | None = None) -> ServiceRecord:
    """Save changes to one's own draft record."""
    now = now or timezone.now()
    record = _own_draft(actor, record_id)
    _apply(record, _clean_data(record.kind, data))
    _raise(rules.check_record(record.kind, _record_data(record), now=now))
    record.save()
    audit_record(actor=actor, action="records.record.update", obj=record, detail={"kind": record.kind})
    return record


@transaction.atomic
def record_submit(*, actor, record_id: int, data: dict | None = None, now: datetime | None = None
                  ) -> ServiceRecord:
    """Save and submit one's own draft: every field the tool needs must be filled in; then it is read-only."""
    now = now or timezone.now()
    record = _own_draft(actor, record_id)
    if data:
        _apply(record, _clean_data(record.kind, data))
    _raise(rules.check_record(record.kind, _record_data(record), submitting=True, now=now))
    record.status = RecordStatus.SUBMITTED
    record.submitted_at = now
    record.save()
    audit_record(actor=actor, action="records.record.submit", obj=record, detail={"kind": record.kind})
    return record


MAX_RECORD_IMAGES = 12


@transaction.atomic
def record_images_add(*, actor, record_id: int, uploads: list[tuple[bytes, str]]) -> int:
    """微信截图 for a tool-3 draft: each picture checked and stripped of metadata by the groups feature."""
    from sanshe.groups.services import image_upload

    record = _own_draft(actor, record_id)
    if record.kind != RecordKind.CONSULTATION or record.group_id is None:
        raise ValidationError({"screenshots": _("只有咨询记录表可以附微信截图。")})
    if record.images.count() + len(uploads) > MAX_RECORD_IMAGES:
        raise ValidationError({"screenshots": _("每份记录最多附12张截图。")})
    try:
        images = [image_upload(actor=actor, group=record.group, data=data, filename=name) for data, name in uploads]
    except ObjectNotFound as error:
        raise ValidationError({"screenshots": _("只有本群成员可以上传截图。")}) from error
    except ValidationError as error:
        raise ValidationError({"screenshots": error.messages}) from error
    record.images.add(*images)
    audit_record(actor=actor, action="records.record.images", obj=record, detail={"added": len(images)})
    return len(images)


@transaction.atomic
def consultation_from_request(*, actor, request_id: int, now: datetime | None = None) -> ServiceRecord:
    """"Record this" → a tool-3 draft with the quoted messages and their images; the request is marked recorded."""
    from sanshe.groups.models import RecordRequest, RecordRequestStatus
    from sanshe.people.models import Person

    now = now or timezone.now()
    request = (RecordRequest.objects.for_actor(actor, "view").select_for_update()
               .select_related("group").filter(pk=request_id).first())
    if request is None or not records_scope(actor).can_write(
            RecordKind.CONSULTATION, group_id=request.group_id, community_id=request.group.community_id):
        raise ObjectNotFound()
    if request.status != RecordRequestStatus.OPEN:
        raise ValidationError(_("这条“记录此条”已处理过了。"))
    person = (Person.objects.filter(user_id=request.client_id, community_id=request.group.community_id,
                                    is_active=True).first() if request.client_id else None)
    client_name = person.name if person else ""
    if not client_name and request.client_id:
        from sanshe.groups.models import GroupMember

        member = GroupMember.objects.filter(group=request.group, user_id=request.client_id).first()
        client_name = (member.nickname if member and member.nickname else "") or str(request.client or "")
    images = [m.image for m in request.messages.select_related("image").order_by("seq", "pk") if m.image_id]
    chat_record = request.quoted_text + (f"\n\n{_('记录员备注')}：{request.note}" if request.note else "")
    data = {"client_name": client_name or _("（未识别）"), "consult_kind": request.consult_kind or "",
            "chat_record": chat_record, "service_staff": _on_duty_staff(request.group, now),
            "consultation_points": _points_from_quote(request)}
    record = record_create(actor=actor, kind=RecordKind.CONSULTATION, group_id=request.group_id,
                           person_id=person.pk if person else None, data=data, now=now)
    record.source_request = request
    record.save(update_fields=["source_request", "updated_at"])
    if images:
        record.images.set(images)
    request.status = RecordRequestStatus.RECORDED
    request.record_type = "records.servicerecord"
    request.record_id = str(record.pk)
    request.save(update_fields=["status", "record_type", "record_id", "updated_at"])
    audit_record(actor=actor, action="records.record.from_request", obj=record,
                 detail={"request": request.pk, "images": len(images)})
    return record


def _points_from_quote(request) -> list[dict]:
    """A first question/answer pair from the quoted messages: the client's words, then the staff's reply."""
    client_lines, staff_lines = [], []
    for message in request.messages.order_by("seq", "pk"):
        if not message.body:
            continue
        (client_lines if message.sender_id == request.client_id else staff_lines).append(message.body)
    if not client_lines and not staff_lines:
        return []
    return [{"q": "\n".join(client_lines), "a": "\n".join(staff_lines)}]


def _on_duty_staff(group, now: datetime) -> str:
    """服务人员及联系方式: the group's on-duty medical and psychological volunteers by name (no numbers)."""
    from sanshe.groups.duty import on_duty_helper

    names = []
    for kind, label in (("medical", _("医务志愿者")), ("psychological", _("心理咨询志愿者"))):
        helper = on_duty_helper(group=group, kind=kind, at=now)
        if helper is not None:
            names.append(f"{label} {helper}")
    return "\n".join(names)


@transaction.atomic
def record_request_dismiss(*, actor, request_id: int) -> None:
    """A "record this" that needs no record (a duplicate, a mistake)."""
    from sanshe.groups.models import RecordRequest, RecordRequestStatus

    request = RecordRequest.objects.for_actor(actor, "view").select_related("group").filter(pk=request_id).first()
    if request is None or not records_scope(actor).can_write(
            RecordKind.CONSULTATION, group_id=request.group_id, community_id=request.group.community_id):
        raise ObjectNotFound()
    if request.status != RecordRequestStatus.OPEN:
        raise ValidationError(_("这条“记录此条”已处理过了。"))
    request.status = RecordRequestStatus.DISMISSED
    request.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="records.request.dismiss", obj=request, community_id=request.group.community_id)


# ------------------------------------------------------------------------------------------ referral out

@transaction.atomic
def referral_out_create(*, actor, person_id: int, kind: str, institution: str, contact: str, reason: str,
                        case_id: int | None = None, record_id: int | None = None, note: str = "",
                        now: datetime | None = None) -> ReferralOut:
    """服务转介: send a client to a hospital, mental-health institution, the community or civil affairs."""
    now = now or timezone.now()
    scope = records_scope(actor)
    if not scope.sw_communities:
        raise ActionForbidden(_("只有社会工作者可以发起服务转介。"))
    errors: dict[str, list[str]] = {}
    if kind not in ReferralOutKind.values:
        errors["kind"] = [_("请选择转介去向。")]
    for field, value, message in (("institution", institution, _("请填写接收机构名称。")),
                                  ("contact", contact, _("请填写机构联系人及电话。")),
                                  ("reason", reason, _("请填写转介原因。"))):
        if not (value or "").strip():
            errors[field] = [message]
    _raise(errors)
    from sanshe.people.models import Person

    person = Person.objects.filter(pk=person_id, community_id__in=scope.sw_communities, is_active=True).first()
    if person is None:
        raise ValidationError({"person": _("这位服务对象不在您负责的社区内。")})
    case = None
    if case_id:
        from sanshe.cases.selectors import access_case

        case = access_case(actor=actor, id=case_id)
        if case.person_id != person.pk:
            raise ValidationError({"case": _("个案与服务对象不一致。")})
    case = case or _open_case(person.pk)
    record = None
    if record_id:
        record = ServiceRecord.objects.for_actor(actor, "view").filter(pk=record_id, person=person).first()
        if record is None:
            raise ObjectNotFound()
    referral = ReferralOut(person=person, community_id=person.community_id, case=case, record=record, kind=kind,
                           institution=institution.strip()[:100], contact=contact.strip()[:100],
                           reason=reason.strip(), sent_at=now, created_by=actor)
    referral.full_clean(exclude=["person", "case", "record", "created_by"])
    referral.save()
    ReferralOutEvent.objects.create(referral=referral, status=ReferralOutStatus.SENT, at=now, by=actor,
                                    note=note.strip())
    audit_record(actor=actor, action="records.referral_out.send", obj=referral,
                 detail={"kind": kind, "case": case.pk if case else None})
    if case is not None and case.status in ("open", "in_service"):
        from sanshe.cases.services import case_status_set

        case_status_set(actor=actor, case_id=case.pk, status="referred_out",
                        reason=_("服务转介至%(kind)s") % {"kind": ReferralOutKind(kind).label}, now=now)
    return referral


NEXT_STATUSES = {
    ReferralOutStatus.SENT: (ReferralOutStatus.CONFIRMED, ReferralOutStatus.DECLINED),
    ReferralOutStatus.CONFIRMED: (ReferralOutStatus.DONE, ReferralOutStatus.DECLINED),
}


@transaction.atomic
def referral_out_advance(*, actor, referral_id: int, status: str, note: str = "",
                         now: datetime | None = None) -> ReferralOut:
    """Track a referral out: the institution confirmed it, the service is done, or it was declined."""
    now = now or timezone.now()
    referral = ReferralOut.objects.for_actor(actor, "change").select_for_update().filter(pk=referral_id).first()
    if referral is None:
        raise ObjectNotFound()
    if status not in NEXT_STATUSES.get(referral.status, ()):
        raise ValidationError({"status": _("当前状态下不能这样更新转介。")})
    if status == ReferralOutStatus.DECLINED and not note.strip():
        raise ValidationError({"note": _("请写明对方未接收的原因。")})
    referral.status = status
    if status == ReferralOutStatus.CONFIRMED:
        referral.confirmed_at = now
    if status in (ReferralOutStatus.DONE, ReferralOutStatus.DECLINED):
        referral.closed_at = now
    referral.save(update_fields=["status", "confirmed_at", "closed_at", "updated_at"])
    ReferralOutEvent.objects.create(referral=referral, status=status, at=now, by=actor, note=note.strip())
    audit_record(actor=actor, action=f"records.referral_out.{status}", obj=referral)
    return referral


# ----------------------------------------------------------------------------------------- daily summary

def _summary_record_dicts(group_id: int, day: date, exclude_ids: set[int] = frozenset()) -> list[dict]:
    from sanshe.people.choices import Sex

    records = (ServiceRecord.objects.filter(group_id=group_id, service_date=day, status=RecordStatus.SUBMITTED)
               .exclude(pk__in=exclude_ids).select_related("author").prefetch_related("images")
               .order_by("recorded_at", "pk"))
    found = []
    for r in records:
        found.append({
            "id": r.pk, "kind": r.kind, "person_id": r.person_id, "client_name": r.client_name,
            "client_age": r.client_age, "sex_label": str(Sex(r.client_sex).label) if r.client_sex else "",
            "author_name": str(r.author), "consult_kind": r.consult_kind, "points": r.points,
            "service_points": r.service_point_list, "image_ids": [i.pk for i in r.images.all()],
            **{f: getattr(r, f) or "" for f in (
                "demand_emotion", "demand_medical", "demand_psychological", "demand_other", "result", "follow_up",
                "physical_condition", "other_history", "past_illness", "online_service", "professional_advice",
                "observation", "counselling_process", "goal_plan")},
            "next_appointment": r.next_appointment,
            "next_appointment_at": (f"{timezone.localtime(r.next_appointment_at):%m-%d %H:%M}"
                                    if r.next_appointment_at else ""),
        })
    return found


@transaction.atomic
def summary_compile(*, actor, group_id: int, day: date, now: datetime | None = None) -> DailySummary:
    """Compile (or bring up to date) tool 8 for a group and day from the day's submitted records.

    Compiling again adds the records submitted since: new clients become new rows, and a known client's
    new records are appended to their row's columns — edits already made are kept.
    """
    now = now or timezone.now()
    group = _group_for(actor, group_id)
    scope = records_scope(actor)
    if not scope.can_run_summary(group.pk, group.community_id):
        raise ActionForbidden(_("只有群秘书和社工可以汇总每日工作记录。"))
    summary_obj = DailySummary.objects.select_for_update().filter(group=group, day=day).first()
    if summary_obj is not None and summary_obj.is_final:
        raise ValidationError(_("这一天的汇总表已定稿，不能再修改。"))
    created = summary_obj is None
    if created:
        try:
            with transaction.atomic():
                summary_obj = DailySummary.objects.create(group=group, community_id=group.community_id, day=day,
                                                          compiled_by=actor, compiled_at=now)
        except IntegrityError:
            summary_obj = DailySummary.objects.select_for_update().get(group=group, day=day)
    rows = list(summary_obj.rows.all())
    known = {i for row in rows for i in row.record_ids}
    by_key = {(f"p{row.person_id}" if row.person_id else f"n{row.client_name.strip()}"): row for row in rows}
    position = max((row.position for row in rows), default=0)
    added = 0
    for data in summary.build_rows(_summary_record_dicts(group.pk, day, known), day=day):
        row = by_key.get(data["key"])
        if row is None:
            position += 1
            row = DailySummaryRow(summary=summary_obj, position=position, person_id=data["person_id"],
                                  request_date=day, client_name=data["client_name"],
                                  community_name=group.community.name, confirmed=data["confirmed"],
                                  recorder=data["recorder"][:120], record_ids=data["record_ids"],
                                  **{f: data[f] for f in summary.TEXT_FIELDS if f in data})
            row.save()
        else:
            for field in summary.TEXT_FIELDS:
                if data.get(field):
                    old = getattr(row, field) or ""
                    setattr(row, field, f"{old}\n{data[field]}".strip())
            row.record_ids = row.record_ids + data["record_ids"]
            row.save()
        if data["image_ids"]:
            row.screenshots.add(*data["image_ids"])
        added += len(data["record_ids"])
    summary_obj.compiled_by = actor
    summary_obj.compiled_at = now
    summary_obj.save(update_fields=["compiled_by", "compiled_at", "updated_at"])
    audit_record(actor=actor, action="records.summary.compile", obj=summary_obj,
                 detail={"group": group.pk, "day": day.isoformat(), "records_added": added, "created": created})
    return summary_obj


def _summary_for_edit(actor, summary_id: int) -> tuple[DailySummary, set[str]]:
    summary_obj = (DailySummary.objects.for_actor(actor, "view").select_for_update()
                   .filter(pk=summary_id).first())
    if summary_obj is None:
        raise ObjectNotFound()
    if summary_obj.is_final:
        raise ValidationError(_("这一天的汇总表已定稿，不能再修改。"))
    domains = records_scope(actor).summary_domains(summary_obj.group_id, summary_obj.community_id)
    return summary_obj, domains


@transaction.atomic
def summary_row_update(*, actor, row_id: int, data: dict) -> DailySummaryRow:
    """Edit one row of a draft summary: only the columns of the editor's domains (need-to-know)."""
    row = DailySummaryRow.objects.filter(pk=row_id).select_related("summary").first()
    if row is None:
        raise ObjectNotFound()
    _summary, domains = _summary_for_edit(actor, row.summary_id)
    allowed = set(summary.editable_fields(domains))
    refused = [f for f in data if f not in allowed]
    if refused:
        raise ActionForbidden(_("您不能修改这些栏目。"))
    changed = []
    for field, value in data.items():
        if field == "confirmed":
            if value not in (True, False, None):
                raise ValidationError({"confirmed": _("请选择是否确诊。")})
        else:
            value = (value or "").strip()
            if len(value) > 4000:
                raise ValidationError({field: _("内容过长（最多4000字）。")})
        if getattr(row, field) != value:
            setattr(row, field, value)
            changed.append(field)
    if changed:
        row.save(update_fields=changed)
        audit_record(actor=actor, action="records.summary.edit", obj=row.summary,
                     detail={"row": row.pk, "fields": changed})
    return row


@transaction.atomic
def summary_finalise(*, actor, summary_id: int, now: datetime | None = None) -> DailySummary:
    """定稿: the summary becomes read-only (the secretary or the group's social worker)."""
    now = now or timezone.now()
    summary_obj = (DailySummary.objects.for_actor(actor, "manage").select_for_update()
                   .filter(pk=summary_id).first())
    if summary_obj is None:
        if DailySummary.objects.for_actor(actor, "view").filter(pk=summary_id).exists():
            raise ActionForbidden(_("只有群秘书和社工可以定稿。"))
        raise ObjectNotFound()
    if summary_obj.is_final:
        raise ValidationError(_("这一天的汇总表已经定稿。"))
    if not summary_obj.rows.exists():
        raise ValidationError(_("汇总表还没有内容，不能定稿。"))
    summary_obj.status = SummaryStatus.FINAL
    summary_obj.finalised_by = actor
    summary_obj.finalised_at = now
    summary_obj.save(update_fields=["status", "finalised_by", "finalised_at", "updated_at"])
    audit_record(actor=actor, action="records.summary.finalise", obj=summary_obj,
                 detail={"rows": summary_obj.rows.count()})
    return summary_obj


def record_read_audit(*, actor, record: ServiceRecord) -> None:
    """Someone other than the author opened a medical or psychological record: kept in the audit log."""
    audit_record(actor=actor, action="records.record.read", obj=record, detail={"kind": record.kind})


def record_export_audit(*, actor, obj, what: str) -> None:
    """Exports of records leave a trace (who took which sheet)."""
    audit_record(actor=actor, action=f"records.{what}.export", obj=obj)


__all__ = ["OPEN_REFERRAL_OUT", "forget_records_scope"]
