"""Model rows → response dicts. Personal data only ever in masked form here."""

from __future__ import annotations

from typing import Any

from sanshe.core.pii import birth_year
from sanshe.people.choices import VULNERABILITY_FLAGS, Category, DocumentType, PopulationLevel, Relation, Sex
from sanshe.people.models import Person
from sanshe.places.models import Building, Community, Compound, Household, Unit


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def household_label(household: Household | None) -> str:
    """楼栋-单元-房号, from a household loaded with its unit and building."""
    if household is None:
        return ""
    return f"{household.building.name}-{household.unit.name}-{household.room}"


def community_out(community: Community) -> dict[str, Any]:
    return {"id": community.pk, "name": community.name, "code": community.code, "district": community.district,
            "street": community.street, "address": community.address, "phone": community.phone}


def compound_out(compound: Compound) -> dict[str, Any]:
    return {"id": compound.pk, "community_id": compound.community_id, "name": compound.name,
            "address": compound.address}


def building_out(building: Building) -> dict[str, Any]:
    return {"id": building.pk, "community_id": building.community_id, "compound_id": building.compound_id,
            "name": building.name}


def unit_out(unit: Unit) -> dict[str, Any]:
    return {"id": unit.pk, "building_id": unit.building_id, "name": unit.name}


def household_out(household: Household) -> dict[str, Any]:
    return {
        "id": household.pk, "label": household_label(household), "room": household.room,
        "unit_id": household.unit_id, "building_id": household.building_id, "compound_id": household.compound_id,
        "community_id": household.community_id, "member_count": getattr(household, "member_count", 0),
    }


def person_brief(person: Person) -> dict[str, Any]:
    """A list row: masked document and phone, no address."""
    return {
        "id": person.pk,
        "name": person.name,
        "sex": person.sex,
        "sex_label": _label(Sex, person.sex),
        "birth_year": birth_year(person.birth_date),
        "relation": person.relation,
        "relation_label": _label(Relation, person.relation),
        "is_representative": person.is_representative,
        "doc_type": person.doc_type,
        "doc_type_label": _label(DocumentType, person.doc_type),
        "doc_number_masked": person.doc_number_masked,
        "phone_masked": person.phone_masked,
        "category": person.category,
        "category_label": _label(Category, person.category),
        "population_level": person.population_level,
        "vulnerabilities": [{"code": flag, "label": str(label)} for flag, label in VULNERABILITY_FLAGS
                            if getattr(person, flag)],
        "household_id": person.household_id,
        "household_label": household_label(person.household) if person.household_id else "",
        "community_id": person.community_id,
        "compound_id": person.compound_id,
        "building_id": person.building_id,
    }


def person_out(person: Person) -> dict[str, Any]:
    """The detail view: the brief plus masked address, place names and record state."""
    data = person_brief(person)
    data.update({
        "address_masked": person.address_masked,
        "community_name": person.community.name,
        "compound_name": person.compound.name if person.compound_id else "",
        "building_name": person.building.name if person.building_id else "",
        "population_level_label": _label(PopulationLevel, person.population_level) if person.population_level else "",
        "is_active": person.is_active,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
    })
    return data
