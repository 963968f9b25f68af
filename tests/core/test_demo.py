"""The demo community: deterministic, valid, scoped as the roles say, and loaded once."""

from __future__ import annotations

import itertools
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import Client

from sanshe.accounts.models import User
from sanshe.accounts.roles import Role
from sanshe.core.identity import age_on, parse_resident_id
from sanshe.core.models import AuditEvent
from sanshe.core.pii import blind_index
from sanshe.people.choices import Category, DocumentType, Relation
from sanshe.people.demo_community import (
    DEMO_PASSWORD,
    RESIDENT_PHONE,
    DemoGenerator,
    demo_logins,
    feature_demos,
)
from sanshe.people.models import Person
from sanshe.places.models import Building, Community, Compound, Household

TODAY = date(2026, 3, 1)


def _generate(seed: int, people: int = 600) -> tuple:
    generator = DemoGenerator(people=people, seed=seed, today=TODAY)
    plan = generator.places()
    return plan, list(generator.people_of(plan))


def test_same_seed_same_street_and_people():
    plan_a, people_a = _generate(7)
    plan_b, people_b = _generate(7)
    assert plan_a == plan_b
    assert people_a == people_b
    _plan_c, people_c = _generate(8)
    assert [m["name"] for _, ms in people_c for m in ms] != [m["name"] for _, ms in people_a for m in ms]


def test_default_size_matches_the_brief():
    generator = DemoGenerator(people=5000, seed=2020, today=TODAY)
    plan = generator.places()
    assert len(plan.communities) == 2
    assert len(plan.compounds) == 4
    assert 35 <= len(plan.buildings) <= 45
    assert 1800 <= len(plan.households) <= 2200
    assert sum(size for *_rest, size in plan.households) == 5000
    assert {street for _n, _c, street, _a, _p in plan.communities} == {"民族街道"}


def test_generated_people_are_plausible_families_with_valid_documents():
    plan, households = _generate(11, people=2000)
    assert sum(len(members) for _, members in households) == 2000
    numbers = [m["doc_number"] for _, members in households for m in members]
    assert len(numbers) == len(set(numbers))
    for _index, members in households:
        assert members[0]["relation"] == Relation.HEAD
        assert [m["is_representative"] for m in members].count(True) == 1
        for member in members:
            assert 2 <= len(member["name"]) <= 4
            if member["doc_type"] == DocumentType.RESIDENT_ID:
                parsed = parse_resident_id(member["doc_number"], today=TODAY)
                assert parsed.sex == member["sex"]
                assert parsed.birth_date == member["birth_date"]
            if member["elderly_alone"]:
                assert len(members) == 1 and age_on(member["birth_date"], TODAY) >= 60
    categories = {m["category"] for _, members in households for m in members}
    assert {Category.RESIDENT, Category.HOME_QUARANTINE, Category.QUARANTINE_FAMILY,
            Category.SEVERE_ANXIETY} <= categories
    assert households[0][1][0]["phone"] == RESIDENT_PHONE


@pytest.fixture
def demo(db):
    call_command("demo", people=1500, no_progress=True, no_logins=True, core_only=True)


def test_demo_loads_places_people_and_one_audit_event(demo):
    assert Community.objects.count() == 2
    assert Compound.objects.count() == 4
    assert Building.objects.count() >= 8
    assert Person.objects.count() == 1500
    # Every household has exactly one representative, and every person is in a household.
    assert not Household.objects.annotate(n=Count("members")).filter(n=0).exists()
    assert set(Person.objects.filter(is_representative=True).values_list("household_id", flat=True)) == set(
        Household.objects.values_list("pk", flat=True))
    # Derived the way the services derive them: pinyin keys, blind indexes, children by birth date.
    person = Person.objects.exclude(doc_number=None).order_by("pk").first()
    assert person.name_pinyin and person.name_initials
    assert person.doc_index == blind_index(f"doc:{person.doc_type}", person.doc_number)
    for child in Person.objects.filter(child_under_14=True)[:50]:
        assert age_on(child.birth_date, date.today()) < 14
    assert Person.objects.filter(category=Category.HOME_QUARANTINE).exists()
    assert Person.objects.filter(elderly_alone=True).exists()
    events = list(AuditEvent.objects.filter(action="demo.load"))
    assert len(events) == 1
    assert set(events[0].detail) == {"seed", "people", "households", "communities"}


def test_printed_logins_cover_every_role_and_work(demo):
    logins = demo_logins()
    labels = {login.role for login in logins}
    assert {str(role.label) for role in Role} <= labels
    validate_password(DEMO_PASSWORD)
    for login in logins:
        client = Client()
        response = client.post("/accounts/login/", {"username": login.username, "password": login.password},
                               follow=True)
        assert response.status_code == 200, login.username
        assert response.redirect_chain and response.redirect_chain[-1][0] == "/", login.username
        assert "工作台" in response.content.decode()


def test_resident_has_a_phone_login_and_a_household(demo):
    resident = User.objects.get(username="jumin")
    assert resident.phone == RESIDENT_PHONE
    assert resident.phone_index == blind_index("phone", RESIDENT_PHONE)
    person = resident.person
    assert person.phone_index == resident.phone_index
    assert person.name == resident.display_name
    assert person.household.members.count() == 3
    assert Person.objects.for_actor(resident, "view").count() == 3


def test_roles_see_their_own_part_of_the_street(demo):
    first, second = Community.objects.order_by("code")
    admin = User.objects.get(username="admin")
    community_worker = User.objects.get(username="shequ")
    steward = User.objects.get(username="loudong")
    volunteer = User.objects.get(username="mishu")
    assert Person.objects.for_actor(admin, "view").count() == 1500
    assert set(Person.objects.for_actor(community_worker, "view").values_list("community_id", flat=True)) == {
        first.pk}
    stewarded = set(steward.memberships.get().buildings.values_list("pk", flat=True))
    assert set(Person.objects.for_actor(steward, "view").values_list("building_id", flat=True)) == stewarded
    assert not Person.objects.for_actor(volunteer, "view").exists()
    assert second.pk in set(Person.objects.for_actor(User.objects.get(username="shegong"), "view")
                            .values_list("community_id", flat=True))


def test_demo_is_loaded_once(demo):
    call_command("demo", if_empty=True, no_progress=True, no_logins=True, core_only=True)
    assert Person.objects.count() == 1500
    with pytest.raises(CommandError, match="演示数据已经存在"):
        call_command("demo", people=100, no_progress=True, no_logins=True, core_only=True)
    assert AuditEvent.objects.filter(action="demo.load").count() == 1


@pytest.mark.django_db
def test_if_empty_leaves_a_database_with_real_data_alone(world):
    call_command("demo", if_empty=True, no_progress=True, no_logins=True)
    assert not AuditEvent.objects.filter(action="demo.load").exists()
    assert not User.objects.filter(username="admin").exists()


def test_household_sizes_vary_like_a_real_street():
    _plan, households = _generate(3, people=3000)
    sizes = {len(members) for _, members in households}
    assert {1, 2, 3, 4, 5} <= sizes
    mean = sum(len(m) for _, m in households) / len(households)
    assert 2.2 <= mean <= 2.9
    assert list(itertools.islice((m["relation"] for _, ms in households for m in ms[1:]), 10))


@pytest.mark.django_db
def test_every_feature_brings_its_demo_once(capsys):
    """`manage.py demo` loads each app's own demo on top of the core one; `make run` later adds nothing twice."""
    features = feature_demos()
    first = StringIO()
    call_command("demo", people=300, no_progress=True, no_logins=True, stdout=first)
    summaries = [line for line in first.getvalue().splitlines() if line.startswith("  ")]
    assert len(summaries) == len(features)
    assert "失败" not in capsys.readouterr().err
    again = StringIO()
    call_command("demo", if_empty=True, no_progress=True, no_logins=True, stdout=again)
    repeated = [line for line in again.getvalue().splitlines() if line.startswith("  ")]
    assert len(repeated) == len(features)
    assert all("已存在" in line for line in repeated), repeated
