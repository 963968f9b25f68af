"""households_ensure: the places tree's bulk write for the household sheet import."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from sanshe.places.models import Building, Compound, Household, Unit
from sanshe.places.services import households_ensure

pytestmark = pytest.mark.django_db


def test_existing_places_are_reused_and_only_missing_ones_created(world):
    addresses = [
        ("锦绣小区", "1栋", "1单元", "101"),  # the world's household
        ("锦绣小区", "1栋", "1单元", "102"),  # a new room of an existing unit
        ("锦绣小区", "1栋", "2单元", "201"),  # a new unit of an existing building
        ("锦绣小区", "10栋", "1单元", "101"),  # a new building
        ("新建小区", "1栋", "1单元", "101"),  # a new compound
    ]
    ids, created = households_ensure(community_id=world.home.pk, addresses=addresses)

    assert created == {"compounds": 1, "buildings": 2, "units": 3, "households": 4}
    assert ids[addresses[0]] == (world.household.pk, world.building.pk, world.compound.pk, world.home.pk)
    for address, (household_id, building_id, compound_id, community_id) in ids.items():
        household = Household.objects.select_related("unit", "building", "compound").get(pk=household_id)
        assert (household.compound.name, household.building.name, household.unit.name, household.room) == address
        assert (household.building_id, household.compound_id, household.community_id) == (
            building_id, compound_id, community_id)
    assert Building.objects.get(compound__name="锦绣小区", name="10栋").sort_key == 10
    assert Compound.objects.get(name="新建小区").community_id == world.home.pk


def test_the_number_of_queries_does_not_grow_with_the_sheet(world):
    def queries(rooms: int, building: str) -> int:
        addresses = [("锦绣小区", building, f"{r % 4 + 1}单元", str(100 + r)) for r in range(rooms)]
        with CaptureQueriesContext(connection) as captured:
            ids, created = households_ensure(community_id=world.home.pk, addresses=addresses)
        assert created["households"] == rooms and len(ids) == rooms
        return len(captured)

    assert queries(400, "20栋") == queries(8, "30栋")
    assert Unit.objects.filter(building__name="20栋").count() == 4


def test_a_household_added_meanwhile_fails_the_whole_write(world, monkeypatch):
    # Someone registers the room between the read and the insert (the read is made stale to get there):
    # the unique constraint stops the write, never a double.
    from sanshe.places import services

    read = services.community_place_ids

    def stale(community_id):
        places = read(community_id)
        places.households.pop((world.unit.pk, "101"))
        return places

    monkeypatch.setattr(services, "community_place_ids", stale)
    with pytest.raises(IntegrityError), transaction.atomic():
        households_ensure(community_id=world.home.pk, addresses=[("锦绣小区", "1栋", "1单元", "101")])
    assert Household.objects.filter(unit=world.unit, room="101").count() == 1
