"""Reads of the places tree, always scoped: access_<noun> for one object, <noun>_list for lists with counts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from sanshe.accounts.place_link import AssignablePlaces
from sanshe.core.errors import ObjectNotFound

from . import residents
from .models import Building, Community, Compound, Household, Unit


def _access(queryset: QuerySet, *, actor, id: int, action: str):
    """One object in the actor's scope; the same 404 whether it is missing or out of scope."""
    obj = queryset.for_actor(actor, action).filter(pk=id).first()
    if obj is None:
        raise ObjectNotFound()
    return obj


def access_community(*, actor, id: int, action: str = "view") -> Community:
    return _access(Community.objects.all(), actor=actor, id=id, action=action)


def access_compound(*, actor, id: int, action: str = "view") -> Compound:
    return _access(Compound.objects.select_related("community"), actor=actor, id=id, action=action)


def access_building(*, actor, id: int, action: str = "view") -> Building:
    return _access(Building.objects.select_related("compound", "community"), actor=actor, id=id, action=action)


def access_unit(*, actor, id: int, action: str = "view") -> Unit:
    return _access(Unit.objects.select_related("building__compound", "building__community"),
                   actor=actor, id=id, action=action)


def access_household(*, actor, id: int, action: str = "view") -> Household:
    return _access(Household.objects.select_related("unit", "building", "compound", "community"),
                   actor=actor, id=id, action=action)


def can(actor, queryset: QuerySet, pk: int | None, action: str = "view") -> bool:
    """Whether the actor may see (or change) one object: used to decide which links to show."""
    return pk is not None and queryset.for_actor(actor, action).filter(pk=pk).exists()


def natural_key(text: str) -> tuple:
    """Sort 101, 102, 201 … 1001 the way people count floors, not as strings (1001 before 101)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text or ""))


def _counts(queryset: QuerySet, key: str, ids: Iterable[int]) -> dict[int, int]:
    """{parent id: number of rows} in one GROUP BY query."""
    ids = list(ids)
    if not ids:
        return {}
    rows = queryset.filter(**{f"{key}__in": ids}).order_by().values(key).annotate(n=Count("pk"))
    return {row[key]: row["n"] for row in rows}


@dataclass
class PlaceRow:
    """A place in a list, with the counts of what lies under it."""

    obj: object
    counts: dict[str, int] = field(default_factory=dict)


def with_counts(objects: list, actor, key: str, *, compounds=False, buildings=False, households=True,
          people=True) -> list[PlaceRow]:
    """Wrap places with the counts of what lies under them (one GROUP BY query per kind of count)."""
    ids = [obj.pk for obj in objects]
    tallies: dict[str, dict[int, int]] = {}
    if compounds:
        tallies["compounds"] = _counts(Compound.objects.for_actor(actor, "view"), key, ids)
    if buildings:
        tallies["buildings"] = _counts(Building.objects.for_actor(actor, "view"), key, ids)
    if households:
        tallies["households"] = _counts(Household.objects.for_actor(actor, "view"), key, ids)
    if people:
        tallies["people"] = residents.people_per_place(actor, key, ids)
    return [PlaceRow(obj=obj, counts={name: t.get(obj.pk, 0) for name, t in tallies.items()}) for obj in objects]


def community_list(*, actor) -> list[PlaceRow]:
    """The communities the actor may see, with compound, building, household and people counts."""
    communities = list(Community.objects.for_actor(actor, "view"))
    return with_counts(communities, actor, "community_id", compounds=True, buildings=True)


def stewarded_building_list(*, actor) -> list[PlaceRow]:
    """Buildings the actor sees only as a steward (outside any community they cover)."""
    visible = Community.objects.for_actor(actor, "view").values("pk")
    buildings = list(
        Building.objects.for_actor(actor, "view").exclude(community_id__in=visible)
        .select_related("compound", "community")
    )
    return with_counts(buildings, actor, "building_id")


def compound_list(*, actor, community: Community) -> list[PlaceRow]:
    """The compounds of a community, with building, household and people counts."""
    compounds = list(Compound.objects.for_actor(actor, "view").filter(community=community).order_by("name"))
    return with_counts(compounds, actor, "compound_id", buildings=True)


def building_list(*, actor, compound: Compound) -> list[PlaceRow]:
    """The buildings of a compound in natural order (2栋 before 10栋), with household and people counts."""
    buildings = list(
        Building.objects.for_actor(actor, "view").filter(compound=compound).order_by("sort_key", "name")
    )
    for building in buildings:
        building.compound = compound  # already loaded; avoids a query per row in Building.__str__
    return with_counts(buildings, actor, "building_id")


@dataclass
class UnitRow:
    unit: Unit
    households: list[PlaceRow]


def unit_list(*, actor, building: Building) -> list[UnitRow]:
    """The units of a building, each with its households and how many people live in each."""
    units = list(Unit.objects.for_actor(actor, "view").filter(building=building).order_by("name"))
    households = list(
        Household.objects.for_actor(actor, "view").filter(building=building).order_by("unit_id", "room")
    )
    people = residents.people_per_place(actor, "household_id", [h.pk for h in households])
    by_unit: dict[int, list[PlaceRow]] = {unit.pk: [] for unit in units}
    for household in households:
        if household.unit_id in by_unit:
            by_unit[household.unit_id].append(PlaceRow(obj=household, counts={"people": people.get(household.pk, 0)}))
    return [UnitRow(unit=unit, households=sorted(by_unit[unit.pk], key=lambda row: natural_key(row.obj.room)))
            for unit in sorted(units, key=lambda unit: natural_key(unit.name))]


def household_members(*, actor, household: Household) -> list:
    """The people registered in a household that the actor may see (masked on the page)."""
    return residents.household_members(actor, household)


def assignable_places(actor, organisations: list) -> AssignablePlaces:
    """Communities these organisations serve that the actor sees, and their buildings in compound order (the
    role form of accounts, which asks through `accounts.place_link`)."""
    communities = list(
        Community.objects.for_actor(actor, "view").filter(organisations__in=organisations).distinct()
    )
    buildings = list(
        Building.objects.for_actor(actor, "view").filter(community_id__in=[c.pk for c in communities])
        .select_related("compound", "compound__community").order_by("community_id", "compound__name", "sort_key")
    )
    return AssignablePlaces(communities=communities, buildings=buildings)


def compound_choices(*, actor, action: str = "change") -> QuerySet:
    """Compounds holding a building the actor may act on (a steward sees the compound of their building)."""
    buildings = Building.objects.for_actor(actor, action).values("compound_id")
    return Compound.objects.filter(pk__in=buildings).select_related("community").order_by("community_id", "name")


def building_choices(*, actor, compound_id: int | None, action: str = "change") -> QuerySet:
    if not compound_id:
        return Building.objects.none()
    return Building.objects.for_actor(actor, action).filter(compound_id=compound_id).order_by("sort_key", "name")


def unit_choices(*, actor, building_id: int | None, action: str = "change") -> QuerySet:
    if not building_id:
        return Unit.objects.none()
    return Unit.objects.for_actor(actor, action).filter(building_id=building_id).order_by("name")


def household_choices(*, actor, unit_id: int | None, action: str = "change") -> list[Household]:
    if not unit_id:
        return []
    households = Household.objects.for_actor(actor, action).filter(unit_id=unit_id)
    return sorted(households, key=lambda household: natural_key(household.room))


@dataclass
class PlaceIds:
    """A community's places tree as lookups from names to ids (for bulk imports)."""

    compounds: dict[str, int]
    buildings: dict[tuple[int, str], int]  # (compound id, name)
    units: dict[tuple[int, str], int]  # (building id, name)
    households: dict[tuple[int, str], int]  # (unit id, room)


def community_place_ids(community_id: int) -> PlaceIds:
    """Every compound, building, unit and household of a community by name, in four queries.

    Unscoped: for callers that checked the actor's right to the whole community (the household sheet import).
    """
    compounds = dict(Compound.objects.filter(community_id=community_id).values_list("name", "id"))
    buildings = {(c, n): i for c, n, i in
                 Building.objects.filter(community_id=community_id).values_list("compound_id", "name", "id")}
    units = {(b, n): i for b, n, i in
             Unit.objects.filter(building__community_id=community_id).values_list("building_id", "name", "id")}
    households = {(u, r): i for u, r, i in
                  Household.objects.filter(community_id=community_id).values_list("unit_id", "room", "id")}
    return PlaceIds(compounds, buildings, units, households)
