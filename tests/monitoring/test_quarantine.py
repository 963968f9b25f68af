"""Quarantine periods: end date from the profile, how ordered, extend freely, shorten with permission and reason."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.monitoring import services
from sanshe.monitoring.choices import FollowUpStatus, QuarantineStatus
from sanshe.monitoring.models import Alert, FollowUp, QuarantinePeriod
from tests.factories import PersonFactory

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


def test_register_computes_the_end_and_owes_todays_follow_ups(period):
    assert period.end_date == date(2020, 2, 22)  # 14 days from the last exposure (8 Feb)
    assert period.follow_up_days == 14
    assert period.status == QuarantineStatus.ACTIVE
    assert period.ordered_how == "written" and period.ordered_by == "江汉区疾控中心"
    assert list(FollowUp.objects.filter(period=period, date=DAY).values_list("slot", "status")) == [
        (0, FollowUpStatus.PENDING), (1, FollowUpStatus.PENDING)]
    event = AuditEvent.objects.get(action="quarantine.register")
    assert event.object_id == str(period.pk) and event.detail == {"follow_up_days": 14}


def test_profile_days_apply_to_new_periods(world, community_worker, platform_admin, morning):
    services.profile_update(actor=platform_admin, data={"follow_up_days": 7}, now=morning)
    period = services.quarantine_register(actor=community_worker, person_id=world.spouse.pk, kind="home",
                                          start_date=DAY, last_exposure_date=DAY, ordered_how="verbal", now=morning)
    assert period.end_date == date(2020, 2, 17)


def test_centralised_quarantine_needs_its_site(world, community_worker, morning):
    with pytest.raises(ValidationError) as error:
        services.quarantine_register(actor=community_worker, person_id=world.head.pk, kind="centralised",
                                     start_date=DAY, ordered_how="phone", now=morning)
    assert error.value.message_dict == {"site": ["集中隔离请填写隔离点名称"]}
    assert not QuarantinePeriod.objects.exists()


def test_future_dates_are_refused_and_nothing_is_saved(world, community_worker, morning):
    with pytest.raises(ValidationError) as error:
        services.quarantine_register(actor=community_worker, person_id=world.head.pk, kind="home",
                                     start_date=date(2020, 2, 11), ordered_how="phone", now=morning)
    assert "开始日期不能晚于今天（2020-02-10）" in error.value.message_dict["start_date"][0]
    with pytest.raises(ValidationError) as error:
        services.quarantine_register(actor=community_worker, person_id=world.head.pk, kind="home", start_date=DAY,
                                     last_exposure_date=date(2020, 2, 12), ordered_how="phone", now=morning)
    assert "last_exposure_date" in error.value.message_dict
    assert not QuarantinePeriod.objects.exists() and not FollowUp.objects.exists()


def test_an_exposure_long_past_needs_no_quarantine(world, community_worker, morning):
    with pytest.raises(ValidationError) as error:
        services.quarantine_register(actor=community_worker, person_id=world.head.pk, kind="home", start_date=DAY,
                                     last_exposure_date=date(2020, 1, 20), ordered_how="phone", now=morning)
    assert "观察期已于2020-02-03结束" in error.value.message_dict["last_exposure_date"][0]


def test_one_open_period_per_person(period, world, community_worker, morning):
    with pytest.raises(ValidationError) as error:
        services.quarantine_register(actor=community_worker, person_id=world.head.pk, kind="home", start_date=DAY,
                                     ordered_how="phone", now=morning)
    assert "已在隔离观察中（观察至2020-02-22）" in error.value.message_dict["person"][0]


def test_a_person_without_a_household_cannot_be_listed_by_building(world, community_worker, morning):
    loose = PersonFactory(household=None, community=world.home, compound=None, building=None)
    with pytest.raises(ValidationError, match="请先为该人员登记住户"):
        services.quarantine_register(actor=community_worker, person_id=loose.pk, kind="home", start_date=DAY,
                                     ordered_how="phone", now=morning)


def test_out_of_scope_person_is_not_found(world, outsider, community_worker, morning):
    with pytest.raises(ObjectNotFound):
        services.quarantine_register(actor=community_worker, person_id=world.stranger.pk, kind="home",
                                     start_date=DAY, ordered_how="phone", now=morning)
    with pytest.raises(ObjectNotFound):
        services.quarantine_register(actor=outsider, person_id=world.head.pk, kind="home", start_date=DAY,
                                     ordered_how="phone", now=morning)


def test_roles_that_do_not_follow_people_up_get_403(world, medic, org_admin, morning):
    for actor in (medic, org_admin):
        with pytest.raises(ActionForbidden):
            services.quarantine_register(actor=actor, person_id=world.head.pk, kind="home", start_date=DAY,
                                         ordered_how="phone", now=morning)


def test_extending_needs_no_reason_and_adds_follow_ups(period, building_steward, morning):
    changed = services.quarantine_change_end(actor=building_steward, period_id=period.pk, end_date=date(2020, 2, 25),
                                             now=morning)
    assert changed.end_date == date(2020, 2, 25)
    event = AuditEvent.objects.get(action="quarantine.extend")
    assert event.detail == {"old_end": "2020-02-22", "new_end": "2020-02-25"}


def test_shortening_needs_the_permission(period, building_steward, morning):
    with pytest.raises(ActionForbidden):
        services.quarantine_change_end(actor=building_steward, period_id=period.pk, end_date=date(2020, 2, 15),
                                       reason="疾控通知提前解除", now=morning)
    assert QuarantinePeriod.objects.get(pk=period.pk).end_date == date(2020, 2, 22)


def test_shortening_needs_a_reason(period, community_worker, morning):
    with pytest.raises(ValidationError) as error:
        services.quarantine_change_end(actor=community_worker, period_id=period.pk, end_date=date(2020, 2, 15),
                                       reason=" ", now=morning)
    assert "缩短观察期须写明原因" in error.value.message_dict["reason"][0]
    services.quarantine_change_end(actor=community_worker, period_id=period.pk, end_date=date(2020, 2, 15),
                                   reason="区疾控书面通知核酸阴性解除", now=morning)
    event = AuditEvent.objects.get(action="quarantine.shorten")
    assert event.reason == "区疾控书面通知核酸阴性解除"


def test_shortening_to_a_past_day_ends_the_period_now(period, community_worker, morning):
    services.quarantine_change_end(actor=community_worker, period_id=period.pk, end_date=date(2020, 2, 9),
                                   reason="疾控通知：误判，解除隔离", now=morning)
    period.refresh_from_db()
    assert period.status == QuarantineStatus.COMPLETED
    assert not FollowUp.objects.filter(period=period, status=FollowUpStatus.PENDING).exists()


def test_moved_to_hospital_drops_owed_follow_ups(period, community_worker, morning):
    services.quarantine_close(actor=community_worker, period_id=period.pk, status="hospital",
                              reason="发热伴气促，120送至市第一医院", now=morning)
    period.refresh_from_db()
    assert period.status == QuarantineStatus.HOSPITAL
    assert period.status_reason == "发热伴气促，120送至市第一医院"
    assert not FollowUp.objects.filter(period=period, status=FollowUpStatus.PENDING).exists()
    with pytest.raises(ValidationError, match="已结束"):
        services.quarantine_close(actor=community_worker, period_id=period.pk, status="cancelled",
                                  reason="登记错误需要取消", now=morning)


def test_marking_lost_raises_an_alert_and_resume_clears_it(period, community_worker, morning):
    services.quarantine_close(actor=community_worker, period_id=period.pk, status="lost",
                              reason="电话关机，上门无人", now=morning)
    alert = Alert.objects.get(person=period.person, kind="lost")
    assert alert.is_open and alert.level == 1
    services.quarantine_resume(actor=community_worker, period_id=period.pk, now=at(DAY, 9))
    period.refresh_from_db()
    alert.refresh_from_db()
    assert period.status == QuarantineStatus.ACTIVE
    assert alert.status == "resolved" and alert.outcome == "contacted"
    assert FollowUp.objects.filter(period=period, date=DAY, status=FollowUpStatus.PENDING).exists()


def test_periods_past_their_end_complete_with_days_without_report(period, morning):
    # Two days of follow-ups: one reported, one day nothing.
    services.followups_generate(day=date(2020, 2, 11), now=at(date(2020, 2, 11), 0, 5))
    FollowUp.objects.filter(period=period, date=DAY).update(status=FollowUpStatus.SEEN_WELL)
    FollowUp.objects.filter(period=period, date=date(2020, 2, 11)).update(status=FollowUpStatus.MISSED)
    assert services.quarantines_complete_due(now=at(date(2020, 2, 23), 0, 1)) == 1
    period.refresh_from_db()
    assert period.status == QuarantineStatus.COMPLETED
    assert period.days_without_check_in == 1
