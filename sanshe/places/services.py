"""Writes to the places tree. Each checks scope, validates, writes and audits in one transaction."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.accounts.policies import require
from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound

from .models import Building, Community, Compound, Household, Unit
from .selectors import community_place_ids


def building_sort_key(name: str) -> int:
    """Natural order for building names: 2栋 before 10栋."""
    digits = re.search(r"\d+", name or "")
    return int(digits.group()) if digits else 0


def _in_scope(actor, queryset, pk: int) -> None:
    if not queryset.for_actor(actor, "change").filter(pk=pk).exists():
        raise ObjectNotFound()


@transaction.atomic
def community_create(*, actor, organisation_id: int, name: str, code: str, district: str = "",
                     street: str = "", address: str = "", phone: str = "") -> Community:
    """An organisation admin adds a community that their organisation serves."""
    scope = require(actor, "users.manage")
    if organisation_id not in scope.organisation_ids_for("users.manage"):
        raise ObjectNotFound()
    community = Community(name=name.strip(), code=code.strip(), district=district, street=street,
                          address=address, phone=phone)
    community.full_clean()
    community.save()
    community.organisations.add(organisation_id)
    audit_record(actor=actor, action="community.create", obj=community)
    return community


@transaction.atomic
def compound_create(*, actor, community: Community, name: str, address: str = "") -> Compound:
    require(actor, "places.change")
    _in_scope(actor, Community.objects, community.pk)
    compound = Compound(community=community, name=name.strip(), address=address.strip())
    compound.full_clean()
    compound.save()
    audit_record(actor=actor, action="compound.create", obj=compound)
    return compound


@transaction.atomic
def building_create(*, actor, compound: Compound, name: str) -> Building:
    require(actor, "places.change")
    _in_scope(actor, Compound.objects, compound.pk)
    building = Building(compound=compound, community_id=compound.community_id, name=name.strip(),
                        sort_key=building_sort_key(name))
    building.full_clean()
    building.save()
    audit_record(actor=actor, action="building.create", obj=building)
    return building


@transaction.atomic
def unit_create(*, actor, building: Building, name: str) -> Unit:
    require(actor, "places.change")
    _in_scope(actor, Building.objects, building.pk)
    unit = Unit(building=building, name=name.strip())
    unit.full_clean()
    unit.save()
    audit_record(actor=actor, action="unit.create", obj=unit, community_id=building.community_id)
    return unit


@transaction.atomic
def household_create(*, actor, unit: Unit, room: str) -> Household:
    require(actor, "places.change")
    _in_scope(actor, Unit.objects, unit.pk)
    building = unit.building
    household = Household(unit=unit, room=room.strip(), building=building, compound_id=building.compound_id,
                          community_id=building.community_id)
    household.full_clean()
    household.save()
    audit_record(actor=actor, action="household.create", obj=household)
    return household


def _locked(actor, queryset, pk: int):
    """Re-read one object for change, locked, within the actor's change scope (404 otherwise)."""
    obj = queryset.for_actor(actor, "change").select_for_update().filter(pk=pk).first()
    if obj is None:
        raise ObjectNotFound()
    return obj


def _apply(obj, values: dict[str, str]) -> list[str]:
    """Set the given text fields (stripped); the names of those that changed."""
    changed = []
    for key, value in values.items():
        value = (value or "").strip()
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed.append(key)
    return changed


@transaction.atomic
def community_update(*, actor, community: Community, name: str, district: str = "", street: str = "",
                     address: str = "", phone: str = "") -> Community:
    """Correct a community's name, location or office phone (the number residents are told to call)."""
    require(actor, "places.change")
    community = _locked(actor, Community.objects, community.pk)
    changed = _apply(community, {"name": name, "district": district, "street": street, "address": address,
                                 "phone": phone})
    community.full_clean()
    community.save()
    audit_record(actor=actor, action="community.update", obj=community, detail={"fields": changed})
    return community


@transaction.atomic
def compound_update(*, actor, compound: Compound, name: str, address: str = "") -> Compound:
    require(actor, "places.change")
    compound = _locked(actor, Compound.objects, compound.pk)
    changed = _apply(compound, {"name": name, "address": address})
    compound.full_clean()
    compound.save()
    audit_record(actor=actor, action="compound.update", obj=compound, detail={"fields": changed})
    return compound


@transaction.atomic
def building_update(*, actor, building: Building, name: str) -> Building:
    require(actor, "places.change")
    building = _locked(actor, Building.objects, building.pk)
    changed = _apply(building, {"name": name})
    building.sort_key = building_sort_key(building.name)
    building.full_clean()
    building.save()
    audit_record(actor=actor, action="building.update", obj=building, detail={"fields": changed})
    return building


@transaction.atomic
def unit_update(*, actor, unit: Unit, name: str) -> Unit:
    require(actor, "places.change")
    unit = _locked(actor, Unit.objects.select_related("building"), unit.pk)
    changed = _apply(unit, {"name": name})
    unit.full_clean()
    unit.save()
    audit_record(actor=actor, action="unit.update", obj=unit, community_id=unit.building.community_id,
                 detail={"fields": changed})
    return unit


@transaction.atomic
def household_update(*, actor, household: Household, room: str) -> Household:
    require(actor, "places.change")
    household = _locked(actor, Household.objects, household.pk)
    changed = _apply(household, {"room": room})
    household.full_clean()
    household.save()
    audit_record(actor=actor, action="household.update", obj=household, detail={"fields": changed})
    return household


@transaction.atomic
def household_find_or_create(*, actor, unit: Unit, room: str) -> Household:
    """The household at this room of the unit, created (and audited) if it is not registered yet."""
    require(actor, "places.change")
    _in_scope(actor, Unit.objects, unit.pk)
    existing = Household.objects.for_actor(actor, "change").filter(unit=unit, room=room.strip()).first()
    if existing is not None:
        return existing
    return household_create(actor=actor, unit=unit, room=room)


@transaction.atomic
def household_create_many(*, actor, unit: Unit, rooms: list[str]) -> tuple[list[Household], list[str]]:
    """Register several rooms of one unit; rooms already registered are skipped and reported back."""
    require(actor, "places.change")
    _in_scope(actor, Unit.objects, unit.pk)
    rooms = [room.strip() for room in rooms if room.strip()]
    existing = set(
        Household.objects.for_actor(actor, "change").filter(unit=unit, room__in=rooms).values_list("room", flat=True)
    )
    created = [household_create(actor=actor, unit=unit, room=room) for room in rooms if room not in existing]
    return created, [room for room in rooms if room in existing]


def place_label(household: Household) -> str:
    """楼栋-单元-房号, the way residents and nickname conventions write an address."""
    return _("%(building)s-%(unit)s-%(room)s") % {
        "building": household.building.name, "unit": household.unit.name, "room": household.room}


# (compound, building, unit, room) names, as a household sheet writes an address.
Address = tuple[str, str, str, str]
# (household id, building id, compound id, community id)
HouseholdIds = tuple[int, int, int, int]
HOUSEHOLD_BATCH_SIZE = 2000


def _households_insert(rows: list[tuple[int, str, int, int, int]]) -> None:
    """INSERT (unit, room, building, compound, community) rows, one statement per batch, without a model
    instance per household: bulk_create's per-object, per-field cost was ten times this for a big sheet.
    Every other column gets its field's default, so a field added later is written too."""
    connection = connections[router.db_for_write(Household)]
    varying = ("unit_id", "room", "building_id", "compound_id", "community_id", "created_at", "updated_at")
    fields = [f for f in Household._meta.concrete_fields if not f.primary_key]
    by_attname = {f.attname: f for f in fields}
    fixed = [f for f in fields if f.attname not in varying]
    fixed_values = tuple(f.get_db_prep_save(f.get_default(), connection) for f in fixed)
    quote = connection.ops.quote_name
    columns = [quote(f.column) for f in fixed] + [quote(by_attname[a].column) for a in varying]
    sql = (f"INSERT INTO {quote(Household._meta.db_table)} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    values = [fixed_values + row + (now, now) for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), HOUSEHOLD_BATCH_SIZE):
            cursor.executemany(sql, values[start:start + HOUSEHOLD_BATCH_SIZE])


def households_ensure(*, community_id: int, addresses: Iterable[Address]) -> tuple[dict[Address, HouseholdIds], dict]:
    """Create the compounds, buildings, units and households these addresses need in one community, in bulk.

    A few queries per kind of place whatever the number of addresses (the household sheet import writes
    tens of thousands of rows). The caller checked the actor's right to the whole community and audits the
    import as one event, inside its transaction. Returns each address's ids and how many of each kind were
    created. A household added meanwhile by someone else fails the unique constraint (IntegrityError) and
    with it the caller's transaction, never a silent double.
    """
    addresses = set(addresses)
    places = community_place_ids(community_id)
    created = {"compounds": 0, "buildings": 0, "units": 0, "households": 0}

    wanted = {a[0] for a in addresses} - places.compounds.keys()
    if wanted:
        Compound.objects.bulk_create([Compound(community_id=community_id, name=n) for n in sorted(wanted)],
                                     ignore_conflicts=True)
        places.compounds = dict(Compound.objects.filter(community_id=community_id).values_list("name", "id"))
        created["compounds"] = len(wanted)

    wanted_b = {(places.compounds[a[0]], a[1]) for a in addresses} - places.buildings.keys()
    if wanted_b:
        Building.objects.bulk_create([
            Building(compound_id=c, community_id=community_id, name=n, sort_key=building_sort_key(n))
            for c, n in sorted(wanted_b)], ignore_conflicts=True)
        places.buildings = {(c, n): i for c, n, i in Building.objects.filter(community_id=community_id)
                            .values_list("compound_id", "name", "id")}
        created["buildings"] = len(wanted_b)

    building_of = {(a[0], a[1]): places.buildings[(places.compounds[a[0]], a[1])] for a in addresses}
    wanted_u = {(building_of[(a[0], a[1])], a[2]) for a in addresses} - places.units.keys()
    if wanted_u:
        Unit.objects.bulk_create([Unit(building_id=b, name=n) for b, n in sorted(wanted_u)], ignore_conflicts=True)
        places.units = {(b, n): i for b, n, i in Unit.objects.filter(building__community_id=community_id)
                        .values_list("building_id", "name", "id")}
        created["units"] = len(wanted_u)

    compound_of_building = {b: c for (c, _n), b in places.buildings.items()}
    unit_of = {a: places.units[(building_of[(a[0], a[1])], a[2])] for a in addresses}
    wanted_h: dict[tuple[int, str], int] = {}
    for address, unit_id in unit_of.items():
        key = (unit_id, address[3])
        if key not in places.households:
            wanted_h[key] = building_of[(address[0], address[1])]
    if wanted_h:
        # Checked above that none exists: no ignore_conflicts here (see the docstring).
        _households_insert([(u, room, b, compound_of_building[b], community_id)
                            for (u, room), b in sorted(wanted_h.items())])
        places.households = {(u, r): i for u, r, i in Household.objects.filter(community_id=community_id)
                             .values_list("unit_id", "room", "id")}
        created["households"] = len(wanted_h)

    result = {}
    for address, unit_id in unit_of.items():
        building_id = building_of[(address[0], address[1])]
        result[address] = (places.households[(unit_id, address[3])], building_id,
                           compound_of_building[building_id], community_id)
    return result, created
