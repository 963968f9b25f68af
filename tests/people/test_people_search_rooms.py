"""People search the way stewards look people up: by room, by a phone's last 4 digits, by name/pinyin/initials;
a query not understood says so (and lists nobody); a room search never leaves the actor's scope."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from sanshe.people.models import Person
from sanshe.people.search import parse_query, phone_tail_index
from sanshe.people.selectors import PersonFilters, person_list
from tests.factories import BuildingFactory, HouseholdFactory, PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db


def search(client, text: str):
    response = client.post(reverse("people:person_list"), {"q": text})
    assert response.status_code == 302
    return client.get(response["Location"])


def names(response) -> list[str]:
    return [person.name for person in response.context["page"].people]


@pytest.mark.parametrize(("text", "building", "unit", "room"), [
    ("1栋1单元101", 1, 1, "101"),
    ("1-1-101", 1, 1, "101"),
    ("1 - 1 - 101", 1, 1, "101"),
    ("1号楼2单元301室", 1, 2, "301"),
    ("12-3-1201", 12, 3, "1201"),
    ("1栋101", 1, None, "101"),
    ("1栋2单元", 1, 2, ""),
    ("3栋", 3, None, ""),
    ("101", None, None, "101"),
])
def test_rooms_are_read_the_way_stewards_write_them(text, building, unit, room):
    query = parse_query(text)
    assert (query.mode, query.building, query.unit, query.room) == ("room", building, unit, room)


def test_what_is_not_a_room_keeps_its_old_meaning():
    assert parse_query("138-1234-5678").mode == "number"
    assert parse_query("11010519491231002X").mode == "number"
    assert parse_query("张伟").mode == "name"
    assert parse_query("zw").mode == "initials"
    assert parse_query("zhangwei").mode == "pinyin"
    assert parse_query("5678").phone_tail == "5678"  # 4 digits: a room or a phone's last 4
    assert parse_query("101").phone_tail == ""
    for text in ("@@", "张伟101", "1栋张", "zw!", "?"):
        assert parse_query(text).mode == "unknown", text


@pytest.fixture
def block(world):
    """Room 101 in 1栋1单元 (world.household: 张伟, 王芳), 1栋2单元, 11栋1单元 and 2栋1单元; 202 in 2栋."""
    unit2 = UnitFactory(building=world.building, name="2单元")
    b11 = BuildingFactory(compound=world.compound, community=world.home, name="11栋")
    return {
        "1-2-101": PersonFactory(household=HouseholdFactory(unit=unit2, room="101"), name="周一"),
        "11-1-101": PersonFactory(household=HouseholdFactory(unit=UnitFactory(building=b11, name="1单元"),
                                                             room="101"), name="周二"),
        "2-1-101": PersonFactory(household=HouseholdFactory(unit=world.neighbour.household.unit, room="0101"),
                                 name="周三"),
    }


@pytest.mark.parametrize("text", ["1栋1单元101", "1-1-101", "1号楼1单元101室"])
def test_a_full_room_finds_its_household_only(client, world, block, community_worker, text):
    client.force_login(community_worker)
    assert sorted(names(search(client, text))) == sorted(["张伟", "王芳"])


def test_a_bare_room_finds_that_room_in_every_building_in_building_unit_room_order(client, world, block,
                                                                                     community_worker):
    client.force_login(community_worker)
    response = search(client, "101")
    found = names(response)
    # 1栋1单元, 1栋2单元, 2栋1单元 (stored as 0101), 11栋1单元: 2栋 before 11栋.
    assert found[:2] == sorted(["张伟", "王芳"], key=lambda n: Person.objects.get(name=n).name_pinyin)
    assert found[2:] == ["周一", "周三", "周二"]
    assert "刘洋" not in found  # another community
    assert "按楼栋、单元、房号排列" in response.content.decode()


def test_building_and_room_without_unit(client, world, block, community_worker):
    client.force_login(community_worker)
    assert sorted(names(search(client, "1栋101"))) == sorted(["张伟", "王芳", "周一"])
    assert sorted(names(search(client, "2栋"))) == sorted(["周三", "李娜"])
    PersonFactory(household=HouseholdFactory(unit=world.unit, room="1201"), name="高层")
    PersonFactory(household=HouseholdFactory(unit=world.unit, room="202"), name="二楼")
    assert names(search(client, "1栋1单元"))[2:] == ["二楼", "高层"]  # 101, 202, then 1201


def test_the_last_four_digits_of_a_phone(client, world, community_worker):
    Person.objects.filter(pk=world.neighbour.pk).update(phone_tail_index=phone_tail_index("13900005678"))
    someone = PersonFactory(household=world.household, name="赵敏", phone="13712345678")
    PersonFactory(household=world.household, name="黄磊", phone="13712345679")
    client.force_login(community_worker)
    response = search(client, "5678")
    assert sorted(names(response)) == sorted(["李娜", "赵敏"])
    # Only a keyed hash of the 4 digits is stored, never the digits.
    stored = Person.objects.filter(pk=someone.pk).values_list("phone_tail_index", flat=True).get()
    assert stored and "5678" not in stored and len(stored) == 64
    assert "5678" not in response["Content-Type"]  # sanity: a page, the search kept in the session


def test_the_service_keeps_the_phone_tail_index(world, community_worker):
    from sanshe.people.services import person_update

    person_update(actor=community_worker, person=world.head, data={"phone": "13687654321"})
    assert Person.objects.get(pk=world.head.pk).phone_tail_index == phone_tail_index("4321")
    person_update(actor=community_worker, person=world.head, data={"phone": ""})
    assert Person.objects.get(pk=world.head.pk).phone_tail_index is None


def test_the_migration_backfills_the_phone_tail_index(world):
    Person.objects.update(phone_tail_index=None)
    migration = import_module("sanshe.people.migrations.0004_person_phone_tail_index")
    migration.backfill(django_apps, None)
    head = Person.objects.get(pk=world.head.pk)
    assert head.phone_tail_index == phone_tail_index(head.phone)
    assert not Person.objects.filter(phone__isnull=False, phone_tail_index__isnull=True).exists()


@pytest.mark.parametrize("text", ["@@", "张伟101", "zw!"])
def test_a_query_not_understood_says_so_and_lists_nobody(client, world, community_worker, text):
    client.force_login(community_worker)
    response = search(client, text)
    assert names(response) == []
    page = response.content.decode()
    assert "没有看懂" in page and "没有列出任何人" in page
    assert "1-1-101" in page  # how to write it


def test_room_and_tail_searches_stay_in_scope(client, world, block, building_steward, community_worker):
    # The same room and phone tail in the other community and in another building.
    Person.objects.filter(pk=world.stranger.pk).update(phone_tail_index=phone_tail_index("0001"))
    away_room = HouseholdFactory(unit=world.away_household.unit, room="101")
    PersonFactory(household=away_room, name="外人")
    client.force_login(community_worker)
    assert "外人" not in names(search(client, "101"))
    assert "刘洋" not in names(search(client, "0001"))
    # The steward of 1栋 only: 1栋's rooms, never 2栋's or 11栋's.
    client.force_login(building_steward)
    assert sorted(names(search(client, "101"))) == sorted(["张伟", "王芳", "周一"])
    assert names(search(client, "2-1-101")) == []
    page = person_list(actor=building_steward, filters=PersonFilters(q="11栋1单元101"))
    assert page.people == []


def test_the_list_is_a_table_with_columns_at_desk_width(client, world, community_worker):
    client.force_login(community_worker)
    page = client.get(reverse("people:person_list")).content.decode()
    assert '<table class="table people-table">' in page
    assert '<th scope="col">住址</th>' in page and '<th scope="col">手机号</th>' in page
