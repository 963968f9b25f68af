"""The cases demo refers what the monitoring demo found (an alert, a screening entry), then opens its cases."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sanshe.cases.models import Case, Referral
from sanshe.monitoring.models import Alert, ScreeningEntry


@pytest.mark.django_db
def test_cases_demo_refers_the_monitoring_demos_alert_and_screening_entry_once(sms):
    from sanshe.cases.demo import demo_load
    from sanshe.monitoring.demo import demo_load as monitoring_demo_load
    from sanshe.people.demo_community import demo_load as core_demo_load

    core_demo_load(people=300)
    today = timezone.localdate()
    monitoring_demo_load(today=today)
    assert not Referral.objects.exists()  # the referrals below are the cases demo's own
    assert "个案演示数据" in demo_load(today=today)
    first_red_flag = Alert.objects.filter(kind="red_flag").order_by("pk").first()
    from_alert = Referral.objects.get(source_kind="alert")
    assert from_alert.person_id == first_red_flag.person_id and from_alert.urgency == "within_24h"
    assert from_alert.created_by.username == "shequ" and "血氧偏低" in from_alert.reason
    from_screening = Referral.objects.get(source_kind="screening")
    assert ScreeningEntry.objects.filter(pk=from_screening.source_id, household=from_screening.person.household)
    assert from_screening.urgency == "routine" and "降压药" in from_screening.reason
    assert Case.objects.exists()
    counts = (Referral.objects.count(), Case.objects.count())
    assert "已存在" in demo_load(today=today)
    assert (Referral.objects.count(), Case.objects.count()) == counts
