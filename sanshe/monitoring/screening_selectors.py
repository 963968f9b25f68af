"""Reads of screening: rounds with progress, a round's buildings, a building's households, one household."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.errors import ObjectNotFound
from sanshe.people.models import Person
from sanshe.places.models import Building, Household
from sanshe.places.selectors import natural_key

from .choices import (
    KIND_SITUATION,
    QUARANTINE_SITUATIONS,
    SITUATION_CATEGORY,
    STATUS_SITUATIONS,
    ContactMethod,
    QuarantineStatus,
    Situation,
)
from .models import QuarantinePeriod, ScreeningEntry, ScreeningRound
from .policies import monitoring_scope


@dataclass
class Progress:
    households: int = 0
    reached: int = 0
    unreachable: int = 0

    @property
    def remaining(self) -> int:
        return max(self.households - self.reached - self.unreachable, 0)

    @property
    def to_do(self) -> int:
        """Not yet tried, plus unreachable ones that come back on the list."""
        return max(self.households - self.reached, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.reached / self.households) if self.households else 0


def _visible_buildings(actor, round_: ScreeningRound):
    """The buildings of a round the actor may work: all of the round's place, or a steward's own."""
    scope = monitoring_scope(actor)
    buildings = Building.objects.filter(community_id=round_.community_id)
    if round_.compound_id:
        buildings = buildings.filter(compound_id=round_.compound_id)
    if round_.building_id:
        buildings = buildings.filter(pk=round_.building_id)
    if round_.community_id not in scope.communities("monitoring.view"):
        buildings = buildings.filter(pk__in=scope.buildings("monitoring.view"))
    return buildings


def access_round(*, actor, id: int, action: str = "view") -> ScreeningRound:
    round_ = (ScreeningRound.objects.for_actor(actor, action)
              .select_related("community", "compound", "building", "started_by").filter(pk=id).first())
    if round_ is None:
        raise ObjectNotFound()
    return round_


@dataclass
class RoundRow:
    round: ScreeningRound
    progress: Progress


def round_list(*, actor, limit: int = 30) -> list[RoundRow]:
    """Recent rounds in reach with their progress, in four queries whatever their number."""
    rounds = list(ScreeningRound.objects.for_actor(actor, "view")
                  .select_related("community", "compound", "building", "started_by")
                  .order_by("status", "-created_at", "-pk")[:limit])
    if not rounds:
        return []
    entry_counts = defaultdict(Progress)
    for row in (ScreeningEntry.objects.filter(round__in=rounds).order_by().values("round_id")
                .annotate(reached=Count("pk", filter=~Q(contact=ContactMethod.UNREACHABLE)),
                          unreachable=Count("pk", filter=Q(contact=ContactMethod.UNREACHABLE)))):
        entry_counts[row["round_id"]] = Progress(reached=row["reached"], unreachable=row["unreachable"])
    per_building = dict(Household.objects.filter(building_id__in={r.building_id for r in rounds if r.building_id})
                        .order_by().values_list("building_id").annotate(n=Count("pk")))
    per_compound = dict(Household.objects.filter(compound_id__in={r.compound_id for r in rounds
                                                                  if r.compound_id and not r.building_id})
                        .order_by().values_list("compound_id").annotate(n=Count("pk")))
    per_community = dict(Household.objects.filter(community_id__in={r.community_id for r in rounds
                                                                    if not r.compound_id})
                         .order_by().values_list("community_id").annotate(n=Count("pk")))
    rows = []
    for round_ in rounds:
        progress = entry_counts[round_.pk]
        if round_.building_id:
            progress.households = per_building.get(round_.building_id, 0)
        elif round_.compound_id:
            progress.households = per_compound.get(round_.compound_id, 0)
        else:
            progress.households = per_community.get(round_.community_id, 0)
        rows.append(RoundRow(round=round_, progress=progress))
    return rows


@dataclass
class BuildingProgress:
    building: Building
    progress: Progress


def round_progress(*, actor, round_: ScreeningRound) -> list[BuildingProgress]:
    """Per building of the round (that the actor may work): households, reached, unreachable, left."""
    buildings = list(_visible_buildings(actor, round_).select_related("compound"))
    ids = [b.pk for b in buildings]
    households = dict(Household.objects.filter(building_id__in=ids).order_by().values_list("building_id")
                      .annotate(n=Count("pk")))
    entries = {row["building_id"]: row for row in (
        ScreeningEntry.objects.filter(round=round_, building_id__in=ids).order_by().values("building_id")
        .annotate(reached=Count("pk", filter=~Q(contact=ContactMethod.UNREACHABLE)),
                  unreachable=Count("pk", filter=Q(contact=ContactMethod.UNREACHABLE))))}
    rows = [BuildingProgress(building=b, progress=Progress(
        households=households.get(b.pk, 0), reached=entries.get(b.pk, {}).get("reached", 0),
        unreachable=entries.get(b.pk, {}).get("unreachable", 0))) for b in buildings]
    rows.sort(key=lambda r: (natural_key(r.building.compound.name), r.building.sort_key,
                             natural_key(r.building.name)))
    return rows


def round_building(*, actor, round_: ScreeningRound, building_id: int) -> Building:
    building = _visible_buildings(actor, round_).select_related("compound").filter(pk=building_id).first()
    if building is None:
        raise ObjectNotFound()
    return building


@dataclass
class HouseholdRow:
    household: Household
    members: list[Person] = field(default_factory=list)
    entry: ScreeningEntry | None = None

    @property
    def state(self) -> str:
        if self.entry is None:
            return "todo"
        return "unreachable" if self.entry.contact == ContactMethod.UNREACHABLE else "done"

    @property
    def state_label(self) -> str:
        return {"todo": _("未排查"), "unreachable": _("未联系上，待再次联系"), "done": _("已排查")}[self.state]

    @property
    def flagged(self) -> bool:
        """Someone in the household was found in a situation other than normal."""
        if self.entry is None or self.entry.contact == ContactMethod.UNREACHABLE:
            return False
        members = self.entry.data.get("members", {})
        return any(code != Situation.NORMAL for codes in members.values() for code in codes)


def building_households(*, actor, round_: ScreeningRound, building: Building,
                        only_to_do: bool = False) -> list[HouseholdRow]:
    """The building's households in floor order with members and this round's entry (three queries)."""
    households = list(Household.objects.filter(building=building).select_related("unit"))
    rows = {h.pk: HouseholdRow(household=h) for h in households}
    for person in (Person.objects.filter(household_id__in=list(rows), is_active=True)
                   .only("pk", "name", "household_id", "relation", "is_representative", "name_pinyin")
                   .order_by("-is_representative", "pk")):
        rows[person.household_id].members.append(person)
    for entry in ScreeningEntry.objects.filter(round=round_, household_id__in=list(rows)):
        rows[entry.household_id].entry = entry
    result = sorted(rows.values(), key=lambda r: (natural_key(r.household.unit.name),
                                                  natural_key(r.household.room)))
    if only_to_do:
        result = [r for r in result if r.state != "done"]
    return result


def household_for_entry(*, actor, round_: ScreeningRound, household_id: int) -> HouseholdRow:
    """One household of the round in the actor's reach, with its members and entry."""
    household = Household.objects.select_related("unit", "building__compound").filter(pk=household_id).first()
    if household is None or not _visible_buildings(actor, round_).filter(pk=household.building_id).exists():
        raise ObjectNotFound()
    row = HouseholdRow(household=household,
                       members=list(Person.objects.filter(household=household, is_active=True)
                                    .order_by("-is_representative", "pk")))
    row.entry = ScreeningEntry.objects.filter(round=round_, household=household).first()
    return row


def next_household(*, round_: ScreeningRound, household: Household) -> Household | None:
    """The next household of the building still to do (after this one, then from the top)."""
    rows = sorted(Household.objects.filter(building_id=household.building_id).select_related("unit"),
                  key=lambda h: (natural_key(h.unit.name), natural_key(h.room)))
    done = set(ScreeningEntry.objects.filter(round=round_, building_id=household.building_id)
               .exclude(contact=ContactMethod.UNREACHABLE).values_list("household_id", flat=True))
    ids = [h.pk for h in rows]
    index = ids.index(household.pk) if household.pk in ids else -1
    for candidate in rows[index + 1:] + rows[:max(index, 0)]:
        if candidate.pk not in done and candidate.pk != household.pk:
            return candidate
    return None


# The situation a person's category stands for (the reverse of SITUATION_CATEGORY).
CATEGORY_SITUATION = {category: situation for situation, category in SITUATION_CATEGORY.items()}


def known_situations(*, round_: ScreeningRound, household: Household,
                     members: list[Person]) -> dict[int, dict[str, list[str]]]:
    """What is already known about each member, to pre-fill screening: {person id: {situation: [sources]}}.

    Sources: the person's category, an open quarantine period, and the statuses (not today's observations) of
    the household's latest earlier screening where the person was reached. A quarantine from that screening is
    left out when a quarantine period of the person has ended since (three queries)."""
    known: dict[int, dict[str, list[str]]] = {p.pk: {} for p in members}

    def add(person_id: int, code: str, source: str) -> None:
        known[person_id].setdefault(str(code), []).append(source)

    for person in members:
        situation = CATEGORY_SITUATION.get(person.category)
        if situation:
            add(person.pk, situation, _("人员类别"))
    periods = list(QuarantinePeriod.objects.filter(person__in=members).order_by()
                   .values_list("person_id", "kind", "status", "closed_at"))
    open_statuses = {QuarantineStatus.ACTIVE, QuarantineStatus.LOST}
    for person_id, kind, status, _closed in periods:
        if status in open_statuses and kind in KIND_SITUATION:
            add(person_id, KIND_SITUATION[kind], _("隔离观察中"))
    previous = (ScreeningEntry.objects.filter(household=household).exclude(round=round_)
                .exclude(contact=ContactMethod.UNREACHABLE).select_related("round").order_by("-updated_at").first())
    if previous is not None:
        when = previous.updated_at
        source = _("上次排查（%(date)s）") % {"date": f"{timezone.localtime(when).month}月{timezone.localtime(when).day}日"}
        ended_since = {person_id for person_id, _kind, status, closed in periods
                       if status not in open_statuses and closed is not None and closed > when}
        for key, codes in (previous.data.get("members") or {}).items():
            person_id = int(key) if str(key).isdigit() else None
            if person_id not in known:
                continue
            for code in codes:
                if code not in STATUS_SITUATIONS:
                    continue
                if code in QUARANTINE_SITUATIONS and person_id in ended_since:
                    continue
                add(person_id, code, source)
    return known
