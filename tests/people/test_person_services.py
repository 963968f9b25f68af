"""person_create / person_update / person_reveal: rules, scoping, encryption at rest, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.people.models import Person
from sanshe.people.services import person_create, person_reveal, person_update


def test_create_derives_birth_date_sex_and_pinyin_and_audits(world, community_worker):
    person = person_create(actor=community_worker, household=world.household, data={
        "name": "欧阳娜娜", "doc_number": "11010519491231002x".replace("11010519491231002x", "440524188001010014"),
        "phone": "+86 139 1234 5678", "relation": "child"})
    assert person.birth_date.isoformat() == "1880-01-01"
    assert person.sex == "M"
    assert person.name_initials == "oynn"
    assert person.phone == "13912345678"
    assert person.community_id == world.home.pk
    event = AuditEvent.objects.get(action="person.create")
    assert event.object_id == str(person.pk) and event.actor == community_worker


def test_id_and_phone_are_not_stored_in_plain_text(world, community_worker):
    person_create(actor=community_worker, household=world.household, data={
        "name": "孙丽", "doc_number": "440524188001010014", "phone": "13912345678"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc_number, phone, doc_index, phone_index FROM people_person WHERE name = %s", ["孙丽"])
        doc_number, phone, doc_index, phone_index = cursor.fetchone()
    for stored in (doc_number, phone, doc_index, phone_index):
        assert "440524188001010014" not in stored and "13912345678" not in stored
    assert doc_number.startswith("gAAAA")  # a Fernet token


def test_bad_id_check_digit_is_explained(world, community_worker):
    with pytest.raises(ValidationError) as exc:
        person_create(actor=community_worker, household=world.household,
                      data={"name": "孙丽", "doc_number": "440524188001010015"})
    assert "校验位" in str(exc.value.message_dict["doc_number"])


def test_sex_contradicting_the_id_is_refused(world, community_worker):
    with pytest.raises(ValidationError) as exc:
        person_create(actor=community_worker, household=world.household,
                      data={"name": "孙丽", "sex": "F", "doc_number": "440524188001010014"})
    assert "sex" in exc.value.message_dict


def test_duplicate_id_is_refused(world, community_worker):
    with pytest.raises(ValidationError) as exc:
        person_create(actor=community_worker, household=world.household,
                      data={"name": "王芳", "doc_number": "11010519491231002X"})
    assert "已登记" in str(exc.value.message_dict["doc_number"])


def test_other_document_types_skip_the_resident_id_check(world, community_worker):
    person = person_create(actor=community_worker, household=world.household,
                           data={"name": "John Smith", "doc_type": "passport", "doc_number": "E12345678"})
    assert person.doc_number_masked == "E1*****78"


def test_volunteer_cannot_create(world, medic):
    with pytest.raises(ActionForbidden):
        person_create(actor=medic, household=world.household, data={"name": "孙丽"})


def test_out_of_scope_household_is_404(world, outsider):
    with pytest.raises(ObjectNotFound):
        person_create(actor=outsider, household=world.household, data={"name": "孙丽"})


def test_update_audits_field_names_not_values(world, social_worker):
    person_update(actor=social_worker, person=world.head, data={"phone": "13700000001", "category": "home_quarantine"})
    event = AuditEvent.objects.get(action="person.update")
    assert event.detail == {"fields": ["category", "phone"]}
    assert "13700000001" not in str(event.detail)
    world.head.refresh_from_db()
    assert world.head.phone == "13700000001"


def test_update_out_of_scope_is_404(world, outsider):
    with pytest.raises(ObjectNotFound):
        person_update(actor=outsider, person=world.head, data={"name": "改名"})


def test_reveal_requires_a_reason_and_is_audited(world, social_worker):
    with pytest.raises(ValidationError):
        person_reveal(actor=social_worker, person_id=world.spouse.pk, field="doc_number", reason="")
    revealed = person_reveal(actor=social_worker, person_id=world.spouse.pk, field="doc_number",
                             reason="联系家属核实隔离信息")
    assert revealed.value == "11010519491231002X"
    event = AuditEvent.objects.get(action="person.reveal", outcome="success")
    assert event.reason == "联系家属核实隔离信息"
    assert event.detail == {"field": "doc_number"}


def test_out_of_scope_reveal_is_404_and_audited_as_denied(world, outsider):
    with pytest.raises(ObjectNotFound):
        person_reveal(actor=outsider, person_id=world.head.pk, field="phone", reason="想看看这个人")
    assert AuditEvent.objects.filter(action="person.reveal", outcome="denied").count() == 1


def test_resident_reveals_own_phone_but_not_household_members(world, resident):
    assert person_reveal(actor=resident, person_id=world.head.pk, field="phone", reason="核对本人信息").value
    with pytest.raises(ObjectNotFound):
        person_reveal(actor=resident, person_id=world.spouse.pk, field="phone", reason="核对家人信息")


def test_masked_properties(world):
    person = Person.objects.get(pk=world.spouse.pk)
    assert person.doc_number_masked == "110105********002X"
    assert person.phone_masked.count("*") == 4
