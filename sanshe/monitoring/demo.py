"""Demo monitoring data on top of the core demo: people under quarantine with two weeks of check-ins, today's
follow-ups, open alerts, a lost person and a screening round in progress (the cases demo refers some of them).
Deterministic (seeded) and idempotent: nothing happens when the demo's quarantine periods already exist.
"""

from __future__ import annotations

import json
import random
import secrets
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from sanshe.accounts.models import User
from sanshe.core.audit import audit_record
from sanshe.people.choices import Category
from sanshe.people.models import Person
from sanshe.rules.redflags import Breathing

from .choices import (
    CheckInSource,
    ContactMethod,
    Exposure,
    FollowUpStatus,
    OrderedHow,
    QuarantineKind,
    QuarantineStatus,
    Situation,
)
from .models import CheckIn, FollowUp, QuarantinePeriod, ScreeningEntry, ScreeningRound

SEED = 2020
DEMO_SITE = "江汉区民族街道集中隔离点（锦江宾馆）"
CATEGORY_KIND = {
    Category.HOME_QUARANTINE: QuarantineKind.HOME,
    Category.CENTRAL_QUARANTINE: QuarantineKind.CENTRALISED,
    Category.SUSPECTED: QuarantineKind.HEALTH_MONITORING,
    Category.QUARANTINE_FAMILY: QuarantineKind.HOME,
}


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def demo_load(*, today: date) -> str:
    """Load the monitoring demo; returns a one-line Chinese summary (or says it is already there)."""
    if QuarantinePeriod.objects.exists():
        return "健康监测演示数据已存在，未重复加载。"
    worker = User.objects.filter(username="shequ").first()
    if worker is None:
        return "未找到核心演示数据（社区工作者 shequ），未加载健康监测演示数据。"
    with transaction.atomic():
        return _load(today=today, worker=worker)


def _load(*, today: date, worker: User) -> str:
    from . import services

    rng = random.Random(SEED)
    now = timezone.now() if today == timezone.localdate() else _at(today, 12, 0)
    profile = services.profile_current()
    deadlines = services.profile_deadlines(profile)
    community_ids = list(worker.memberships.values_list("communities", flat=True))
    candidates = list(Person.objects.filter(
        community_id__in=community_ids, household__isnull=False, is_active=True,
        category__in=list(CATEGORY_KIND)).order_by("pk"))
    resident = Person.objects.filter(user__username="jumin").first()
    if resident is not None and resident not in candidates:
        candidates.insert(0, resident)

    periods: list[QuarantinePeriod] = []
    for index, person in enumerate(candidates):
        kind = CATEGORY_KIND.get(person.category, QuarantineKind.HOME)
        if person == resident:
            start = today - timedelta(days=3)
        else:
            start = today - timedelta(days=rng.randrange(0, 16))
        exposure = start - timedelta(days=rng.randrange(0, 3))
        days = profile.follow_up_days
        end = exposure + timedelta(days=days)
        status = QuarantineStatus.ACTIVE if end >= today else QuarantineStatus.COMPLETED
        period = QuarantinePeriod(
            person=person, community_id=person.community_id, compound_id=person.compound_id,
            building_id=person.building_id, kind=kind, site=DEMO_SITE if kind == QuarantineKind.CENTRALISED else "",
            last_exposure_date=exposure, start_date=start,
            ordered_how=[OrderedHow.WRITTEN, OrderedHow.PHONE, OrderedHow.OTHER_AUTHORITY][index % 3],
            ordered_by="江汉区疾病预防控制中心" if index % 3 != 1 else "民族街道防控指挥部",
            follow_up_days=days, end_date=end, status=status, created_by=worker,
            closed_at=_at(end + timedelta(days=1), 0, 5) if status == QuarantineStatus.COMPLETED else None)
        if person.chronic_disease:
            period.set_risk_codes(["cardiovascular"])
        periods.append(period)
    QuarantinePeriod.objects.bulk_create(periods)
    # Registered on their first day, early in the morning (created_at is set on insert; put it back).
    for period in periods:
        period.created_at = _at(period.start_date, 7, 30)
    QuarantinePeriod.objects.bulk_update(periods, ["created_at"], batch_size=500)

    # Two weeks of history: follow-ups and check-ins (mostly well, some symptoms, a few missed).
    follow_ups: list[FollowUp] = []
    check_ins: list[CheckIn] = []
    lost_period = next((p for p in periods if p.status == QuarantineStatus.ACTIVE and p.person != resident
                        and (today - p.start_date).days >= 4), None)
    for period in periods:
        last = min(period.end_date, today - timedelta(days=1))
        day = period.start_date
        while day <= last:
            for slot, deadline in enumerate(deadlines):
                due = datetime.combine(day, deadline, tzinfo=timezone.get_current_timezone())
                roll = rng.random()
                missed = roll < 0.06 or (period is lost_period and day >= today - timedelta(days=3))
                follow_up = FollowUp(period=period, person_id=period.person_id, community_id=period.community_id,
                                     compound_id=period.compound_id, building_id=period.building_id, date=day,
                                     slot=slot, due_at=due)
                if missed:
                    follow_up.status = FollowUpStatus.MISSED
                    follow_up.missed_at = due
                    follow_up.person_reminded_at = due + timedelta(minutes=5)
                    follow_up.worker_reminded_at = due + timedelta(minutes=65)
                else:
                    temperature = round(rng.gauss(36.6, 0.25), 1)
                    symptoms: list[str] = []
                    if roll > 0.93:
                        temperature = round(rng.uniform(37.3, 38.2), 1)
                        symptoms = ["cough"] if roll > 0.97 else ["feverish"]
                    seen_at = due - timedelta(minutes=rng.randrange(20, 240))
                    follow_up.status = FollowUpStatus.SEEN_SYMPTOMS if symptoms or temperature >= 37.3 \
                        else FollowUpStatus.SEEN_WELL
                    follow_up.seen_at = seen_at
                    check_ins.append(_check_in(period, follow_up, seen_at, temperature, symptoms, rng))
                follow_ups.append(follow_up)
            day += timedelta(days=1)
    FollowUp.objects.bulk_create(follow_ups, batch_size=500)
    for check_in in check_ins:
        check_in.follow_up_id = check_in.follow_up.pk
    CheckIn.objects.bulk_create(check_ins, batch_size=500)
    for check_in in check_ins:
        check_in.follow_up.last_check_in_id = check_in.pk
    FollowUp.objects.bulk_update([c.follow_up for c in check_ins], ["last_check_in"], batch_size=500)
    completed = [p for p in periods if p.status == QuarantineStatus.COMPLETED]
    missing = services._days_without_check_in([p.pk for p in completed])
    for period in completed:
        period.days_without_check_in = missing[period.pk]
    QuarantinePeriod.objects.bulk_update(completed, ["days_without_check_in"], batch_size=500)

    # Today: owed follow-ups, most of those already due reported (a few late ones left for the worker).
    services.followups_generate(day=today, now=now)
    todays = list(FollowUp.objects.filter(date=today).exclude(person=resident).select_related("period")
                  .order_by("period_id", "slot"))
    next_window: set[int] = set()  # the one report a person can already make for a slot still ahead
    for follow_up in todays:
        if follow_up.period_id == getattr(lost_period, "pk", None):
            continue
        ahead = follow_up.due_at > now
        if ahead and follow_up.period_id in next_window:
            continue
        if ahead:
            next_window.add(follow_up.period_id)
        if not ahead and rng.random() < 0.85 or ahead and rng.random() < 0.3:
            seen_at = min(now, follow_up.due_at) - timedelta(minutes=rng.randrange(10, 120))
            check_in = _check_in(follow_up.period, follow_up, seen_at, round(rng.gauss(36.6, 0.2), 1), [], rng)
            check_in.save()
            FollowUp.objects.filter(pk=follow_up.pk).update(status=FollowUpStatus.SEEN_WELL, seen_at=seen_at,
                                                            last_check_in=check_in)

    # Red flags today, raised through the real service (alerts in the right queues).
    active = [p for p in periods if p.status == QuarantineStatus.ACTIVE and p.person != resident
              and p is not lost_period]
    flagged = []
    readings = [
        services.CheckInInput(temperature_c=38.6, symptoms=("cough", "fatigue"), spo2=92),
        services.CheckInInput(temperature_c=37.8, symptoms=("sore_throat",)),
        services.CheckInInput(temperature_c=38.9, breathing=Breathing.MILD, symptoms=("cough", "chest_tightness")),
    ]
    for period, reading in zip(active[:3], readings, strict=False):
        follow_up = (FollowUp.objects.filter(period=period, date=today).exclude(
            status__in=[FollowUpStatus.SEEN_WELL]).order_by("slot").first()
            or FollowUp.objects.filter(period=period, date=today).order_by("slot").first())
        if follow_up is None:
            continue
        services.check_in_record(actor=worker, follow_up_id=follow_up.pk, data=reading,
                                 idempotency_key=secrets.token_urlsafe(12), now=min(now, follow_up.due_at))
        flagged.append(period)

    # Missed deadlines and the lost person (three days without any report).
    services.followups_pass_deadline(now=now)

    _screening(rng=rng, worker=worker, today=today, now=now)
    for offset in range(14, -1, -1):
        services.figures_refresh(day=today - timedelta(days=offset), now=now)
    active_count = QuarantinePeriod.objects.filter(status=QuarantineStatus.ACTIVE).count()
    audit_record(actor=None, action="monitoring.demo_load", actor_label="manage.py demo",
                 detail={"periods": len(periods), "check_ins": CheckIn.objects.count()})
    return (f"健康监测演示数据：{len(periods)} 人登记隔离观察（观察中 {active_count} 人），"
            f"{CheckIn.objects.count()} 条健康打卡，{len(flagged)} 条今日预警，1 轮排查进行中。")


def _check_in(period: QuarantinePeriod, follow_up: FollowUp, at: datetime, temperature: float, symptoms: list[str],
              rng: random.Random) -> CheckIn:
    source = CheckInSource.LINK if rng.random() < 0.8 else CheckInSource.PHONE_CALL
    observation = {"temperature_c": temperature, "symptoms": symptoms, "breathing": "none", "spo2": None,
                   "breathing_rate": None, "high_fever_days": 0, "underlying_worse": False, "child_signs": [],
                   "pregnancy_signs": [], "flags": []}
    if temperature >= 37.3:
        observation["flags"] = [{"code": "fever", "level": "notice",
                                 "reason": f"体温{temperature:g}℃，达到发热标准（≥37.3℃）",
                                 "action": "复测体温，继续早晚测量体温并观察症状；体温持续升高或出现其他不适时联系医务志愿者。",
                                 "source": "epidemic_profile"}]
    return CheckIn(person_id=period.person_id, follow_up=follow_up, community_id=period.community_id,
                   building_id=period.building_id, source=source, submitted_at=at,
                   idempotency_key=secrets.token_urlsafe(12), observation=json.dumps(observation, ensure_ascii=False))


def _screening(*, rng: random.Random, worker: User, today: date, now: datetime) -> None:
    from sanshe.places.models import Compound, Household

    community_id = worker.memberships.values_list("communities", flat=True).first()
    compound = Compound.objects.filter(community_id=community_id).order_by("pk").first()
    if compound is None:
        return
    round_ = ScreeningRound.objects.create(community_id=community_id, compound=compound, started_by=worker,
                                           title=f"{compound.name} {today.month}月{today.day}日排查")
    households = list(Household.objects.filter(compound=compound).order_by("building_id", "unit_id", "pk"))
    members = {}
    for person in Person.objects.filter(household__in=households).only("pk", "household_id", "category"):
        members.setdefault(person.household_id, []).append(person)
    entries = []
    for household in households[: int(len(households) * 0.45)]:
        roll = rng.random()
        entry = ScreeningEntry(round=round_, household=household, community_id=household.community_id,
                               compound_id=household.compound_id, building_id=household.building_id,
                               worked_by=worker, attempts=1)
        if roll < 0.08:
            entry.contact = ContactMethod.UNREACHABLE
            entry.set_data({"note": "电话无人接听，明天上门"})
        else:
            entry.contact = [ContactMethod.PHONE, ContactMethod.GROUP, ContactMethod.VISIT][int(roll * 10) % 3]
            situation = {Category.HOME_QUARANTINE: Situation.HOME_QUARANTINE,
                         Category.CENTRAL_QUARANTINE: Situation.CENTRAL_QUARANTINE,
                         Category.SUSPECTED: Situation.SUSPECTED, Category.SEVERE_ANXIETY: Situation.SEVERE_ANXIETY}
            entry.set_data({
                "members": {str(p.pk): [situation.get(p.category, Situation.NORMAL)]
                            for p in members.get(household.pk, [])},
                "exposure": Exposure.NONE, "needs": ["medicine"] if roll > 0.9 else [], "note": ""})
        entries.append(entry)
    ScreeningEntry.objects.bulk_create(entries)

