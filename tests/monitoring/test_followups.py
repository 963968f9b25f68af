"""Daily follow-ups: generated per day and slot, across period boundaries and profile changes; idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sanshe.monitoring import services
from sanshe.monitoring.choices import FollowUpStatus
from sanshe.monitoring.models import FollowUp

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


def _slots(period, day):
    return list(FollowUp.objects.filter(period=period, date=day).order_by("slot").values_list("slot", flat=True))


def test_each_day_of_the_period_gets_a_morning_and_an_evening(period):
    for offset in range(1, 13):
        day = DAY + timedelta(days=offset)
        services.followups_generate(day=day, now=at(day, 0, 5))
    assert _slots(period, date(2020, 2, 22)) == [0, 1]  # the last day is included
    services.followups_generate(day=date(2020, 2, 23), now=at(date(2020, 2, 23), 0, 5))
    assert _slots(period, date(2020, 2, 23)) == []  # the day after is not
    due = FollowUp.objects.get(period=period, date=date(2020, 2, 22), slot=1).due_at
    assert due == at(date(2020, 2, 22), 20)


def test_generation_is_idempotent(period):
    day = DAY + timedelta(days=1)
    first = services.followups_generate(day=day, now=at(day, 0, 5))
    again = services.followups_generate(day=day, now=at(day, 0, 35))
    assert first == again == 2
    assert FollowUp.objects.filter(date=day).count() == 2


def test_registered_in_the_afternoon_owes_only_the_evening(world, community_worker):
    period = services.quarantine_register(actor=community_worker, person_id=world.neighbour.pk, kind="home",
                                          start_date=DAY, ordered_how="phone", now=at(DAY, 15))
    assert _slots(period, DAY) == [1]


def test_registered_after_the_last_deadline_owes_nothing_today_but_tomorrow(world, community_worker):
    period = services.quarantine_register(actor=community_worker, person_id=world.neighbour.pk, kind="home",
                                          start_date=DAY, ordered_how="phone", now=at(DAY, 21))
    assert _slots(period, DAY) == []
    tomorrow = DAY + timedelta(days=1)
    services.followups_generate(day=tomorrow, now=at(tomorrow, 0, 5))
    assert _slots(period, tomorrow) == [0, 1]


def test_extending_the_period_adds_days(period, community_worker, morning):
    services.quarantine_change_end(actor=community_worker, period_id=period.pk, end_date=date(2020, 2, 24),
                                   now=morning)
    day = date(2020, 2, 24)
    services.followups_generate(day=day, now=at(day, 0, 5))
    assert _slots(period, day) == [0, 1]


def test_shortening_removes_owed_days_already_generated(period, community_worker):
    tomorrow = DAY + timedelta(days=1)
    services.followups_generate(day=tomorrow, now=at(DAY, 22, 30))
    assert _slots(period, tomorrow) == [0, 1]
    services.quarantine_change_end(actor=community_worker, period_id=period.pk, end_date=DAY,
                                   reason="疾控书面通知解除", now=at(DAY, 23))
    assert _slots(period, tomorrow) == []
    assert _slots(period, DAY) == [0, 1]


def test_three_check_ins_a_day_from_the_profile_change_on(period, platform_admin):
    noon = at(DAY, 12)
    services.profile_update(actor=platform_admin, data={"slot_deadlines": ["09:00", "14:00", "21:00"]}, now=noon)
    rows = {f.slot: f for f in FollowUp.objects.filter(period=period, date=DAY)}
    # Today: slot 0 keeps its old (passed) deadline, slot 1 moves to 14:00, slot 2 (21:00) is added.
    assert rows[0].due_at == at(DAY, 10)
    assert rows[1].due_at == at(DAY, 14)
    assert rows[2].due_at == at(DAY, 21)
    tomorrow = DAY + timedelta(days=1)
    services.followups_generate(day=tomorrow, now=at(tomorrow, 0, 5))
    assert [f.due_at for f in FollowUp.objects.filter(period=period, date=tomorrow).order_by("slot")] == [
        at(tomorrow, 9), at(tomorrow, 14), at(tomorrow, 21)]


def test_fewer_check_ins_drop_the_owed_slots_that_no_longer_exist(period, platform_admin, morning):
    services.profile_update(actor=platform_admin, data={"slot_deadlines": ["12:00"]}, now=morning)
    rows = list(FollowUp.objects.filter(period=period, date=DAY))
    assert [(f.slot, f.due_at) for f in rows] == [(0, at(DAY, 12))]


def test_a_reported_slot_is_never_dropped_by_a_profile_change(period, platform_admin, morning):
    FollowUp.objects.filter(period=period, date=DAY, slot=1).update(status=FollowUpStatus.SEEN_WELL)
    services.profile_update(actor=platform_admin, data={"slot_deadlines": ["12:00"]}, now=morning)
    assert _slots(period, DAY) == [0, 1]


def test_lost_or_closed_periods_get_no_new_days(period, community_worker, morning):
    services.quarantine_close(actor=community_worker, period_id=period.pk, status="lost", reason="多日联系不上",
                              now=morning)
    tomorrow = DAY + timedelta(days=1)
    services.followups_generate(day=tomorrow, now=at(tomorrow, 0, 5))
    assert _slots(period, tomorrow) == []
