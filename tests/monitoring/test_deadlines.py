"""After each deadline: missed, the person reminded, then the worker; lost after N days without a report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sanshe.monitoring import services
from sanshe.monitoring.choices import FollowUpStatus, QuarantineStatus
from sanshe.monitoring.models import Alert, FollowUp

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def phones(world, building_steward, community_worker):
    world.head.phone = "13811112222"
    world.head.save(update_fields=["phone"])
    building_steward.phone = "13900000001"
    building_steward.save(update_fields=["phone"])
    community_worker.phone = "13900000002"
    community_worker.save(update_fields=["phone"])


def _run(when, capture):
    with capture(execute=True):
        return services.followups_pass_deadline(now=when)


def test_nothing_happens_before_the_deadline(period, phones, sms, django_capture_on_commit_callbacks):
    run = _run(at(DAY, 9, 59), django_capture_on_commit_callbacks)
    assert run.missed == 0 and sms == []


def test_missed_then_the_person_then_the_steward(period, phones, sms, django_capture_on_commit_callbacks):
    run = _run(at(DAY, 10, 5), django_capture_on_commit_callbacks)
    assert run.missed == 1
    assert FollowUp.objects.get(period=period, date=DAY, slot=0).status == FollowUpStatus.MISSED
    assert [phone for phone, _ in sms] == ["13811112222"]
    assert "早（10:00前）的健康打卡还没有完成" in sms[0][1]

    # Within the profile's hour nobody else is bothered, and the person is not texted twice.
    _run(at(DAY, 10, 30), django_capture_on_commit_callbacks)
    assert len(sms) == 1

    # An hour after the person's reminder: the building's steward (not the community staff) is texted once.
    run = _run(at(DAY, 11, 10), django_capture_on_commit_callbacks)
    assert run.workers_reminded == 1
    assert [phone for phone, _ in sms[1:]] == ["13900000001"]
    assert "锦绣小区1栋有1人未完成今天早（10:00前）的健康打卡" in sms[1][1]
    _run(at(DAY, 11, 40), django_capture_on_commit_callbacks)
    assert len(sms) == 2


def test_without_a_steward_the_community_staff_is_reminded(period, world, community_worker, sms,
                                                           django_capture_on_commit_callbacks):
    community_worker.phone = "13900000002"
    community_worker.save(update_fields=["phone"])
    _run(at(DAY, 10, 5), django_capture_on_commit_callbacks)
    _run(at(DAY, 11, 10), django_capture_on_commit_callbacks)
    assert "13900000002" in [phone for phone, _ in sms]


def test_a_report_after_the_reminder_stops_the_worker_reminder(period, phones, sms,
                                                               django_capture_on_commit_callbacks):
    _run(at(DAY, 10, 5), django_capture_on_commit_callbacks)
    link = services.check_in_link_issue(actor=period.created_by, period_id=period.pk, now=at(DAY, 10, 6))
    services.check_in_by_link(token=services.link_token(link), data=services.CheckInInput(temperature_c=36.5),
                              idempotency_key="late-but-here", now=at(DAY, 10, 20))
    morning = FollowUp.objects.get(period=period, date=DAY, slot=0)
    # The late report fills the missed morning slot (补报, issue 12 item 6), not the evening one …
    assert (morning.status, morning.late) == (FollowUpStatus.SEEN_WELL, True)
    assert FollowUp.objects.get(period=period, date=DAY, slot=1).status == FollowUpStatus.PENDING
    _run(at(DAY, 11, 10), django_capture_on_commit_callbacks)
    # … so the steward is not asked to call about a morning report that came in.
    assert len(sms) == 1


def test_three_days_without_any_report_is_lost_with_an_alert(period, phones, sms,
                                                              django_capture_on_commit_callbacks):
    runs = []
    for offset in range(3):
        day = DAY + timedelta(days=offset)
        services.followups_generate(day=day, now=at(day, 0, 5))
        runs.append(_run(at(day, 20, 5), django_capture_on_commit_callbacks))
        period.refresh_from_db()
        # Days 1 and 2 without a report: still followed. Day 3 closes at its last deadline: lost.
        assert period.status == (QuarantineStatus.ACTIVE if offset < 2 else QuarantineStatus.LOST)
    assert [run.lost for run in runs] == [0, 0, 1]
    alert = Alert.objects.get(kind="lost")
    assert alert.is_open and "连续3天未报告" in alert.flags[0]["reason"]
    tomorrow = DAY + timedelta(days=3)
    services.followups_generate(day=tomorrow, now=at(tomorrow, 0, 5))
    assert not FollowUp.objects.filter(period=period, date=tomorrow).exists()


def test_one_report_a_day_keeps_the_person_followed(period, phones, sms, django_capture_on_commit_callbacks):
    link = services.check_in_link_issue(actor=period.created_by, period_id=period.pk, now=at(DAY, 8))
    for offset in range(4):
        day = DAY + timedelta(days=offset)
        services.followups_generate(day=day, now=at(day, 0, 5))
        services.check_in_by_link(token=services.link_token(link), data=services.CheckInInput(temperature_c=36.4),
                                  idempotency_key=f"evening-{offset}", now=at(day, 19))
        _run(at(day, 20, 5), django_capture_on_commit_callbacks)
    period.refresh_from_db()
    assert period.status == QuarantineStatus.ACTIVE
    assert date(2020, 2, 13) in set(FollowUp.objects.filter(period=period).values_list("date", flat=True))
