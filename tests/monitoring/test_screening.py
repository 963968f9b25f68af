"""Screening household by household: contact, members' situations, progress per building, unreachable back."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.monitoring import screening_selectors as selectors
from sanshe.monitoring.models import ScreeningEntry
from sanshe.monitoring.screening_services import (
    screening_entry_save,
    screening_round_close,
    screening_round_start,
)
from tests.factories import HouseholdFactory

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(world, community_worker):
    return screening_round_start(actor=community_worker, compound_id=world.compound.pk, now=at(DAY, 9))


def test_a_round_is_named_after_its_place_and_day(round_):
    assert round_.title == "锦绣小区 2月10日排查"


def test_stewards_start_rounds_of_their_own_buildings_only(world, building_steward):
    round_ = screening_round_start(actor=building_steward, building_id=world.building.pk)
    assert round_.building == world.building
    with pytest.raises(ObjectNotFound):
        screening_round_start(actor=building_steward, building_id=world.building2.pk)
    with pytest.raises(ObjectNotFound):
        screening_round_start(actor=building_steward, compound_id=world.compound.pk)


def test_volunteers_cannot_screen(world, secretary):
    with pytest.raises(ActionForbidden):
        screening_round_start(actor=secretary, community_id=world.home.pk)


def test_members_situations_are_saved_and_classify_the_person(round_, world, community_worker):
    entry = screening_entry_save(
        actor=community_worker, round_id=round_.pk, household_id=world.household.pk, contact="phone",
        members={world.head.pk: ["home_quarantine", "normal"], world.spouse.pk: []}, exposure="close_contact",
        exposure_date=date(2020, 2, 8), needs=["medicine"], note="需要降压药", now=at(DAY, 9))
    assert entry.reached and entry.attempts == 1
    assert entry.data == {"members": {str(world.head.pk): ["home_quarantine"], str(world.spouse.pk): ["normal"]},
                          "exposure": "close_contact", "exposure_date": "2020-02-08", "needs": ["medicine"],
                          "note": "需要降压药"}
    world.head.refresh_from_db()
    assert world.head.category == "home_quarantine"


def test_someone_from_another_household_is_refused(round_, world, community_worker):
    with pytest.raises(ValidationError, match="不是该户成员"):
        screening_entry_save(actor=community_worker, round_id=round_.pk, household_id=world.household.pk,
                             contact="visit", members={world.neighbour.pk: ["fever"]})
    assert not ScreeningEntry.objects.exists()


def test_an_exposure_date_in_the_future_is_refused(round_, world, community_worker):
    with pytest.raises(ValidationError) as error:
        screening_entry_save(actor=community_worker, round_id=round_.pk, household_id=world.household.pk,
                             contact="phone", members={}, exposure="risk_area", exposure_date=date(2020, 2, 11),
                             now=at(DAY, 9))
    assert "接触日期不能晚于今天" in error.value.message_dict["exposure_date"][0]


def test_unreachable_households_come_back_on_the_list(round_, world, community_worker):
    screening_entry_save(actor=community_worker, round_id=round_.pk, household_id=world.household.pk,
                         contact="unreachable", note="电话无人接")
    rows = selectors.building_households(actor=community_worker, round_=round_, building=world.building,
                                         only_to_do=True)
    assert [r.household for r in rows] == [world.household]
    assert rows[0].state_label == "未联系上，待再次联系"
    entry = screening_entry_save(actor=community_worker, round_id=round_.pk, household_id=world.household.pk,
                                 contact="visit", members={world.head.pk: ["normal"]})
    assert entry.attempts == 2
    assert selectors.building_households(actor=community_worker, round_=round_, building=world.building,
                                         only_to_do=True) == []


def test_progress_per_building(round_, world, community_worker):
    extra = HouseholdFactory(unit=world.unit, room="102")
    screening_entry_save(actor=community_worker, round_id=round_.pk, household_id=world.household.pk,
                         contact="group", members={})
    screening_entry_save(actor=community_worker, round_id=round_.pk, household_id=extra.pk, contact="unreachable")
    progress = {row.building.name: row.progress for row in selectors.round_progress(actor=community_worker,
                                                                                     round_=round_)}
    assert (progress["1栋"].households, progress["1栋"].reached, progress["1栋"].unreachable) == (2, 1, 1)
    assert progress["1栋"].to_do == 1 and progress["1栋"].percent == 50
    assert (progress["2栋"].households, progress["2栋"].reached) == (1, 0)


def test_a_steward_sees_and_works_only_their_building(round_, world, building_steward):
    rows = selectors.round_progress(actor=building_steward, round_=round_)
    assert [r.building for r in rows] == [world.building]
    with pytest.raises(ObjectNotFound):
        screening_entry_save(actor=building_steward, round_id=round_.pk, household_id=world.household2.pk,
                             contact="phone", members={})


def test_a_household_outside_the_round_is_not_found(round_, world, community_worker):
    with pytest.raises(ObjectNotFound):
        screening_entry_save(actor=community_worker, round_id=round_.pk, household_id=world.away_household.pk,
                             contact="phone", members={})


def test_the_next_household_skips_done_ones(round_, world, community_worker):
    second = HouseholdFactory(unit=world.unit, room="102")
    third = HouseholdFactory(unit=world.unit, room="103")
    screening_entry_save(actor=community_worker, round_id=round_.pk, household_id=second.pk, contact="phone",
                         members={})
    assert selectors.next_household(round_=round_, household=world.household) == third


def test_a_closed_round_takes_no_more_entries(round_, world, community_worker):
    screening_round_close(actor=community_worker, round_id=round_.pk)
    with pytest.raises(ValidationError, match="已经结束"):
        screening_entry_save(actor=community_worker, round_id=round_.pk, household_id=world.household.pk,
                             contact="phone", members={})
