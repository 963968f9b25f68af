"""Writes of monitoring: the epidemic profile, quarantine periods, follow-ups, check-ins, alerts, deadlines.

Every service validates, writes and audits in one transaction; side effects (SMS, WebSocket fan-out) run
from `transaction.on_commit`. The clock is a parameter (`now`, `today`) so periodic work is reproducible.
"""

from __future__ import annotations

import json
import os
import threading
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.notify import chains
from sanshe.core.notify.escalation import escalate_overdue, recipients_add, recipients_told
from sanshe.people.models import Person
from sanshe.rules.redflags import (
    CHILD_DANGER_SIGNS,
    HIGH_RISK_CONDITIONS,
    PREGNANCY_DANGER_SIGNS,
    Breathing,
    Level,
    Observation,
    ObservationError,
    RedFlag,
    overall_level,
    red_flags,
    validate_fever_threshold,
)

from . import handoff, notify
from .choices import (
    CLOSING_STATUSES,
    SEEN_STATUSES,
    SYMPTOM_LABELS,
    AlertKind,
    AlertOutcome,
    AlertStatus,
    CheckInSource,
    FollowUpStatus,
    OrderedHow,
    QuarantineKind,
    QuarantineStatus,
)
from .models import (
    OPEN_ALERT_STATUSES,
    OPEN_PERIOD_STATUSES,
    Alert,
    CheckIn,
    CheckInLink,
    DailyFigures,
    EpidemicProfile,
    FollowUp,
    QuarantinePeriod,
)
from .policies import monitoring_scope, require_monitoring
from .rules import (
    FOLLOW_UP_DAYS_RANGE,
    LOST_AFTER_DAYS_RANGE,
    WORKER_REMINDER_MINUTES_RANGE,
    RuleError,
    age_on,
    check_dates,
    is_lost,
    parse_deadlines,
    quarantine_end_date,
    slot_for_check_in,
    slot_label,
    slots_to_generate,
)

DEFAULT_DEADLINES = ["10:00", "20:00"]
LINK_SALT = "sanshe.monitoring.check-in-link"
BATCH = 2000
# A person is reminded only of a missed slot this recent; older ones wait for the worker's call.
PERSON_REMINDER_WINDOW = timedelta(hours=12)
# How stale a personal link's "last used" may get before a report writes it again (one write less per report).
LINK_TOUCH = timedelta(minutes=30)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _today(now: datetime) -> date:
    return timezone.localdate(now)


def _reason(reason: str | None, *, minimum: int = 4, message: str | None = None) -> str:
    text = (reason or "").strip()
    if len(text) < minimum:
        raise ValidationError({"reason": message or _("请填写原因（至少%(n)s个字）") % {"n": minimum}})
    return text


# ------------------------------------------------------------------------------------------- epidemic profile

def profile_current() -> EpidemicProfile:
    """The deployment's epidemic profile (created with the defaults on first use)."""
    profile = EpidemicProfile.objects.order_by("pk").first()
    if profile is None:
        profile, _created = EpidemicProfile.objects.get_or_create(pk=1, defaults={"slot_deadlines": DEFAULT_DEADLINES})
    if not profile.slot_deadlines:
        profile.slot_deadlines = list(DEFAULT_DEADLINES)
    return profile


def profile_deadlines(profile: EpidemicProfile) -> list:
    return parse_deadlines(profile.slot_deadlines or DEFAULT_DEADLINES)


def profile_slot_labels(profile: EpidemicProfile) -> list[str]:
    deadlines = profile_deadlines(profile)
    return [slot_label(i, d, len(deadlines)) for i, d in enumerate(deadlines)]


PROFILE_FIELDS = ("name", "follow_up_days", "slot_deadlines", "fever_threshold_c", "lost_after_days",
                  "worker_reminder_minutes", "retention_days")
RETENTION_DAYS_RANGE = (7, 365)


def _check_range(value: Any, bounds: tuple[int, int], field: str, message: str) -> None:
    if not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        raise ValidationError({field: message % {"low": bounds[0], "high": bounds[1]}})


@transaction.atomic
def profile_update(*, actor, data: dict[str, Any], now: datetime | None = None) -> EpidemicProfile:
    """Change the epidemic profile (platform admins only); today's and future follow-ups follow the new
    check-ins per day."""
    from .policies import can_edit_profile

    if not can_edit_profile(actor):
        raise ActionForbidden("monitoring.profile_update")
    now = _now(now)
    profile = profile_current()
    profile = EpidemicProfile.objects.select_for_update().get(pk=profile.pk)
    before = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    name = (data.get("name", profile.name) or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写疫情名称")})
    _check_range(data.get("follow_up_days", profile.follow_up_days), FOLLOW_UP_DAYS_RANGE, "follow_up_days",
                 _("观察天数应为%(low)s–%(high)s天"))
    _check_range(data.get("lost_after_days", profile.lost_after_days), LOST_AFTER_DAYS_RANGE, "lost_after_days",
                 _("失访判定天数应为%(low)s–%(high)s天"))
    _check_range(data.get("worker_reminder_minutes", profile.worker_reminder_minutes),
                 WORKER_REMINDER_MINUTES_RANGE, "worker_reminder_minutes", _("提醒间隔应为%(low)s–%(high)s分钟"))
    _check_range(data.get("retention_days", profile.retention_days), RETENTION_DAYS_RANGE, "retention_days",
                 _("健康数据保留天数应为%(low)s–%(high)s天"))
    try:
        deadlines = parse_deadlines(data.get("slot_deadlines", profile.slot_deadlines))
    except RuleError as exc:
        raise ValidationError({"slot_deadlines": str(exc)}) from exc
    threshold = Decimal(str(data.get("fever_threshold_c", profile.fever_threshold_c)))
    try:
        validate_fever_threshold(float(threshold))
    except ObservationError as exc:
        raise ValidationError({"fever_threshold_c": str(exc)}) from exc
    profile.name = name
    profile.follow_up_days = data.get("follow_up_days", profile.follow_up_days)
    profile.lost_after_days = data.get("lost_after_days", profile.lost_after_days)
    profile.worker_reminder_minutes = data.get("worker_reminder_minutes", profile.worker_reminder_minutes)
    profile.retention_days = data.get("retention_days", profile.retention_days)
    profile.slot_deadlines = [d.strftime("%H:%M") for d in deadlines]
    profile.fever_threshold_c = threshold.quantize(Decimal("0.1"))
    profile.updated_by = actor
    profile.full_clean()
    profile.save()
    changed = {name: [str(before[name]), str(getattr(profile, name))] for name in PROFILE_FIELDS
               if str(before[name]) != str(getattr(profile, name))}
    if "slot_deadlines" in changed:
        _followups_apply_deadlines(profile, now=now)
    audit_record(actor=actor, action="monitoring.profile_update", obj=profile, detail={"changed": changed})
    return profile


def _followups_apply_deadlines(profile: EpidemicProfile, *, now: datetime) -> None:
    """After the check-ins per day changed: drop owed slots that no longer exist, move pending deadlines
    still ahead, and add the new slots of today whose deadline has not passed."""
    deadlines = profile_deadlines(profile)
    tz = timezone.get_current_timezone()
    today = _today(now)
    FollowUp.objects.filter(date__gte=today, slot__gte=len(deadlines), status=FollowUpStatus.PENDING).delete()
    for index, deadline in enumerate(deadlines):
        for day in (today, today + timedelta(days=1)):
            new_due = datetime.combine(day, deadline, tzinfo=tz)
            if new_due > now:
                FollowUp.objects.filter(date=day, slot=index, status=FollowUpStatus.PENDING).exclude(
                    due_at=new_due).update(due_at=new_due)
    followups_generate(day=today, now=now, not_before=now)


# --------------------------------------------------------------------------------------------- quarantine

def _validate_risk_codes(codes: Iterable[str]) -> list[str]:
    codes = [c for c in codes if c]
    unknown = [c for c in codes if c not in HIGH_RISK_CONDITIONS]
    if unknown:
        raise ValidationError({"risk_conditions": _("未知的高风险因素：%(codes)s") % {"codes": "、".join(unknown)}})
    return codes


def _person_for_record(actor, person_id: int) -> Person:
    """A person the actor may follow up: visible to them, and in their monitoring.record scope."""
    scope = require_monitoring(actor, "monitoring.record")
    person = (Person.objects.for_actor(actor, "view").select_related("household__unit", "building")
              .filter(pk=person_id).first())
    if person is None or not scope.covers("monitoring.record", community_id=person.community_id,
                                          building_id=person.building_id):
        raise ObjectNotFound()
    return person


@transaction.atomic
def quarantine_register(*, actor, person_id: int, kind: str, start_date: date, ordered_how: str,
                        last_exposure_date: date | None = None, site: str = "", ordered_by: str = "",
                        order_reference: str = "", risk_codes: Iterable[str] = (),
                        now: datetime | None = None) -> QuarantinePeriod:
    """Record a quarantine or health-monitoring period; its end date follows from the epidemic profile."""
    now = _now(now)
    today = _today(now)
    person = _person_for_record(actor, person_id)
    if person.household_id is None or person.building_id is None:
        raise ValidationError({"person": _("请先为该人员登记住户（楼栋、单元、房号），随访名单按楼栋排列")})
    existing = QuarantinePeriod.objects.filter(person=person, status__in=OPEN_PERIOD_STATUSES).first()
    if existing is not None:
        raise ValidationError({"person": _("该人员已在隔离观察中（观察至%(end)s），可在原记录上延长或修改") % {
            "end": existing.end_date.isoformat()}})
    if kind not in QuarantineKind.values:
        raise ValidationError({"kind": _("请选择隔离方式")})
    if ordered_how not in OrderedHow.values:
        raise ValidationError({"ordered_how": _("请选择通知方式")})
    site = (site or "").strip()
    if kind == QuarantineKind.CENTRALISED and not site:
        raise ValidationError({"site": _("集中隔离请填写隔离点名称")})
    try:
        check_dates(start=start_date, last_exposure=last_exposure_date, today=today)
    except RuleError as exc:
        raise ValidationError({exc.field: str(exc)}) from exc
    profile = profile_current()
    end_date = quarantine_end_date(start=start_date, last_exposure=last_exposure_date, days=profile.follow_up_days)
    if end_date < today:
        raise ValidationError({"last_exposure_date": _(
            "按最后接触日期计算，%(days)s天观察期已于%(end)s结束，无需再登记") % {
            "days": profile.follow_up_days, "end": end_date.isoformat()}})
    end_date = max(end_date, start_date)
    period = QuarantinePeriod(
        person=person, community_id=person.community_id, compound_id=person.compound_id,
        building_id=person.building_id, kind=kind, site=site, last_exposure_date=last_exposure_date,
        start_date=start_date, ordered_how=ordered_how, ordered_by=(ordered_by or "").strip(),
        order_reference=(order_reference or "").strip(), follow_up_days=profile.follow_up_days, end_date=end_date,
        created_by=actor,
    )
    period.set_risk_codes(_validate_risk_codes(risk_codes))
    period.full_clean()
    try:
        with transaction.atomic():
            period.save()
    except IntegrityError as exc:  # a second worker registered the same person a moment ago
        raise ValidationError({"person": _("该人员已在隔离观察中，请刷新后查看")}) from exc
    audit_record(actor=actor, action="quarantine.register", obj=period,
                 detail={"follow_up_days": profile.follow_up_days})
    _followups_for_period(period, day=today, now=now, profile=profile, not_before=now)
    return period


def _open_period_for(actor, period_id: int, action: str = "change") -> QuarantinePeriod:
    period = (QuarantinePeriod.objects.for_actor(actor, action).select_for_update()
              .filter(pk=period_id).first())
    if period is None:
        raise ObjectNotFound()
    return period


def _days_without_check_in(period_ids: list[int], *, before: date | None = None) -> dict[int, int]:
    """Per period: days that had follow-ups and not one check-in (pending days are not counted)."""
    rows = (FollowUp.objects.filter(period_id__in=period_ids).values("period_id", "date")
            .annotate(seen=Count("pk", filter=Q(status__in=SEEN_STATUSES)),
                      pending=Count("pk", filter=Q(status=FollowUpStatus.PENDING))))
    if before is not None:
        rows = rows.filter(date__lt=before)
    result = dict.fromkeys(period_ids, 0)
    for row in rows:
        if not row["seen"] and not row["pending"]:
            result[row["period_id"]] += 1
    return result


def _close(period: QuarantinePeriod, *, status: str, now: datetime, reason: str = "") -> None:
    """End a period: drop the follow-ups it no longer owes, count the days without a check-in."""
    today = _today(now)
    FollowUp.objects.filter(period=period, date__gte=today, status=FollowUpStatus.PENDING).delete()
    period.status = status
    period.closed_at = now
    if reason:
        period.status_reason = reason
    period.days_without_check_in = _days_without_check_in([period.pk])[period.pk]
    period.save()


@transaction.atomic
def quarantine_change_end(*, actor, period_id: int, end_date: date, reason: str = "",
                          now: datetime | None = None) -> QuarantinePeriod:
    """Extend freely; shorten only with the shorten permission and a written reason."""
    now = _now(now)
    today = _today(now)
    period = _open_period_for(actor, period_id)
    if not period.is_open:
        raise ValidationError({"end_date": _("该隔离观察已结束，不能再修改截止日期；如需继续观察请重新登记")})
    if end_date == period.end_date:
        raise ValidationError({"end_date": _("新的截止日期与原来相同")})
    if end_date < period.start_date:
        raise ValidationError({"end_date": _("截止日期不能早于开始日期（%(start)s）") % {
            "start": period.start_date.isoformat()}})
    old_end = period.end_date
    shorten = end_date < old_end
    if shorten:
        if not QuarantinePeriod.objects.for_actor(actor, "shorten").filter(pk=period.pk).exists():
            raise ActionForbidden("monitoring.shorten")
        reason = _reason(reason, message=_("缩短观察期须写明原因（至少4个字），例如疾控通知的解除依据"))
    else:
        reason = (reason or "").strip()
        if end_date > today + timedelta(days=FOLLOW_UP_DAYS_RANGE[1]):
            raise ValidationError({"end_date": _("延长后的截止日期不能超过今天起%(n)s天") % {
                "n": FOLLOW_UP_DAYS_RANGE[1]}})
    period.end_date = end_date
    period.full_clean()
    if end_date < today:
        # Shortened to a day already past: the observation ends now.
        _close(period, status=QuarantineStatus.COMPLETED, now=now, reason=reason)
    else:
        period.save(update_fields=["end_date", "updated_at"])
        if shorten:
            FollowUp.objects.filter(period=period, date__gt=end_date, status=FollowUpStatus.PENDING).delete()
        elif period.status == QuarantineStatus.ACTIVE:
            _followups_for_period(period, day=today, now=now, profile=profile_current(), not_before=now)
    audit_record(actor=actor, action="quarantine.shorten" if shorten else "quarantine.extend", obj=period,
                 reason=reason, detail={"old_end": old_end.isoformat(), "new_end": end_date.isoformat()})
    return period


CLOSE_TO = {QuarantineStatus.CANCELLED, QuarantineStatus.HOSPITAL, QuarantineStatus.LOST}


@transaction.atomic
def quarantine_close(*, actor, period_id: int, status: str, reason: str,
                     now: datetime | None = None) -> QuarantinePeriod:
    """Cancel a period, record a move to hospital, or mark the person lost to follow-up; with a reason."""
    now = _now(now)
    period = _open_period_for(actor, period_id)
    if status not in CLOSE_TO:
        raise ValidationError({"status": _("请选择：取消、已转医院或失访")})
    if not period.is_open:
        raise ValidationError({"status": _("该隔离观察已结束")})
    reason = _reason(reason)
    if status == QuarantineStatus.LOST:
        _mark_lost(period, now=now, reason=reason)
    else:
        _close(period, status=status, now=now, reason=reason)
    audit_record(actor=actor, action=f"quarantine.{status}", obj=period, reason=reason)
    return period


@transaction.atomic
def quarantine_resume(*, actor, period_id: int, now: datetime | None = None) -> QuarantinePeriod:
    """Back in contact with a lost person: follow-ups start again from today."""
    now = _now(now)
    period = _open_period_for(actor, period_id)
    if period.status != QuarantineStatus.LOST:
        raise ValidationError({"status": _("只有失访的人员需要恢复随访")})
    _resume(period, now=now)
    audit_record(actor=actor, action="quarantine.resume", obj=period)
    return period


def _resume(period: QuarantinePeriod, *, now: datetime) -> None:
    period.status = QuarantineStatus.ACTIVE
    period.lost_at = None
    period.save(update_fields=["status", "lost_at", "updated_at"])
    Alert.objects.filter(person_id=period.person_id, kind=AlertKind.LOST, status__in=OPEN_ALERT_STATUSES).update(
        status=AlertStatus.RESOLVED, resolved_at=now, outcome=AlertOutcome.CONTACTED)
    _followups_for_period(period, day=_today(now), now=now, profile=profile_current(), not_before=now)


@transaction.atomic
def quarantines_complete_due(*, now: datetime | None = None) -> int:
    """Periods whose last day has passed end as completed (periodic job)."""
    now = _now(now)
    today = _today(now)
    ids = list(QuarantinePeriod.objects.filter(status=QuarantineStatus.ACTIVE, end_date__lt=today)
               .values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        missing = _days_without_check_in(chunk)
        by_count: dict[int, list[int]] = defaultdict(list)
        for pk, days in missing.items():
            by_count[days].append(pk)
        for days, pks in by_count.items():
            QuarantinePeriod.objects.filter(pk__in=pks).update(
                status=QuarantineStatus.COMPLETED, closed_at=now, days_without_check_in=days, updated_at=now)
    if ids:
        audit_record(actor=None, action="quarantine.complete_due", actor_label="system",
                     detail={"count": len(ids), "day": today.isoformat()})
    return len(ids)


# ---------------------------------------------------------------------------------------------- follow-ups

def _followups_for_period(period: QuarantinePeriod, *, day: date, now: datetime, profile: EpidemicProfile,
                          not_before: datetime | None) -> int:
    planned = slots_to_generate(day=day, deadlines=profile_deadlines(profile), tz=timezone.get_current_timezone(),
                                start=period.start_date, end=period.end_date, not_before=not_before)
    rows = [FollowUp(period=period, person_id=period.person_id, community_id=period.community_id,
                     compound_id=period.compound_id, building_id=period.building_id, date=day, slot=p.slot,
                     due_at=p.due_at) for p in planned]
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def followups_generate(*, day: date, now: datetime | None = None, not_before: datetime | None = None) -> int:
    """Create the day's owed follow-ups for every active period covering it; idempotent (periodic job).

    Returns how many follow-ups the day holds after the run. Periods registered on `day` owe only the
    slots whose deadline was still ahead when they were registered.
    """
    now = _now(now)
    profile = profile_current()
    deadlines = profile_deadlines(profile)
    tz = timezone.get_current_timezone()
    periods = (QuarantinePeriod.objects.filter(status=QuarantineStatus.ACTIVE, start_date__lte=day, end_date__gte=day)
               .order_by("pk").values_list("pk", "person_id", "community_id", "compound_id", "building_id",
                                           "start_date", "end_date", "created_at"))
    last = 0
    while True:
        chunk = list(periods.filter(pk__gt=last)[:BATCH])
        if not chunk:
            break
        last = chunk[-1][0]
        rows = []
        for pk, person_id, community_id, compound_id, building_id, start, end, created_at in chunk:
            floor = not_before
            if timezone.localdate(created_at) == day:
                floor = max(floor, created_at) if floor else created_at
            for planned in slots_to_generate(day=day, deadlines=deadlines, tz=tz, start=start, end=end,
                                             not_before=floor):
                rows.append(FollowUp(period_id=pk, person_id=person_id, community_id=community_id,
                                     compound_id=compound_id, building_id=building_id, date=day,
                                     slot=planned.slot, due_at=planned.due_at))
        with transaction.atomic():
            FollowUp.objects.bulk_create(rows, ignore_conflicts=True, batch_size=_batch_size())
    return FollowUp.objects.filter(date=day).count()


def _batch_size() -> int | None:
    return None if connection.vendor == "sqlite" else BATCH


@dataclass
class DeadlineRun:
    missed: int = 0
    people_reminded: int = 0
    workers_reminded: int = 0
    lost: int = 0
    messages: list[tuple[str | None, str]] = field(default_factory=list)


def followups_pass_deadline(*, now: datetime | None = None) -> DeadlineRun:
    """After each deadline: mark what was not reported as missed, remind the person by SMS, then (after the
    profile's interval) the responsible workers, and mark people lost after N days without a check-in."""
    now = _now(now)
    profile = profile_current()
    labels = profile_slot_labels(profile)
    run = DeadlineRun()
    with transaction.atomic():
        run.missed = FollowUp.objects.filter(status=FollowUpStatus.PENDING, due_at__lte=now).update(
            status=FollowUpStatus.MISSED, missed_at=now)

        # 1. The person: one SMS per missed slot, only for recent ones.
        due = (FollowUp.objects.filter(status=FollowUpStatus.MISSED, person_reminded_at__isnull=True,
                                       due_at__gt=now - PERSON_REMINDER_WINDOW,
                                       period__status=QuarantineStatus.ACTIVE)
               .select_related("person").only("pk", "slot", "person__phone", "person__name"))
        reminded: list[int] = []
        for follow_up in due.iterator(chunk_size=BATCH):
            reminded.append(follow_up.pk)
            if follow_up.person.phone:
                label = labels[follow_up.slot] if follow_up.slot < len(labels) else ""
                run.messages.append((follow_up.person.phone, notify.person_reminder_text(label)))
        for start in range(0, len(reminded), BATCH):
            FollowUp.objects.filter(pk__in=reminded[start:start + BATCH]).update(person_reminded_at=now)
        run.people_reminded = len(reminded)

        # 2. The workers: still missed a while after the person was reminded; one SMS per worker and slot.
        wait = timedelta(minutes=profile.worker_reminder_minutes)
        stale = (FollowUp.objects.filter(status=FollowUpStatus.MISSED, worker_reminded_at__isnull=True,
                                         person_reminded_at__lte=now - wait,
                                         period__status=QuarantineStatus.ACTIVE)
                 .values("building_id", "community_id", "date", "slot").annotate(n=Count("pk"), last=Max("pk")))
        buildings: dict[int, str] = {}
        groups = list(stale)
        if groups:
            from sanshe.places.models import Building

            buildings = {b.pk: f"{b.compound.name}{b.name}" for b in Building.objects.filter(
                pk__in={g["building_id"] for g in groups}).select_related("compound")}
        per_worker: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
        phones: dict[int, str | None] = {}
        for group in groups:
            for worker in notify.responsible_workers(community_id=group["community_id"],
                                                     building_id=group["building_id"]):
                phones[worker.pk] = worker.phone
                label = labels[group["slot"]] if group["slot"] < len(labels) else ""
                per_worker[worker.pk].append((buildings.get(group["building_id"], ""), group["n"], label))
        for worker_id, items in per_worker.items():
            for place, count, label in items:
                run.messages.append((phones[worker_id], notify.worker_reminder_text(place=place, count=count,
                                                                                     slot_label=label)))
        run.workers_reminded = len(per_worker)
        if groups:
            FollowUp.objects.filter(status=FollowUpStatus.MISSED, worker_reminded_at__isnull=True,
                                    person_reminded_at__lte=now - wait,
                                    period__status=QuarantineStatus.ACTIVE).update(worker_reminded_at=now)

        # 3. Lost to follow-up.
        run.lost = _periods_mark_lost(now=now, profile=profile)
        if run.missed or run.lost:
            audit_record(actor=None, action="followup.deadline", actor_label="system",
                         detail={"missed": run.missed, "people_reminded": run.people_reminded,
                                 "workers_reminded": run.workers_reminded, "lost": run.lost})
        notify.send_many(run.messages, kind="monitoring.followup_reminder")  # the outbox, sent after commit
    return run


def _periods_mark_lost(*, now: datetime, profile: EpidemicProfile) -> int:
    today = _today(now)
    n = profile.lost_after_days
    candidates = list(FollowUp.objects.filter(status__in=[FollowUpStatus.MISSED, FollowUpStatus.UNREACHABLE],
                                              date__gte=today - timedelta(days=1),
                                              period__status=QuarantineStatus.ACTIVE)
                      .values_list("period_id", flat=True).distinct())
    lost = 0
    for start in range(0, len(candidates), BATCH):
        chunk = candidates[start:start + BATCH]
        days: dict[int, dict[date, list[str]]] = defaultdict(lambda: defaultdict(list))
        for period_id, day, status in (FollowUp.objects.filter(period_id__in=chunk, date__gte=today - timedelta(days=n + 1))
                                       .values_list("period_id", "date", "status")):
            days[period_id][day].append(status)
        for period_id, by_day in days.items():
            closed = [(day, any(s in SEEN_STATUSES for s in statuses)) for day, statuses in by_day.items()
                      if FollowUpStatus.PENDING not in statuses or any(s in SEEN_STATUSES for s in statuses)]
            if is_lost(closed, lost_after_days=n):
                period = QuarantinePeriod.objects.select_related("person").get(pk=period_id)
                _mark_lost(period, now=now, reason=_("连续%(n)s天未报告健康情况（系统判定）") % {"n": n})
                lost += 1
    return lost


def _mark_lost(period: QuarantinePeriod, *, now: datetime, reason: str) -> None:
    FollowUp.objects.filter(period=period, date__gte=_today(now), status=FollowUpStatus.PENDING).delete()
    period.status = QuarantineStatus.LOST
    period.lost_at = now
    period.status_reason = reason
    period.save(update_fields=["status", "lost_at", "status_reason", "updated_at"])
    flag = {"code": "lost", "level": Level.NOTICE.code, "reason": reason,
            "action": _("请电话或上门联系本人及家属，确认其健康和所在位置；联系上后在随访页“恢复随访”。")}
    _alert_upsert(person_id=period.person_id, period=period, check_in=None, kind=AlertKind.LOST,
                  level=Level.NOTICE, flags=[flag], now=now)


@transaction.atomic
def followup_mark_unreachable(*, actor, follow_up_id: int, now: datetime | None = None) -> FollowUp:
    """The worker called and could not reach the person for this follow-up."""
    now = _now(now)
    follow_up = (FollowUp.objects.for_actor(actor, "record").select_for_update()
                 .filter(pk=follow_up_id).first())
    if follow_up is None:
        raise ObjectNotFound()
    if follow_up.is_seen:
        raise ValidationError({"status": _("该人员这次已经报告过，无需标记联系不上")})
    follow_up.status = FollowUpStatus.UNREACHABLE
    follow_up.marked_by = actor
    follow_up.save(update_fields=["status", "marked_by"])
    audit_record(actor=actor, action="followup.unreachable", obj=follow_up,
                 community_id=follow_up.community_id)
    return follow_up


# ------------------------------------------------------------------------------------------------ check-ins

@dataclass(frozen=True)
class CheckInInput:
    """What the check-in form carries, already parsed to numbers and codes (None = not given)."""

    temperature_c: float | None = None
    symptoms: tuple[str, ...] = ()
    breathing: str = Breathing.NONE
    spo2: float | None = None
    breathing_rate: int | None = None
    high_fever_days: int = 0
    underlying_worse: bool = False
    child_signs: tuple[str, ...] = ()
    pregnancy_signs: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class CheckInResult:
    check_in: CheckIn
    follow_up: FollowUp
    flags: list[dict]
    duplicate: bool = False

    @property
    def level(self) -> Level | None:
        levels = [Level.from_code(f["level"]) for f in self.flags]
        return max(levels) if levels else None


def _observation(person: Person, period: QuarantinePeriod, data: CheckInInput, today: date) -> Observation:
    years, months = age_on(person.birth_date, today)
    return Observation(
        temperature_c=data.temperature_c, high_fever_days=data.high_fever_days,
        breathing_difficulty=data.breathing, spo2=data.spo2, breathing_rate=data.breathing_rate,
        age_years=years, age_months=months, pregnant=person.pregnant,
        child_danger_signs=frozenset(data.child_signs), pregnancy_danger_signs=frozenset(data.pregnancy_signs),
        high_risk_conditions=frozenset(period.risk_codes), underlying_disease_uncontrolled=data.underlying_worse,
    )


def _validate_input(data: CheckInInput) -> None:
    unknown = [s for s in data.symptoms if s not in SYMPTOM_LABELS]
    if unknown:
        raise ValidationError({"symptoms": _("未知的症状代码：%(codes)s") % {"codes": "、".join(unknown)}})
    for codes, known, name in ((data.child_signs, CHILD_DANGER_SIGNS, "child_signs"),
                               (data.pregnancy_signs, PREGNANCY_DANGER_SIGNS, "pregnancy_signs")):
        if any(code not in known for code in codes):
            raise ValidationError({name: _("未知的危险征象代码")})
    if data.temperature_c is None and not data.symptoms and data.breathing == Breathing.NONE and \
            data.spo2 is None and not data.note.strip():
        raise ValidationError({"temperature_c": _("请至少填写体温，或勾选症状")})
    if len(data.note) > 1000:
        raise ValidationError({"note": _("补充说明请控制在1000字以内")})


def _evaluate(observation: Observation, profile: EpidemicProfile) -> list[RedFlag]:
    field_names = {"temperature_c": "temperature_c", "spo2": "spo2", "breathing_rate": "breathing_rate",
                   "high_fever_days": "high_fever_days", "breathing_difficulty": "breathing"}
    try:
        return red_flags(observation, fever_threshold_c=float(profile.fever_threshold_c))
    except ObservationError as exc:
        raise ValidationError({field_names.get(exc.field, "__all__"): str(exc)}) from exc


def _has_symptoms(data: CheckInInput, flags: list[RedFlag], profile: EpidemicProfile) -> bool:
    fever = data.temperature_c is not None and data.temperature_c >= float(profile.fever_threshold_c) - 1e-9
    return bool(flags or data.symptoms or data.breathing != Breathing.NONE or fever or data.child_signs
                or data.pregnancy_signs or data.underlying_worse)


def _pick_follow_up(period: QuarantinePeriod, *, now: datetime, profile: EpidemicProfile) -> FollowUp | None:
    """Today's follow-up a report at `now` fills (rules.slot_for_check_in: a missed slot first, as 补报); an
    unsaved one when nothing is owed today (registered after the last deadline, or resumed late) and the period
    covers today; None outside the period."""
    today = _today(now)
    # Plain values, not full rows: this runs on every report of the morning burst.
    todays = [FollowUp(pk=pk, period=period, person_id=period.person_id, community_id=period.community_id,
                       compound_id=period.compound_id, building_id=period.building_id, date=today, slot=slot,
                       due_at=due, status=status)
              for pk, slot, due, status in FollowUp.objects.filter(period=period, date=today).order_by()
              .values_list("pk", "slot", "due_at", "status")]
    if not todays:
        if period.start_date <= today <= period.end_date:
            deadlines = profile_deadlines(profile)
            return FollowUp(period=period, person_id=period.person_id, community_id=period.community_id,
                            compound_id=period.compound_id, building_id=period.building_id, date=today,
                            slot=len(deadlines) - 1, due_at=now)
        return None
    slot = slot_for_check_in(now, [(f.slot, f.due_at) for f in todays],
                             reported={f.slot for f in todays if f.status in SEEN_STATUSES})
    return next((f for f in todays if f.slot == slot), None)


def follow_up_for_report(period: QuarantinePeriod, *, now: datetime | None = None) -> FollowUp | None:
    """The follow-up a report at `now` would fill (the check-in page says which, and whether it is 补报)."""
    return _pick_follow_up(period, now=_now(now), profile=profile_current())


_SQLITE_WRITE_LOCK = threading.Lock()
_SQLITE_LOCK_FILES: dict[str, int] = {}


@contextmanager
def _sqlite_writer():
    """On SQLite, let writers take turns before BEGIN IMMEDIATE: this process's threads on a Python lock, the
    server's processes on an advisory file lock next to the database.

    SQLite has one writer at a time; a writer that finds the database locked sleeps in SQLite's busy handler
    (up to 100 ms a try) even when the lock frees a millisecond later. Queuing on locks that wake the next
    writer at once keeps the write lock busy, not idle, during a burst. PostgreSQL: nothing to do.
    """
    if connection.vendor != "sqlite" or os.name != "posix" or connection.in_atomic_block:
        # Inside a caller's transaction the database lock may be held already: queuing now could deadlock.
        yield
        return
    import fcntl

    name = str(connection.settings_dict["NAME"])
    with _SQLITE_WRITE_LOCK:
        if name.startswith(":memory:") or "mode=memory" in name:
            yield
            return
        fd = _SQLITE_LOCK_FILES.get(name)
        if fd is None:
            fd = _SQLITE_LOCK_FILES[name] = os.open(f"{name}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def _duplicate(person_id: int, key: str) -> CheckInResult | None:
    existing = CheckIn.objects.filter(person_id=person_id, idempotency_key=key).select_related("follow_up").first()
    if existing is None:
        return None
    return CheckInResult(existing, existing.follow_up, existing.flags, duplicate=True)


def _save_check_in(*, person: Person, period: QuarantinePeriod, follow_up: FollowUp | None, source: str,
                   recorded_by, data: CheckInInput, idempotency_key: str, now: datetime,
                   actor_label: str = "", link: CheckInLink | None = None) -> CheckInResult:
    """Validate and evaluate outside any transaction, then write in one short one.

    Everything that only reads (the idempotency key, the profile, today's follow-ups, the red-flag rules) runs
    before the transaction starts, so the write lock (SQLite: BEGIN IMMEDIATE) is held only for the insert,
    the follow-up update, an alert if any and the audit event: this is what lets a morning burst through.
    """
    key = (idempotency_key or "").strip()[:64]
    if len(key) < 8:
        raise ValidationError({"__all__": _("页面已过期，请刷新后重新提交")})
    # A repeated submission is caught by the unique (person, key) constraint at insert time, not by a query
    # before: retries are rare, every report would pay for the look-up.
    _validate_input(data)
    profile = profile_current()
    flags = _evaluate(_observation(person, period, data, _today(now)), profile)
    if follow_up is None:
        follow_up = _pick_follow_up(period, now=now, profile=profile)
    if follow_up is None:
        raise ValidationError({"__all__": _("今天的随访已结束或尚未开始，无需打卡")})
    flag_dicts = [{"code": f.code, "level": f.level.code, "reason": f.reason, "action": f.action,
                   "source": f.source.value} for f in flags]
    observation = {
        "temperature_c": data.temperature_c, "symptoms": sorted(data.symptoms), "breathing": str(data.breathing),
        "spo2": data.spo2, "breathing_rate": data.breathing_rate, "high_fever_days": data.high_fever_days,
        "underlying_worse": data.underlying_worse, "child_signs": sorted(data.child_signs),
        "pregnancy_signs": sorted(data.pregnancy_signs), "flags": flag_dicts,
    }
    status = FollowUpStatus.SEEN_SYMPTOMS if _has_symptoms(data, flags, profile) else FollowUpStatus.SEEN_WELL
    check_in = CheckIn(person=person, community_id=period.community_id, building_id=period.building_id,
                       source=source, recorded_by=recorded_by, submitted_at=now, idempotency_key=key,
                       observation=json.dumps(observation, ensure_ascii=False), note=data.note.strip() or None)
    try:
        with _sqlite_writer(), transaction.atomic():
            if period.status == QuarantineStatus.LOST:
                _resume(period, now=now)
                audit_record(actor=recorded_by, action="quarantine.resume", obj=period, actor_label=actor_label,
                             detail={"by": "check_in"})
                follow_up = _pick_follow_up(period, now=now, profile=profile) or follow_up
            if follow_up.pk is None:
                follow_up.save()
            check_in.follow_up = follow_up
            check_in.save()
            follow_up.status = status
            follow_up.last_check_in = check_in
            follow_up.seen_at = now
            follow_up.late = now > follow_up.due_at
            FollowUp.objects.filter(pk=follow_up.pk).update(status=status, last_check_in=check_in, seen_at=now,
                                                            late=follow_up.late)
            if flags:
                _alert_upsert(person_id=person.pk, period=period, check_in=check_in, kind=AlertKind.RED_FLAG,
                              level=overall_level(flags), flags=flag_dicts, now=now)
            audit_record(actor=recorded_by, action="check_in.submit", obj=check_in, actor_label=actor_label,
                         community_id=period.community_id, detail={"source": source})
            if link is not None and (link.last_used_at is None or now - link.last_used_at > LINK_TOUCH):
                CheckInLink.objects.filter(pk=link.pk).update(last_used_at=now)
    except IntegrityError:
        # The same submission arrived twice at the same moment (double tap, retry): the first one is kept.
        duplicate = _duplicate(person.pk, key)
        if duplicate is None:
            raise
        return duplicate
    return CheckInResult(check_in, follow_up, flag_dicts)


# Personal links ---------------------------------------------------------------------------------------------

# What a report through a link needs of the person (no encrypted identity fields are decrypted for it).
LINK_FIELDS = ("id", "public_id", "person_id", "period", "revoked_at", "last_used_at", "person__id", "person__name",
               "person__birth_date", "person__pregnant", "person__child_under_14", "person__community_id",
               "person__building_id")


def link_token(link: CheckInLink) -> str:
    """The URL token of a link: its random id, signed, so a guessed or altered token is refused unread."""
    return signing.Signer(salt=LINK_SALT).sign(str(link.public_id))


def link_resolve(token: str, *, now: datetime | None = None) -> CheckInLink | None:
    """The live link a token names, or None (bad signature, revoked, or its period is over)."""
    now = _now(now)
    try:
        public_id = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature:
        return None
    link = (CheckInLink.objects.select_related("person", "period")
            .only(*LINK_FIELDS).filter(public_id=public_id, revoked_at__isnull=True).order_by().first())
    if link is None or not link.period.is_open or _today(now) > link.period.end_date:
        return None
    return link


@transaction.atomic
def check_in_link_issue(*, actor, period_id: int, now: datetime | None = None) -> CheckInLink:
    """A new personal link for the person of an open period; earlier links of the period stop working."""
    now = _now(now)
    period = _open_period_for(actor, period_id)
    if not period.is_open:
        raise ValidationError({"__all__": _("该隔离观察已结束，不能再发打卡链接")})
    CheckInLink.objects.filter(period=period, revoked_at__isnull=True).update(revoked_at=now)
    link = CheckInLink.objects.create(person_id=period.person_id, period=period, created_by=actor)
    audit_record(actor=actor, action="check_in_link.issue", obj=period)
    return link


@transaction.atomic
def check_in_link_send(*, actor, period_id: int, url: str, now: datetime | None = None) -> bool:
    """Issue a link and text it to the person's phone (the number itself never reaches the page)."""
    link = check_in_link_issue(actor=actor, period_id=period_id, now=now)
    phone = Person.objects.filter(pk=link.person_id).values_list("phone", flat=True).first()
    if not phone:
        raise ValidationError({"__all__": _("该人员没有登记手机号，请复制链接通过微信私聊发给本人")})
    full_url = url.replace("__TOKEN__", link_token(link))
    message = _("【三社】请每天按时打开此链接报告体温和症状：%(url)s 链接仅供本人使用，请勿转发。") % {"url": full_url}
    notify.send_sms(phone, message, kind="monitoring.check_in_link")
    audit_record(actor=actor, action="check_in_link.send", obj=link.period)
    return True


def check_in_by_link(*, token: str, data: CheckInInput, idempotency_key: str, now: datetime | None = None,
                     link: CheckInLink | None = None) -> CheckInResult:
    """The person reports through their personal link (no login); `link` when the caller resolved it already."""
    now = _now(now)
    link = link or link_resolve(token, now=now)
    if link is None:
        raise ObjectNotFound()
    return _save_check_in(person=link.person, period=link.period, follow_up=None, source=CheckInSource.LINK,
                          recorded_by=None, data=data, idempotency_key=idempotency_key, now=now,
                          actor_label=_("本人（打卡链接）"), link=link)


def resident_period(actor) -> QuarantinePeriod | None:
    """The logged-in resident's own open period, if any."""
    person_id = monitoring_scope(actor).person_id if getattr(actor, "is_authenticated", False) else None
    if person_id is None:
        return None
    return (QuarantinePeriod.objects.filter(person_id=person_id, status__in=OPEN_PERIOD_STATUSES)
            .select_related("person").first())


def check_in_by_resident(*, actor, data: CheckInInput, idempotency_key: str,
                         now: datetime | None = None) -> CheckInResult:
    """The logged-in resident reports for themselves."""
    now = _now(now)
    period = resident_period(actor)
    if period is None or _today(now) > period.end_date:
        raise ValidationError({"__all__": _("您目前不在隔离观察期内，无需健康打卡")})
    return _save_check_in(person=period.person, period=period, follow_up=None, source=CheckInSource.LOGIN,
                          recorded_by=actor, data=data, idempotency_key=idempotency_key, now=now)


def check_in_record(*, actor, follow_up_id: int, data: CheckInInput, idempotency_key: str,
                    now: datetime | None = None) -> CheckInResult:
    """A worker records what the person said on the phone, against one follow-up of the today list."""
    now = _now(now)
    follow_up = (FollowUp.objects.for_actor(actor, "record").select_related("period", "person")
                 .filter(pk=follow_up_id).first())
    if follow_up is None:
        raise ObjectNotFound()
    if not follow_up.period.is_open:
        raise ValidationError({"__all__": _("该隔离观察已结束，不能再记录")})
    return _save_check_in(person=follow_up.person, period=follow_up.period, follow_up=follow_up,
                          source=CheckInSource.PHONE_CALL, recorded_by=actor, data=data,
                          idempotency_key=idempotency_key, now=now)


# ---------------------------------------------------------------------------------------------------- alerts

def _alert_upsert(*, person_id: int, period: QuarantinePeriod | None, check_in: CheckIn | None, kind: str,
                  level: Level, flags: list[dict], now: datetime) -> Alert:
    """Raise an alert, or fold a repeat into the open one of the same kind (escalating its level).

    Fan-out and SMS run after commit, and only when the alert is new or more severe than before.
    """
    existing = (Alert.objects.select_for_update().filter(person_id=person_id, kind=kind,
                                                         status__in=OPEN_ALERT_STATUSES).first())
    details = json.dumps({"flags": flags}, ensure_ascii=False)
    if existing is not None:
        escalated = level > existing.level
        existing.level = max(existing.level, int(level))
        existing.details = details
        existing.check_in = check_in or existing.check_in
        existing.times_raised += 1
        existing.last_raised_at = now
        existing.save(update_fields=["level", "details", "check_in", "times_raised", "last_raised_at"])
        alert = existing
        notify_now = escalated
    else:
        source = period or QuarantinePeriod.objects.filter(person_id=person_id).order_by("-pk").first()
        workers = notify.responsible_workers(community_id=source.community_id, building_id=source.building_id)
        alert = Alert.objects.create(
            person_id=person_id, period=period, check_in=check_in, community_id=source.community_id,
            compound_id=source.compound_id, building_id=source.building_id, kind=kind, level=int(level),
            details=details, assigned_to=workers[0] if workers else None, raised_at=now, last_raised_at=now)
        audit_record(actor=None, action="alert.raise", obj=alert, actor_label="system",
                     community_id=alert.community_id, detail={"kind": kind, "level": int(level)})
        notify_now = True
    if notify_now:
        alert_id = alert.pk
        transaction.on_commit(lambda: notify.alert_broadcast(alert_id))
        if alert.level >= Level.URGENT:
            _alert_chain_start(alert, now)
        if alert.level >= Level.EMERGENCY:
            # A red alert also lands in the social workers' inbox at once (issue 6).
            handoff.emergency_alert_refer(alert_id=alert_id)
    return alert


def _alert_chain_start(alert: Alert, now: datetime) -> None:
    """An urgent or emergency alert: tier 0 of the medical chain is told (SMS and in-app) and, unless already
    running, the 5-minute deadline to take it starts (sanshe.core.notify.chains.MEDICAL)."""
    tier0 = recipients_add(domain=chains.MEDICAL.domain, object_id=alert.pk, user_ids=notify.alert_first_tier(alert),
                           tier=0, now=now)
    # Those told before (a raised level) hear it again at the new level.
    notify.alert_tell(alert, recipients_told(domain=chains.MEDICAL.domain, object_id=alert.pk) | tier0)
    if alert.ack_deadline is None and alert.status == AlertStatus.OPEN:
        alert.ack_deadline = chains.first_deadline(chains.MEDICAL, now, critical=True)
        alert.save(update_fields=["ack_deadline"])


class MedicalAlertChain:
    """Urgent and emergency monitoring alerts on the one escalation engine: not taken within 5 minutes, the
    community's social workers are told, then the organisations' admins; then everyone told is reminded."""

    rule = chains.MEDICAL

    def overdue(self, now: datetime):
        return (Alert.objects.select_for_update(of=("self",))
                .select_related("person__household__unit", "building")
                .filter(status=AlertStatus.OPEN, ack_deadline__lte=now, level__gte=Level.URGENT)
                .order_by("ack_deadline", "pk"))

    def reached(self, alert: Alert) -> int:
        return alert.escalation_step

    def tier(self, alert: Alert, tier: int, now: datetime) -> set[int]:
        if tier == 0:
            return set(notify.alert_first_tier(alert))
        if tier == 1:
            return notify.community_social_workers(alert.community_id)
        return notify.community_org_admins(alert.community_id)

    def tell(self, alert: Alert, user_ids: set[int], tier: int, now: datetime) -> set[int]:
        new = recipients_add(domain=self.rule.domain, object_id=alert.pk, user_ids=user_ids, tier=tier, now=now)
        if new:
            notify.alert_tell(alert, new)
        return new

    def remind(self, alert: Alert, now: datetime) -> int:
        told = recipients_told(domain=self.rule.domain, object_id=alert.pk)
        notify.alert_tell(alert, told, reminder=True)
        return len(told)

    def record(self, alert: Alert, result, now: datetime) -> None:
        alert.escalation_step = result.tier
        alert.escalated_at = now
        alert.ack_deadline = result.deadline
        alert.save(update_fields=["escalation_step", "escalated_at", "ack_deadline"])
        audit_record(actor=None, actor_label="system", action="alert.escalate", obj=alert,
                     community_id=alert.community_id,
                     detail={"tier": result.tier, "new_recipients": len(result.new_recipients),
                             "reminder": result.reminder})


def alerts_escalate_overdue(*, now: datetime | None = None) -> int:
    """Urgent and emergency alerts nobody took in time reach the next people; returns how many escalated."""
    return escalate_overdue(MedicalAlertChain(), now=_now(now))


def _alert_for(actor, alert_id: int) -> Alert:
    alert = Alert.objects.for_actor(actor, "handle").select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise ObjectNotFound()
    return alert


@transaction.atomic
def alert_take(*, actor, alert_id: int, now: datetime | None = None) -> Alert:
    """'I am on it': the alert leaves everyone else's to-do and shows who took it."""
    now = _now(now)
    alert = _alert_for(actor, alert_id)
    if alert.status != AlertStatus.OPEN:
        raise ValidationError({"__all__": _("该预警已由%(who)s接手或已处理") % {
            "who": alert.taken_by or _("其他人")}})
    alert.status = AlertStatus.TAKEN
    alert.taken_by = actor
    alert.taken_at = now
    alert.ack_deadline = None  # taken: the escalation stops
    alert.save(update_fields=["status", "taken_by", "taken_at", "ack_deadline"])
    audit_record(actor=actor, action="alert.take", obj=alert, community_id=alert.community_id)
    return alert


@transaction.atomic
def alert_resolve(*, actor, alert_id: int, outcome: str, note: str = "", now: datetime | None = None) -> Alert:
    """Close an alert with what was done; 'other' needs a written explanation."""
    now = _now(now)
    alert = _alert_for(actor, alert_id)
    if alert.status == AlertStatus.RESOLVED:
        raise ValidationError({"__all__": _("该预警已经处理完毕")})
    if outcome not in AlertOutcome.values:
        raise ValidationError({"outcome": _("请选择处理结果")})
    note = (note or "").strip()
    if outcome == AlertOutcome.OTHER and len(note) < 4:
        raise ValidationError({"note": _("选择“其他”时请写明处理情况（至少4个字）")})
    alert.status = AlertStatus.RESOLVED
    alert.ack_deadline = None
    alert.resolved_by = actor
    alert.resolved_at = now
    alert.outcome = outcome
    alert.resolution_note = note or None
    if alert.taken_by_id is None:
        alert.taken_by, alert.taken_at = actor, now
    alert.save()
    audit_record(actor=actor, action="alert.resolve", obj=alert, community_id=alert.community_id,
                 detail={"outcome": outcome})
    return alert


@transaction.atomic
def alert_call_number(*, actor, alert_id: int) -> str:
    """The person's full phone number, to call about an open alert the actor may handle (staff in scope,
    cleared medical volunteers for the urgent and emergency alerts of their communities). The crisis page's
    way: one tap, the number goes straight to the phone's dialler and every reveal is audited."""
    alert = Alert.objects.for_actor(actor, "handle").select_related("person").filter(pk=alert_id).first()
    if alert is None:
        raise ObjectNotFound()
    if not alert.is_open:
        raise ValidationError({"__all__": _("该预警已处理完毕，不能再从这里拨打")})
    number = alert.person.phone or ""
    if not number:
        raise ValidationError({"__all__": _("该居民没有登记手机号，请上门查看或联系家属")})
    audit_record(actor=actor, action="alert.call", obj=alert, reason=_("处理健康预警，电话联系本人"),
                 community_id=alert.community_id, detail={"person_id": alert.person_id, "field": "phone"})
    return number


# ---------------------------------------------------------------------------------------------- retention

@transaction.atomic
def health_data_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete individual health data whose purpose has ended (PIPL), the profile's retention days after a
    period or screening round ended: check-ins, the readings in alerts, risk factors and reasons, what
    screening found. Statuses, dates and places stay, so the figures and the follow-up history remain."""
    from .models import ScreeningEntry, ScreeningRound

    now = _now(now)
    cutoff = now - timedelta(days=profile_current().retention_days)
    periods = list(QuarantinePeriod.objects.filter(purged_at__isnull=True, closed_at__lt=cutoff)
                   .exclude(status__in=OPEN_PERIOD_STATUSES).values_list("pk", flat=True))
    counts = {"periods": len(periods), "check_ins": 0, "alerts": 0, "screening_entries": 0}
    purged = json.dumps({"flags": [], "purged": True})
    for start in range(0, len(periods), BATCH):
        chunk = periods[start:start + BATCH]
        FollowUp.objects.filter(period_id__in=chunk).update(last_check_in=None)
        counts["check_ins"] += CheckIn.objects.filter(follow_up__period_id__in=chunk).delete()[0]
        counts["alerts"] += Alert.objects.filter(period_id__in=chunk).exclude(status__in=OPEN_ALERT_STATUSES).update(
            details=purged, resolution_note=None)
        QuarantinePeriod.objects.filter(pk__in=chunk).update(risk_conditions=None, status_reason=None, purged_at=now)
    rounds = ScreeningRound.objects.filter(status="closed", closed_at__lt=cutoff)
    counts["screening_entries"] = (ScreeningEntry.objects.filter(round__in=rounds, details__isnull=False)
                                   .update(details=None))
    if any(counts.values()):
        audit_record(actor=None, action="monitoring.purge", actor_label="system", detail=counts)
    return counts


# -------------------------------------------------------------------------------------------------- figures

@transaction.atomic
def figures_refresh(*, day: date, now: datetime | None = None) -> int:
    """Recount one day's follow-up figures per building (the indicators' trend); idempotent."""
    now = _now(now)
    tz = timezone.get_current_timezone()
    rows = (FollowUp.objects.filter(date=day).values("building_id", "compound_id", "community_id")
            .annotate(
                people=Count("person_id", distinct=True),
                people_seen=Count("person_id", distinct=True, filter=Q(status__in=SEEN_STATUSES)),
                due=Count("pk"),
                seen_well=Count("pk", filter=Q(status=FollowUpStatus.SEEN_WELL)),
                seen_symptoms=Count("pk", filter=Q(status=FollowUpStatus.SEEN_SYMPTOMS)),
                late_seen=Count("pk", filter=Q(status__in=SEEN_STATUSES, late=True)),
                missed=Count("pk", filter=Q(status=FollowUpStatus.MISSED)),
                unreachable=Count("pk", filter=Q(status=FollowUpStatus.UNREACHABLE)),
                pending=Count("pk", filter=Q(status=FollowUpStatus.PENDING)),
            ))
    figures: dict[int, DailyFigures] = {}
    for row in rows:
        row["late"] = row.pop("late_seen")
        figures[row["building_id"]] = DailyFigures(date=day, refreshed_at=now, **row)
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    end = start + timedelta(days=1)
    alerts = (Alert.objects.filter(raised_at__gte=start, raised_at__lt=end, kind=AlertKind.RED_FLAG)
              .values("building_id", "compound_id", "community_id", "level").annotate(n=Count("pk")))
    lost = (QuarantinePeriod.objects.filter(lost_at__gte=start, lost_at__lt=end)
            .values("building_id", "compound_id", "community_id").annotate(n=Count("pk")))
    for row in alerts:
        item = figures.setdefault(row["building_id"], DailyFigures(
            date=day, refreshed_at=now, building_id=row["building_id"], compound_id=row["compound_id"],
            community_id=row["community_id"]))
        name = {Level.NOTICE: "alerts_notice", Level.URGENT: "alerts_urgent", Level.EMERGENCY: "alerts_emergency"}[
            Level(row["level"])]
        setattr(item, name, getattr(item, name) + row["n"])
    for row in lost:
        item = figures.setdefault(row["building_id"], DailyFigures(
            date=day, refreshed_at=now, building_id=row["building_id"], compound_id=row["compound_id"],
            community_id=row["community_id"]))
        item.lost = row["n"]
    DailyFigures.objects.filter(date=day).exclude(building_id__in=list(figures)).delete()
    update = ["people", "people_seen", "due", "seen_well", "seen_symptoms", "late", "missed", "unreachable", "pending",
              "alerts_notice", "alerts_urgent", "alerts_emergency", "lost", "refreshed_at", "community",
              "compound"]
    DailyFigures.objects.bulk_create(list(figures.values()), update_conflicts=True,
                                     unique_fields=["date", "building"], update_fields=update,
                                     batch_size=_batch_size())
    return len(figures)


__all__ = [
    "CLOSING_STATUSES", "CheckInInput", "CheckInResult", "DeadlineRun", "alert_call_number",
    "alert_resolve", "alert_take", "follow_up_for_report",
    "check_in_by_link", "check_in_by_resident", "check_in_link_issue", "check_in_link_send", "check_in_record",
    "figures_refresh", "followup_mark_unreachable", "followups_generate", "followups_pass_deadline",
    "link_resolve", "link_token", "profile_current", "profile_update", "quarantine_change_end",
    "quarantine_close", "quarantine_register", "quarantine_resume", "quarantines_complete_due",
]
