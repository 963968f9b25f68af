"""Indicators: coverage, under follow-up, followed up today, completed every day, lost, alerts, 14-day trend."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sanshe.core.errors import ActionForbidden
from sanshe.core.models import AuditEvent
from sanshe.monitoring import screening_services, services
from sanshe.monitoring.choices import FollowUpStatus
from sanshe.monitoring.models import DailyFigures, FollowUp, QuarantinePeriod
from sanshe.monitoring.selectors import Place, indicators
from sanshe.monitoring.services import CheckInInput

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


def test_figures_for_a_community_and_its_buildings(period, world, community_worker, org_admin, morning):
    round_ = screening_services.screening_round_start(actor=community_worker, community_id=world.home.pk,
                                                      now=morning)
    screening_services.screening_entry_save(actor=community_worker, round_id=round_.pk,
                                            household_id=world.household.pk, contact="phone", members={},
                                            now=morning)
    services.quarantine_register(actor=community_worker, person_id=world.neighbour.pk, kind="home",
                                 start_date=DAY, ordered_how="phone", now=morning)
    morning_slot = FollowUp.objects.get(period=period, date=DAY, slot=0)
    services.check_in_record(actor=community_worker, follow_up_id=morning_slot.pk,
                             data=CheckInInput(temperature_c=37.9), idempotency_key="ind-key-01", now=at(DAY, 9))
    services.followups_pass_deadline(now=at(DAY, 10, 30))  # the neighbour's morning report is missed

    figures = indicators(actor=org_admin, place=Place("community", world.home), now=at(DAY, 10, 30))
    assert (figures.households, figures.households_screened, figures.coverage_pct) == (2, 1, 50)
    assert figures.under_follow_up == 2
    assert (figures.seen_so_far, figures.due_so_far, figures.seen_today_pct) == (1, 2, 50)
    assert figures.alerts_by_level == {"emergency": 0, "urgent": 0, "notice": 1}
    today = figures.trend[-1]
    assert (today["day"], today["seen_symptoms"], today["missed"], today["pending"]) == (DAY, 1, 1, 2)
    rows = {row["obj"].name: row for row in figures.rows}
    assert rows["锦绣小区"]["active"] == 2

    by_building = indicators(actor=org_admin, place=Place("compound", world.compound), now=at(DAY, 10, 30))
    assert {row["obj"].name: row["pct"] for row in by_building.rows} == {"1栋": 100, "2栋": 0}


def test_the_trend_reads_stored_days_and_refresh_is_idempotent(period, org_admin):
    yesterday = DAY - timedelta(days=1)
    services.followups_generate(day=yesterday, now=at(yesterday, 0, 5))
    FollowUp.objects.filter(date=yesterday).update(status=FollowUpStatus.SEEN_WELL)
    assert services.figures_refresh(day=yesterday, now=at(DAY, 0, 10)) == 1
    assert services.figures_refresh(day=yesterday, now=at(DAY, 0, 20)) == 1
    assert DailyFigures.objects.filter(date=yesterday).count() == 1
    figures = indicators(actor=org_admin, place=Place("all"), now=at(DAY, 8))
    day = next(d for d in figures.trend if d["day"] == yesterday)
    assert (day["people"], day["people_seen"], day["seen_well"]) == (1, 1, 2)
    assert len(figures.trend) == 14


def test_completed_every_day_share(period, world, community_worker, org_admin, morning):
    other = services.quarantine_register(actor=community_worker, person_id=world.neighbour.pk, kind="home",
                                         start_date=date(2020, 2, 9), ordered_how="phone", now=morning)
    FollowUp.objects.filter(period=period).update(status=FollowUpStatus.SEEN_WELL)
    FollowUp.objects.filter(period=other).update(status=FollowUpStatus.MISSED)
    QuarantinePeriod.objects.update(end_date=DAY)
    services.quarantines_complete_due(now=at(DAY + timedelta(days=1), 0, 1))
    figures = indicators(actor=org_admin, place=Place("all"), now=at(DAY + timedelta(days=1), 8))
    assert (figures.completed_every_day, figures.completed_periods, figures.completed_every_day_pct) == (1, 2, 50)


def test_profile_changes_are_validated_and_audited(platform_admin, community_worker, morning):
    with pytest.raises(ActionForbidden):
        services.profile_update(actor=community_worker, data={"follow_up_days": 7})
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.profile_update(actor=platform_admin, data={"fever_threshold_c": "40"})
    assert "发热标准应在36.5–39℃之间" in error.value.message_dict["fever_threshold_c"][0]
    services.profile_update(actor=platform_admin, data={"fever_threshold_c": "37.5", "lost_after_days": 2}, now=morning)
    event = AuditEvent.objects.get(action="monitoring.profile_update")
    assert event.detail == {"changed": {"fever_threshold_c": ["37.3", "37.5"], "lost_after_days": ["3", "2"]}}


def test_a_moved_fever_threshold_applies_to_the_next_check_in(period, platform_admin, community_worker, morning):
    services.profile_update(actor=platform_admin, data={"fever_threshold_c": "37.5"}, now=morning)
    follow_up = FollowUp.objects.get(period=period, date=DAY, slot=0)
    result = services.check_in_record(actor=community_worker, follow_up_id=follow_up.pk,
                                      data=CheckInInput(temperature_c=37.4), idempotency_key="thr-key-1",
                                      now=at(DAY, 9))
    assert result.flags == [] and result.follow_up.status == FollowUpStatus.SEEN_WELL
