"""Writes to the places tree. Each checks scope, validates, writes and audits in one transaction."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from sanshe.accounts.policies import require
from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound

from .models import Building, Community, Compound, Household, Unit


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
