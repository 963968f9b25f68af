"""Reads of monitoring, always scoped: the today list, periods, check-ins, alerts and indicators.

Each list is a fixed number of queries whatever the number of people (tests count them), reading through
the composite indexes on (building, date) and (community, date, status).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.errors import ObjectNotFound
from sanshe.people.models import Person
from sanshe.places.models import Building, Community, Compound
from sanshe.places.selectors import natural_key
from sanshe.rules.redflags import FLAGS, Level

from .choices import SEEN_STATUSES, AlertKind, AlertStatus, FollowUpStatus, QuarantineKind, QuarantineStatus
from .models import (
    OPEN_ALERT_STATUSES,
    OPEN_PERIOD_STATUSES,
    Alert,
    CheckIn,
    DailyFigures,
    FollowUp,
    QuarantinePeriod,
)
from .policies import monitoring_scope


def alert_title(alert: Alert) -> str:
    """The alert's headline: the most severe flag's title (decrypted; staff in scope only)."""
    flags = alert.flags
    if alert.kind == AlertKind.LOST:
        return _("失访：连续多天未报告健康情况")
    if not flags:
        return str(AlertKind(alert.kind).label)
    top = max(flags, key=lambda f: Level.from_code(f["level"]))
    definition = FLAGS.get(top["code"])
    return str(definition.title) if definition else top.get("reason", "")


# ------------------------------------------------------------------------------------------------ today list

@dataclass
class BuildingToday:
    building: Building
    people: int = 0
    follow_ups: int = 0
    seen: int = 0
    late: int = 0  # of `seen`: reported after the slot's deadline (补报), not on time
    symptoms: int = 0
    pending: int = 0
    missed: int = 0
    unreachable: int = 0
    alerts: int = 0

    @property
    def not_reported(self) -> int:
        return self.pending + self.missed + self.unreachable

    @property
    def percent_seen(self) -> int:
        return round(100 * self.seen / self.follow_ups) if self.follow_ups else 0


@dataclass
class TodayOverview:
    day: date
    buildings: list[BuildingToday]
    open_alerts: int
    urgent_alerts: int

    @property
    def totals(self) -> BuildingToday:
        total = BuildingToday(building=None)  # type: ignore[arg-type]
        for row in self.buildings:
            for name in ("people", "follow_ups", "seen", "late", "symptoms", "pending", "missed", "unreachable",
                         "alerts"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return total


def today_overview(*, actor, day: date) -> TodayOverview:
    """Per building in the actor's reach: people due today, reported, not reported, open alerts."""
    counts = (FollowUp.objects.for_actor(actor, "view").filter(date=day).order_by().values("building_id")
              .annotate(people=Count("person_id", distinct=True), follow_ups=Count("pk"),
                        seen=Count("pk", filter=Q(status__in=SEEN_STATUSES)),
                        late_seen=Count("pk", filter=Q(status__in=SEEN_STATUSES, late=True)),
                        symptoms=Count("pk", filter=Q(status=FollowUpStatus.SEEN_SYMPTOMS)),
                        pending=Count("pk", filter=Q(status=FollowUpStatus.PENDING)),
                        missed=Count("pk", filter=Q(status=FollowUpStatus.MISSED)),
                        unreachable=Count("pk", filter=Q(status=FollowUpStatus.UNREACHABLE))))
    rows = {}
    for row in counts:
        row["late"] = row.pop("late_seen")
        rows[row.pop("building_id")] = row
    alerts = (Alert.objects.for_actor(actor, "view").filter(status__in=OPEN_ALERT_STATUSES).order_by()
              .values("building_id").annotate(n=Count("pk"), urgent=Count("pk", filter=Q(level__gte=Level.URGENT))))
    alert_rows = {row["building_id"]: row for row in alerts}
    ids = set(rows) | set(alert_rows)
    buildings = Building.objects.filter(pk__in=ids).select_related("compound")
    result = []
    for building in buildings:
        row = BuildingToday(building=building, **rows.get(building.pk, {}))
        row.alerts = alert_rows.get(building.pk, {}).get("n", 0)
        result.append(row)
    result.sort(key=lambda r: (natural_key(r.building.compound.name), r.building.sort_key,
                               natural_key(r.building.name)))
    return TodayOverview(day=day, buildings=result, open_alerts=sum(r["n"] for r in alert_rows.values()),
                         urgent_alerts=sum(r["urgent"] for r in alert_rows.values()))


def late_label(seen_at: datetime | None, *, template: str | None = None) -> str:
    """"补报 15:00": a report made after its slot's deadline, with the time it actually came in."""
    if seen_at is None:
        return ""
    return (template or _("补报 %(time)s")) % {"time": timezone.localtime(seen_at).strftime("%H:%M")}


@dataclass
class SlotCell:
    follow_up: FollowUp
    label: str

    @property
    def status(self) -> str:
        return self.follow_up.status

    @property
    def late_label(self) -> str:
        """补报 with its time when the slot was filled after its deadline; empty otherwise."""
        follow_up = self.follow_up
        return late_label(follow_up.seen_at) if follow_up.late and follow_up.is_seen else ""


@dataclass(frozen=True)
class TodayCell:
    """One owed report of the today list, as plain values (no model instance per row: the list is hot)."""

    follow_up_id: int
    slot: int
    status: str
    late: bool
    label: str
    status_label: str = ""
    seen_at: datetime | None = None
    late_label: str = ""

    @property
    def is_seen(self) -> bool:
        return self.status in SEEN_STATUSES


@dataclass
class PersonToday:
    person_id: int
    name: str
    pinyin: str
    unit: str
    room: str
    period_id: int
    kind: str
    start: date
    end: date
    today: date
    slots: list[TodayCell] = field(default_factory=list)
    temperature: float | None = None
    alert_level: int | None = None
    alert_id: int | None = None

    kind_label: str = ""
    day_label: str = ""
    alert_code: str = ""
    alert_label: str = ""

    @property
    def all_seen(self) -> bool:
        return all(s.is_seen for s in self.slots)

    @property
    def next_open(self) -> TodayCell | None:
        """The report a phone call now would be recorded against: the earliest not yet reported."""
        for cell in self.slots:
            if not cell.is_seen:
                return cell
        return self.slots[-1] if self.slots else None

    @property
    def overdue(self) -> bool:
        return any(s.status in (FollowUpStatus.MISSED, FollowUpStatus.UNREACHABLE) for s in self.slots)

    @property
    def has_symptoms(self) -> bool:
        return any(s.status == FollowUpStatus.SEEN_SYMPTOMS for s in self.slots)

    @property
    def day_number(self) -> int:
        return (self.today - self.start).days + 1

    @property
    def total_days(self) -> int:
        return (self.end - self.start).days + 1


def access_building_today(*, actor, id: int) -> Building:
    """A building whose follow-ups the actor may see; 404 otherwise."""
    building = Building.objects.select_related("compound", "community").filter(pk=id).first()
    if building is None or not monitoring_scope(actor).covers(
            "monitoring.view", community_id=building.community_id, building_id=building.pk):
        raise ObjectNotFound()
    return building


TODAY_COLUMNS = ("pk", "person_id", "slot", "status", "late", "seen_at", "person__name", "person__name_pinyin",
                 "person__household__room", "person__household__unit__name", "period_id", "period__kind",
                 "period__start_date", "period__end_date", "last_check_in__observation")


def building_today(*, actor, building: Building, day: date, labels: list[str],
                   only_missing: bool = False) -> list[PersonToday]:
    """Everyone of one building due today with each slot's status and the latest reading: open alerts first,
    then overdue, then not yet reported, then the rest, by unit and room. Two queries."""
    import json

    people: dict[int, PersonToday] = {}
    rows = (FollowUp.objects.for_actor(actor, "view").filter(date=day, building_id=building.pk)
            .order_by("person_id", "slot").values_list(*TODAY_COLUMNS))
    for (pk, person_id, slot, status, late, seen_at, name, pinyin, room, unit, period_id, kind, start, end,
         observation) in rows:
        row = people.get(person_id)
        if row is None:
            row = people[person_id] = PersonToday(person_id=person_id, name=name, pinyin=pinyin, unit=unit or "",
                                                  room=room or "", period_id=period_id, kind=kind, start=start,
                                                  end=end, today=day)
        label = labels[slot] if slot < len(labels) else str(slot + 1)
        row.slots.append(TodayCell(follow_up_id=pk, slot=slot, status=status, late=late, label=label,
                                   seen_at=seen_at))
        if observation:
            temperature = json.loads(observation).get("temperature_c")
            if temperature is not None:
                row.temperature = temperature
    if people:
        alerts = (Alert.objects.for_actor(actor, "view")
                  .filter(building_id=building.pk, person_id__in=list(people), status__in=OPEN_ALERT_STATUSES)
                  .values_list("person_id", "level", "pk"))
        for person_id, level, pk in alerts:
            row = people[person_id]
            if row.alert_level is None or level > row.alert_level:
                row.alert_level, row.alert_id = level, pk
    result = list(people.values())
    if only_missing:
        result = [r for r in result if not r.all_seen]
    # Labels translated once per page, not once per row.
    kinds = {code: str(label) for code, label in QuarantineKind.choices}
    statuses = {code: str(label) for code, label in FollowUpStatus.choices}
    day_format = _("第%(day)s/%(days)s天")
    late_format = _("补报 %(time)s")
    for row in result:
        row.kind_label = kinds.get(row.kind, row.kind)
        row.day_label = day_format % {"day": row.day_number, "days": row.total_days}
        row.slots = [replace(cell, status_label=statuses[cell.status],
                             late_label=late_label(cell.seen_at, template=late_format)
                             if cell.late and cell.is_seen else "") for cell in row.slots]
        if row.alert_level:
            level = Level(row.alert_level)
            row.alert_code, row.alert_label = level.code, level.label

    def order(row: PersonToday) -> tuple:
        # Open alerts first, then those overdue, then not yet reported, then everyone else; by room within.
        waiting = 0 if row.overdue else (1 if not row.all_seen else 2)
        return (-(row.alert_level or 0), waiting, natural_key(row.unit), natural_key(row.room), row.pinyin)

    result.sort(key=order)
    return result


# ----------------------------------------------------------------------------------------- periods & people

def access_period(*, actor, id: int, action: str = "view") -> QuarantinePeriod:
    period = (QuarantinePeriod.objects.for_actor(actor, action)
              .select_related("person__household__unit", "building__compound", "community", "created_by")
              .filter(pk=id).first())
    if period is None:
        raise ObjectNotFound()
    return period


def access_follow_up(*, actor, id: int, action: str = "view") -> FollowUp:
    follow_up = (FollowUp.objects.for_actor(actor, action)
                 .select_related("person__household__unit", "period", "building", "last_check_in")
                 .filter(pk=id).first())
    if follow_up is None:
        raise ObjectNotFound()
    return follow_up


@dataclass
class PeriodPage:
    rows: list[QuarantinePeriod]
    next_after: int | None


PERIOD_FILTERS = {
    "active": Q(status=QuarantineStatus.ACTIVE),
    "lost": Q(status=QuarantineStatus.LOST),
    "closed": ~Q(status__in=OPEN_PERIOD_STATUSES),
}


def period_list(*, actor, status: str = "active", building_id: int | None = None, after: int | None = None,
                size: int = 50) -> PeriodPage:
    """Periods in reach, ending soonest first (open) or latest first (closed); keyset-paged by id."""
    queryset = (QuarantinePeriod.objects.for_actor(actor, "view").filter(PERIOD_FILTERS.get(status, Q()))
                .select_related("person__household__unit", "building__compound"))
    if building_id:
        queryset = queryset.filter(building_id=building_id)
    queryset = queryset.order_by("-pk")
    if after:
        queryset = queryset.filter(pk__lt=after)
    rows = list(queryset[:size + 1])
    next_after = rows[size - 1].pk if len(rows) > size else None
    return PeriodPage(rows=rows[:size], next_after=next_after)


@dataclass
class DayRow:
    day: date
    cells: list[SlotCell]

    @property
    def seen(self) -> bool:
        return any(c.follow_up.is_seen for c in self.cells)


def period_days(*, period: QuarantinePeriod, labels: list[str]) -> list[DayRow]:
    """The period's follow-ups day by day, newest first (one query)."""
    by_day: dict[date, list[SlotCell]] = defaultdict(list)
    for follow_up in FollowUp.objects.filter(period=period).select_related("last_check_in").order_by("-date", "slot"):
        label = labels[follow_up.slot] if follow_up.slot < len(labels) else str(follow_up.slot + 1)
        by_day[follow_up.date].append(SlotCell(follow_up=follow_up, label=label))
    return [DayRow(day=day, cells=cells) for day, cells in by_day.items()]


def check_in_list(*, actor, person_id: int, limit: int = 30) -> list[CheckIn]:
    return list(CheckIn.objects.for_actor(actor, "view").filter(person_id=person_id)
                .select_related("recorded_by", "follow_up").order_by("-submitted_at")[:limit])


def person_search(*, actor, q: str, limit: int = 20) -> list[Person]:
    """People the actor may follow up whose name (or pinyin initials) matches; no numbers (never in URLs)."""
    scope = monitoring_scope(actor)
    condition = scope.place_q("monitoring.record")
    text = (q or "").strip()
    if condition is None or not text:
        return []
    queryset = Person.objects.for_actor(actor, "view").filter(condition, is_active=True)
    if text.isascii():
        queryset = queryset.filter(Q(name_initials__startswith=text.lower()) | Q(name_pinyin__startswith=text.lower()))
    else:
        queryset = queryset.filter(name__contains=text)
    return list(queryset.select_related("household__unit", "building__compound").order_by("name_pinyin", "pk")[:limit])


def open_period_of(person_id: int) -> QuarantinePeriod | None:
    return QuarantinePeriod.objects.filter(person_id=person_id, status__in=OPEN_PERIOD_STATUSES).first()


# ---------------------------------------------------------------------------------------------------- alerts

def alert_list(*, actor, view: str = "open", limit: int = 100, since: datetime | None = None) -> list[Alert]:
    """Open alerts most severe and longest waiting first; `mine` = assigned to or taken by the actor;
    `resolved` = the last 7 days'."""
    queryset = (Alert.objects.for_actor(actor, "view")
                .select_related("person__household__unit", "building__compound", "assigned_to", "taken_by",
                                "resolved_by"))
    if view == "resolved":
        since = since or timezone.now() - timedelta(days=7)
        return list(queryset.filter(status=AlertStatus.RESOLVED, resolved_at__gte=since)
                    .order_by("-resolved_at")[:limit])
    queryset = queryset.filter(status__in=OPEN_ALERT_STATUSES)
    if view == "mine":
        queryset = queryset.filter(Q(assigned_to=actor) | Q(taken_by=actor))
    return list(queryset.order_by("-level", "raised_at", "pk")[:limit])


def access_alert(*, actor, id: int) -> Alert:
    alert = (Alert.objects.for_actor(actor, "view")
             .select_related("person__household__unit", "building__compound", "community", "assigned_to",
                             "taken_by", "resolved_by", "check_in", "period")
             .filter(pk=id).first())
    if alert is None:
        raise ObjectNotFound()
    return alert


def alert_can_handle(*, actor, alert: Alert) -> bool:
    """Whether the actor may act on the alert (take, resolve, call the person)."""
    return Alert.objects.for_actor(actor, "handle").filter(pk=alert.pk).exists()


@dataclass(frozen=True)
class ThreadOffer:
    """Where the alert page's "私聊" opens a private thread with the person, or why it cannot."""

    group_id: int | None
    user_id: int | None
    why_not: str = ""


def alert_thread_offer(*, actor, alert: Alert, now: datetime | None = None) -> ThreadOffer:
    """The group in which the actor may open a private thread with the alert's person now, by the groups
    feature's own rule (groups.services.thread_open_with: the actor a staff member of the group, on duty or
    its admin; the person a member). A thread the actor already has with the person comes first."""
    from sanshe.groups.duty import on_duty_user_ids
    from sanshe.groups.models import Group, GroupMember, MemberRole, MemberStatus, PrivateThread

    user_id = alert.person.user_id
    if user_id is None:
        return ThreadOffer(None, None, _("该居民没有开通线上账号，不能私聊，请电话联系。"))
    now = now or timezone.now()
    staff_in = (GroupMember.objects.filter(user=actor, status=MemberStatus.ACTIVE)
                .exclude(role__in=[MemberRole.CLIENT, MemberRole.RESIDENT]).values("group_id"))
    person_in = GroupMember.objects.filter(user_id=user_id, status=MemberStatus.ACTIVE).values("group_id")
    groups = list(Group.objects.for_actor(actor, "view").filter(pk__in=staff_in).filter(pk__in=person_in)
                  .order_by("pk"))
    if not groups:
        return ThreadOffer(None, user_id, _("该居民不在您服务的群里，不能私聊，请电话联系。"))
    talked = set(PrivateThread.objects.filter(group__in=groups, client_id=user_id, helper=actor)
                 .values_list("group_id", flat=True))
    for group in sorted(groups, key=lambda g: (g.pk not in talked, g.pk)):
        if group.admin_id == actor.pk or actor.pk in on_duty_user_ids(group=group, at=now):
            return ThreadOffer(group.pk, user_id)
    return ThreadOffer(None, user_id, _("您现在不在值班时间，不能以值班身份私聊；请电话联系，或请当班人员跟进。"))


def alerts_after(*, actor, after_id: int, limit: int = 20) -> list[Alert]:
    """Alerts raised after a known id (the WebSocket's fallback poll)."""
    return list(Alert.objects.for_actor(actor, "view").filter(pk__gt=after_id, status__in=OPEN_ALERT_STATUSES)
                .select_related("person__household__unit", "building").order_by("pk")[:limit])


# ------------------------------------------------------------------------------------------------ indicators

@dataclass
class Place:
    kind: str  # "all", "community", "compound", "building"
    obj: object | None = None

    def q(self, prefix: str = "") -> Q:
        if self.kind == "all" or self.obj is None:
            return Q()
        return Q(**{f"{prefix}{self.kind}_id": self.obj.pk})


@dataclass
class Indicators:
    place: Place
    day: date
    households: int
    households_screened: int
    under_follow_up: int
    lost: int
    due_so_far: int
    seen_so_far: int  # on time only
    people_today: int
    people_seen_today: int
    completed_periods: int
    completed_every_day: int
    alerts_by_level: dict[str, int]
    trend: list[dict]
    rows: list[dict]
    late_so_far: int = 0  # reported after the deadline (补报): counted apart, never as on time

    def _pct(self, part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def coverage_pct(self) -> int | None:
        return self._pct(self.households_screened, self.households)

    @property
    def seen_today_pct(self) -> int | None:
        return self._pct(self.seen_so_far, self.due_so_far)

    @property
    def completed_every_day_pct(self) -> int | None:
        return self._pct(self.completed_every_day, self.completed_periods)


def indicator_places(*, actor) -> dict[str, list]:
    """The communities, compounds and buildings the actor may see figures of (for the place picker)."""
    scope = monitoring_scope(actor)
    communities = scope.communities("monitoring.indicators")
    buildings = scope.buildings("monitoring.indicators")
    building_q = Q(community_id__in=communities) | Q(pk__in=buildings)
    building_list = list(Building.objects.filter(building_q).select_related("compound").order_by(
        "compound__name", "sort_key", "name"))
    compound_ids = {b.compound_id for b in building_list}
    return {
        "communities": list(Community.objects.filter(pk__in=communities).order_by("name")),
        "compounds": list(Compound.objects.filter(pk__in=compound_ids).order_by("community_id", "name")),
        "buildings": building_list,
    }


def indicators(*, actor, place: Place, now: datetime | None = None, days: int = 14) -> Indicators:
    """The figures of the issue for one place (or everything in reach), plus a row per child place.

    Each big table is read once, grouped by the child place (community → compound → building); the place's
    own figures are the sums of its children's (a person, period or alert belongs to exactly one place).
    """
    from sanshe.places.models import Household

    from .models import ScreeningEntry

    now = now or timezone.now()
    day = timezone.localdate(now)
    scope = monitoring_scope(actor)
    reach = scope.place_q("monitoring.indicators")
    if reach is None:
        raise ObjectNotFound()
    where = reach & place.q()
    child = {"all": "community", "community": "compound", "compound": "building", "building": "building"}[
        place.kind]
    key = f"{child}_id"
    households = Household.objects.filter(where).count()
    screened = (ScreeningEntry.objects.filter(where, created_at__gte=now - timedelta(days=days))
                .exclude(contact="unreachable").values("household_id").distinct().count())
    month_ago = now - timedelta(days=30)
    periods = {r[key]: r for r in QuarantinePeriod.objects.filter(where).order_by().values(key).annotate(
        active=Count("pk", filter=Q(status=QuarantineStatus.ACTIVE)),
        lost=Count("pk", filter=Q(status=QuarantineStatus.LOST)),
        completed=Count("pk", filter=Q(status=QuarantineStatus.COMPLETED, closed_at__gte=month_ago)),
        every_day=Count("pk", filter=Q(status=QuarantineStatus.COMPLETED, closed_at__gte=month_ago,
                                       days_without_check_in=0)))}
    begin = datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    today = {r[key]: r for r in FollowUp.objects.filter(where, date=day).order_by().values(key).annotate(
        due=Count("pk", filter=Q(due_at__lte=now)),
        # On time only: a report made after its deadline (补报) is counted apart, never as on time.
        seen=Count("pk", filter=Q(due_at__lte=now, status__in=SEEN_STATUSES, late=False)),
        late_due=Count("pk", filter=Q(due_at__lte=now, status__in=SEEN_STATUSES, late=True)),
        seen_well=Count("pk", filter=Q(status=FollowUpStatus.SEEN_WELL)),
        seen_symptoms=Count("pk", filter=Q(status=FollowUpStatus.SEEN_SYMPTOMS)),
        late_all=Count("pk", filter=Q(status__in=SEEN_STATUSES, late=True)),
        missed=Count("pk", filter=Q(status=FollowUpStatus.MISSED)),
        unreachable=Count("pk", filter=Q(status=FollowUpStatus.UNREACHABLE)),
        pending=Count("pk", filter=Q(status=FollowUpStatus.PENDING)),
        people=Count("person_id", distinct=True),
        people_seen=Count("person_id", distinct=True, filter=Q(status__in=SEEN_STATUSES)))}
    open_alerts: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (Alert.objects.filter(where, status__in=OPEN_ALERT_STATUSES).order_by().values(key, "level")
                .annotate(n=Count("pk"))):
        open_alerts[row[key]][row["level"]] = row["n"]
    raised_today = Alert.objects.filter(where, kind=AlertKind.RED_FLAG, raised_at__gte=begin).aggregate(
        alerts_notice=Count("pk", filter=Q(level=Level.NOTICE)),
        alerts_urgent=Count("pk", filter=Q(level=Level.URGENT)),
        alerts_emergency=Count("pk", filter=Q(level=Level.EMERGENCY)))
    lost_today = QuarantinePeriod.objects.filter(where, lost_at__gte=begin).count()

    def total(table: dict, name: str) -> int:
        return sum(row.get(name) or 0 for row in table.values())

    alerts_by_level = {level.code: sum(levels.get(int(level), 0) for levels in open_alerts.values())
                       for level in (Level.EMERGENCY, Level.URGENT, Level.NOTICE)}
    start = day - timedelta(days=days - 1)
    sums = dict(seen_well=Sum("seen_well"), seen_symptoms=Sum("seen_symptoms"), late=Sum("late"), missed=Sum("missed"),
                unreachable=Sum("unreachable"), pending=Sum("pending"), people=Sum("people"),
                people_seen=Sum("people_seen"), alerts_notice=Sum("alerts_notice"),
                alerts_urgent=Sum("alerts_urgent"), alerts_emergency=Sum("alerts_emergency"), lost=Sum("lost"))
    stored = {row["date"]: row for row in DailyFigures.objects.filter(where, date__gte=start, date__lt=day)
              .order_by().values("date").annotate(**sums)}
    live = {name: total(today, name) for name in ("seen_well", "seen_symptoms", "late_all", "missed", "unreachable",
                                                  "pending", "people", "people_seen")}
    live["late"] = live.pop("late_all")
    live.update(raised_today, lost=lost_today)
    trend = []
    for offset in range(days):
        current = start + timedelta(days=offset)
        row = live if current == day else stored.get(current, {})
        trend.append({"day": current, **{name: row.get(name) or 0 for name in sums}})

    rows = []
    if place.kind != "building":
        model = {"community": Community, "compound": Compound, "building": Building}[child]
        ids = set(periods) | set(today) | set(open_alerts)
        names = {obj.pk: obj for obj in model.objects.filter(pk__in=ids)}
        for pk in ids:
            p, t = periods.get(pk, {}), today.get(pk, {})
            due, seen = t.get("due", 0), t.get("seen", 0)
            rows.append({"kind": child, "obj": names.get(pk), "active": p.get("active", 0), "lost": p.get("lost", 0),
                         "due": due, "seen": seen, "pct": round(100 * seen / due) if due else None,
                         "alerts": sum(open_alerts.get(pk, {}).values())})
        rows.sort(key=lambda r: natural_key(str(r["obj"]) if r["obj"] else ""))
    return Indicators(
        place=place, day=day, households=households, households_screened=screened,
        under_follow_up=total(periods, "active"), lost=total(periods, "lost"), due_so_far=total(today, "due"),
        seen_so_far=total(today, "seen"), late_so_far=total(today, "late_due"), people_today=total(today, "people"),
        people_seen_today=total(today, "people_seen"), completed_periods=total(periods, "completed"),
        completed_every_day=total(periods, "every_day"), alerts_by_level=alerts_by_level, trend=trend, rows=rows)
