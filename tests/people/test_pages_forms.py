"""Registering and editing people on the pages: Chinese errors, nothing typed is lost, the household picker."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.core.models import AuditEvent
from sanshe.people.models import Person
from sanshe.places.models import Household

pytestmark = pytest.mark.django_db

CREATE = "/people/new/"


def form_data(world, **overrides) -> dict:
    data = {
        "name": "孙丽", "doc_type": "resident_id", "doc_number": "", "sex": "U", "birth_date": "",
        "phone": "", "address": "", "compound": world.compound.pk, "building": world.building.pk,
        "unit": world.unit.pk, "household": world.household.pk, "new_room": "", "relation": "child",
        "category": "resident", "population_level": "",
    }
    data.update(overrides)
    return data


def test_create_requires_the_right_to_register_households(client, world, social_worker, secretary):
    client.force_login(social_worker)  # may edit people, may not register households
    assert client.get(CREATE).status_code == 403
    client.force_login(secretary)
    assert client.get(CREATE).status_code == 403


def test_create_registers_and_audits(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(CREATE, form_data(world, doc_number="440524188001010014", phone="13912345678",
                                             category="home_quarantine", chronic_disease="on"))
    person = Person.objects.get(name="孙丽")
    assert response["Location"] == reverse("people:person_detail", args=[person.pk])
    assert (person.household, person.sex, person.category, person.chronic_disease) == (
        world.household, "M", "home_quarantine", True)
    assert AuditEvent.objects.filter(action="person.create", object_id=str(person.pk)).exists()


def test_every_mistake_shows_at_once_in_chinese_and_nothing_typed_is_lost(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(CREATE, form_data(world, name="孙丽", doc_number="440524188001010015",
                                             phone="12345", household="", address="江汉路8号"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "身份证号校验位错误，请核对" in page
    assert "手机号应为11位中国大陆手机号" in page
    assert "请选择房号，或在下面填写新房号" in page
    for typed in ('value="孙丽"', 'value="440524188001010015"', 'value="12345"', 'value="江汉路8号"'):
        assert typed in page
    # The picker keeps its choices, with the options of the chosen compound, building and unit.
    assert f'<option value="{world.unit.pk}" selected>' in page
    assert not Person.objects.filter(name="孙丽").exists()
    assert "no-store" in response["Cache-Control"]


def test_a_duplicate_id_is_explained(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(CREATE, form_data(world, doc_number=world.spouse.doc_number))
    assert "该证件号码已登记" in response.content.decode()


def test_a_new_room_is_registered_with_the_person(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(CREATE, form_data(world, household="", new_room="1202"))
    assert response.status_code == 302
    household = Household.objects.get(unit=world.unit, room="1202")
    assert Person.objects.get(name="孙丽").household == household
    assert AuditEvent.objects.filter(action="household.create", object_id=str(household.pk)).exists()


def test_a_failed_registration_leaves_no_empty_household(client, world, community_worker):
    client.force_login(community_worker)
    client.post(CREATE, form_data(world, household="", new_room="1203", doc_number=world.spouse.doc_number))
    assert not Household.objects.filter(room="1203").exists()


def test_household_chosen_from_another_scope_is_refused(client, world, community_worker):
    client.force_login(community_worker)
    away = world.away_household
    response = client.post(CREATE, form_data(world, compound=away.compound_id, building=away.building_id,
                                             unit=away.unit_id, household=away.pk))
    assert response.status_code == 200 and response.context["form"].errors
    assert not Person.objects.filter(name="孙丽").exists()


def test_picker_offers_only_the_actors_places(client, world, building_steward):
    client.force_login(building_steward)
    page = client.get(reverse("people:household_picker"), {
        "compound": world.compound.pk, "building": world.building.pk, "unit": world.unit.pk}).content.decode()
    assert "锦绣小区" in page and "1栋" in page and "2栋" not in page
    assert ">101<" in page


def test_picker_resets_what_follows_a_changed_choice(client, world, community_worker):
    client.force_login(community_worker)
    # Building 2 chosen while unit 1 (of building 1) is still selected: the unit and room start over.
    page = client.get(reverse("people:household_picker"), {
        "compound": world.compound.pk, "building": world.building2.pk, "unit": world.unit.pk,
        "household": world.household.pk}).content.decode()
    unit_select = page.split('name="unit"')[1].split("</select>")[0]
    assert " selected>" not in unit_select.replace('<option value="" selected>', "")
    assert ">101<" not in page


def test_create_prefills_the_household_from_the_household_page(client, world, community_worker):
    client.force_login(community_worker)
    page = client.get(CREATE, {"household": world.household2.pk}).content.decode()
    assert f'<option value="{world.household2.pk}" selected>202</option>' in page


def test_edit_keeps_protected_values_unless_replaced(client, world, community_worker):
    client.force_login(community_worker)
    url = reverse("people:person_update", args=[world.spouse.pk])
    page = client.get(url).content.decode()
    assert world.spouse.doc_number not in page and world.spouse.phone not in page
    assert "已登记：110105********002X" in page
    response = client.post(url, form_data(world, name="王芳", sex="F", birth_date="1949-12-31",
                                          relation="spouse", household=world.household.pk, needs_care="on",
                                          is_active="on"))
    assert response.status_code == 302
    world.spouse.refresh_from_db()
    assert world.spouse.doc_number == "11010519491231002X" and world.spouse.needs_care
    event = AuditEvent.objects.get(action="person.update")
    assert "needs_care" in event.detail["fields"] and "doc_number" not in event.detail["fields"]


def test_edit_can_clear_a_phone_number(client, world, community_worker):
    client.force_login(community_worker)
    url = reverse("people:person_update", args=[world.head.pk])
    client.post(url, form_data(world, name="张伟", sex=world.head.sex, relation="head", clear_phone="on",
                               is_active="on"))
    world.head.refresh_from_db()
    assert world.head.phone is None and world.head.phone_index is None


def test_edit_errors_keep_what_was_typed(client, world, community_worker):
    client.force_login(community_worker)
    url = reverse("people:person_update", args=[world.spouse.pk])
    response = client.post(url, form_data(world, name="王芳芳", sex="M", relation="spouse", phone="138",
                                          is_active="on"))
    page = response.content.decode()
    assert "性别与身份证号不符" in page or "手机号应为11位" in page
    assert 'value="王芳芳"' in page and 'value="138"' in page
    world.spouse.refresh_from_db()
    assert world.spouse.name == "王芳"


def test_social_worker_edits_without_moving_the_household(client, world, social_worker):
    client.force_login(social_worker)
    url = reverse("people:person_update", args=[world.head.pk])
    page = client.get(url).content.decode()
    assert 'id="household-picker"' not in page and "更换住户请联系社区工作者" in page
    response = client.post(url, {"name": "张伟", "sex": world.head.sex, "doc_type": "resident_id", "relation": "head",
                                 "category": "severe_anxiety", "is_active": "on"})
    assert response.status_code == 302
    world.head.refresh_from_db()
    assert world.head.category == "severe_anxiety" and world.head.household == world.household
