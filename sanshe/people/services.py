"""Writes to people: create, update, reveal. Each validates, writes and audits in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.accounts.policies import require
from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound
from sanshe.core.identity import IdentityError, age_on, normalize_phone, parse_resident_id
from sanshe.core.models import AuditOutcome
from sanshe.core.pii import blind_index
from sanshe.places.models import Household

from .choices import DocumentType, Sex
from .models import Person
from .pinyin import name_keys
from .search import phone_tail_index

PERSON_FIELDS = {
    "name", "sex", "birth_date", "doc_type", "doc_number", "phone", "address", "relation",
    "is_representative", "category", "population_level", "elderly_alone", "chronic_disease", "pregnant",
    "disabled", "child_under_14", "needs_care", "is_active",
}
REVEALABLE = {"doc_number": "证件号码", "phone": "手机号", "address": "详细地址", "birth_date": "出生日期"}


def person_normalise(person: Person, *, today: date | None = None) -> None:
    """Derive and cross-check everything that follows from the entered values; ValidationError in Chinese."""
    errors: dict[str, str] = {}
    person.name = (person.name or "").strip()
    if not person.name:
        errors["name"] = _("姓名不能为空")
    person.name_pinyin, person.name_initials = name_keys(person.name)
    number = (person.doc_number or "").strip().replace(" ", "").upper() or None
    person.doc_number = number
    if number and person.doc_type == DocumentType.RESIDENT_ID:
        try:
            parsed = parse_resident_id(number, today=today)
        except IdentityError as exc:
            errors["doc_number"] = str(exc)
        else:
            if person.sex in (Sex.MALE, Sex.FEMALE) and person.sex != parsed.sex:
                errors["sex"] = _("性别与身份证号不符（身份证号显示为%(sex)s）") % {
                    "sex": Sex(parsed.sex).label}
            if person.birth_date and person.birth_date != parsed.birth_date:
                errors["birth_date"] = _("出生日期与身份证号不符")
            person.sex = parsed.sex
            person.birth_date = parsed.birth_date
    person.doc_index = blind_index(f"doc:{person.doc_type}", number)
    if person.phone:
        try:
            person.phone = normalize_phone(person.phone)
        except IdentityError as exc:
            errors["phone"] = str(exc)
    person.phone = person.phone or None
    person.phone_index = blind_index("phone", person.phone)
    person.phone_tail_index = phone_tail_index(person.phone)
    person.address = (person.address or "").strip() or None
    if person.birth_date:
        person.child_under_14 = age_on(person.birth_date, today or timezone.localdate()) < 14
    if person.household_id:
        household = person.household
        person.community_id = household.community_id
        person.compound_id = household.compound_id
        person.building_id = household.building_id
    if errors:
        raise ValidationError(errors)


def _check_duplicate(person: Person) -> None:
    if person.doc_index and Person.objects.filter(doc_index=person.doc_index).exclude(pk=person.pk).exists():
        raise ValidationError({"doc_number": _("该证件号码已登记（同一人不能重复登记）")})


@transaction.atomic
def person_create(*, actor, household: Household, data: dict[str, Any]) -> Person:
    """Register a person in a household the actor may change."""
    require(actor, "people.change")
    if not Household.objects.for_actor(actor, "change").filter(pk=household.pk).exists():
        raise ObjectNotFound()
    person = Person(household=household, **{k: v for k, v in data.items() if k in PERSON_FIELDS})
    person_normalise(person)
    _check_duplicate(person)
    person.full_clean()
    try:
        person.save()
    except IntegrityError as exc:
        raise ValidationError({"doc_number": _("该证件号码已登记（同一人不能重复登记）")}) from exc
    audit_record(actor=actor, action="person.create", obj=person)
    return person


def _birth_date_follows_the_id(person: Person, data: dict[str, Any]) -> bool:
    """While a record keeps its resident ID, the ID is the birth date's only source (sanshe.core.pii, rule 3).

    A birth date sent on its own is refused whatever its value: answering "does not match" would let
    someone who sees only the masked ID test dates until the hidden digits are found. True when a new
    ID is sent without a birth date: the new ID brings its own.
    """
    doc_type = data.get("doc_type", person.doc_type)
    new_number = (data.get("doc_number") or "").strip() if "doc_number" in data else None
    keeps_id = person.doc_type == DocumentType.RESIDENT_ID and bool(person.doc_number) and (
        doc_type == DocumentType.RESIDENT_ID) and new_number is None
    if keeps_id and data.get("birth_date") is not None:
        raise ValidationError({"birth_date": _(
            "已登记身份证号，出生日期按身份证号推算，不能单独修改；如有错误，请填写正确的身份证号")})
    return bool(new_number) and doc_type == DocumentType.RESIDENT_ID and "birth_date" not in data


@transaction.atomic
def person_update(*, actor, person: Person, data: dict[str, Any], household: Household | None = None) -> Person:
    """Change a person's record; the changed field names (never values) go to the audit log."""
    require(actor, "people.change")
    person = Person.objects.for_actor(actor, "change").select_for_update().filter(pk=person.pk).first()
    if person is None:
        raise ObjectNotFound()
    rederive_birth_date = _birth_date_follows_the_id(person, data)
    stored_birth_date = person.birth_date
    changed = []
    for key, value in data.items():
        if key in PERSON_FIELDS and getattr(person, key) != value:
            setattr(person, key, value)
            changed.append(key)
    if rederive_birth_date:
        person.birth_date = None  # person_normalise reads it from the new ID
    if household is not None and household.pk != person.household_id:
        if not Household.objects.for_actor(actor, "change").filter(pk=household.pk).exists():
            raise ObjectNotFound()
        person.household = household
        changed.append("household")
    person_normalise(person)
    if person.birth_date == stored_birth_date:
        changed = [key for key in changed if key != "birth_date"]
    elif "birth_date" not in changed:
        changed.append("birth_date")  # brought by a new ID
    _check_duplicate(person)
    person.full_clean()
    person.save()
    # Re-check: the actor must still be able to see what they just wrote.
    if not Person.objects.for_actor(actor, "view").filter(pk=person.pk).exists():
        raise ObjectNotFound()
    audit_record(actor=actor, action="person.update", obj=person, detail={"fields": sorted(changed)})
    return person


@dataclass(frozen=True)
class Revealed:
    field: str
    label: str
    value: str


def person_reveal(*, actor, person_id: int, field: str, reason: str) -> Revealed:
    """Show one protected field in full, with a written reason that goes to the audit log.

    Not atomic on purpose: a denied attempt is audited and must stay audited when the 404 is raised.
    """
    if field not in REVEALABLE:
        raise ValidationError({"field": _("该字段不能查看")})
    reason = (reason or "").strip()
    person = Person.objects.for_actor(actor, "reveal").filter(pk=person_id).first()
    if person is None:
        audit_record(actor=actor, action="person.reveal", outcome=AuditOutcome.DENIED,
                     detail={"field": field, "person_id": person_id})
        raise ObjectNotFound()
    if len(reason) < 4:
        raise ValidationError({"reason": _("请填写查看事由（至少4个字）")})
    audit_record(actor=actor, action="person.reveal", obj=person, reason=reason, detail={"field": field})
    value = getattr(person, field)
    # The full birth date holds the digits a masked ID hides: shown only here, audited like the ID.
    text = value.isoformat() if field == "birth_date" and value else (value or "")
    return Revealed(field=field, label=REVEALABLE[field], value=text)


def _household_or_new_room(*, actor, household: Household | None, unit=None, room: str = "") -> Household:
    """The chosen household, or the household at a room of the unit not registered yet (created, audited)."""
    from sanshe.places.services import household_find_or_create

    if household is not None:
        return household
    if unit is None or not room.strip():
        raise ValidationError({"household": _("请选择房号，或填写新房号")})
    return household_find_or_create(actor=actor, unit=unit, room=room)


@transaction.atomic
def person_register(*, actor, data: dict[str, Any], household: Household | None = None, unit=None,
                    room: str = "") -> Person:
    """Register a person in a chosen household or in a new room of a unit, all or nothing."""
    household = _household_or_new_room(actor=actor, household=household, unit=unit, room=room)
    return person_create(actor=actor, household=household, data=data)


@transaction.atomic
def person_edit(*, actor, person: Person, data: dict[str, Any], household: Household | None = None, unit=None,
                room: str = "") -> Person:
    """Change a person's record and, if asked, move them to another (possibly new) household, all or nothing."""
    if household is None and unit is not None and room.strip():
        household = _household_or_new_room(actor=actor, household=None, unit=unit, room=room)
    return person_update(actor=actor, person=person, data=data, household=household)


def person_link_user(*, person: Person, user) -> None:
    """Link a registered person to the resident account made for them at their first login (the one-time-code
    login audits the account's creation)."""
    person.user = user
    person.save(update_fields=["user", "updated_at"])
