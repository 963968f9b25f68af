"""The monitoring demo builds on the core demo: people under quarantine, history, alerts, screening (the cases
demo refers some of them: tests/cases/test_demo.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sanshe.monitoring.choices import QuarantineStatus
from sanshe.monitoring.models import Alert, CheckIn, DailyFigures, FollowUp, QuarantinePeriod, ScreeningEntry


@pytest.mark.django_db
def test_demo_loads_two_weeks_of_follow_up_and_is_idempotent(sms):
    from sanshe.monitoring.demo import demo_load
    from sanshe.people.demo_community import demo_load as core_demo_load

    core_demo_load(people=300)
    today = timezone.localdate()
    summary = demo_load(today=today)
    assert "健康监测演示数据" in summary
    active = QuarantinePeriod.objects.filter(status=QuarantineStatus.ACTIVE)
    assert active.exists()
    # The demo resident (jumin) is under follow-up, so the resident's check-in page has something to do.
    assert active.filter(person__user__username="jumin").exists()
    assert FollowUp.objects.filter(date=today).exists()
    assert FollowUp.objects.filter(date__lt=today).values("date").distinct().count() >= 10
    assert CheckIn.objects.count() > 100
    assert Alert.objects.filter(kind="red_flag", status="open").exists()
    assert ScreeningEntry.objects.exists()
    assert DailyFigures.objects.values("date").distinct().count() >= 10
    counts = (QuarantinePeriod.objects.count(), CheckIn.objects.count(), Alert.objects.count())
    assert "已存在" in demo_load(today=today)
    assert (QuarantinePeriod.objects.count(), CheckIn.objects.count(), Alert.objects.count()) == counts
