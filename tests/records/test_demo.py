"""The records demo loads on the groups demo, once: a day of records, a draft summary, an open record-this."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sanshe.accounts.models import User
from sanshe.people.demo_community import demo_load as core_demo_load
from sanshe.records import demo
from sanshe.records.models import DailySummary, ServiceRecord

pytestmark = pytest.mark.django_db


def test_records_demo_loads_once():
    from sanshe.groups.demo import demo_load as groups_demo_load
    from sanshe.volunteers.demo import demo_load as volunteers_demo_load

    core_demo_load(people=300)
    today = timezone.localdate()
    volunteers_demo_load(today=today)
    groups_demo_load(today=today)
    summary = demo.demo_load(today=today)
    assert summary.startswith("服务记录：") and "今日记录4份" in summary
    assert demo.demo_load(today=today) == "服务记录：演示数据已存在"
    assert sorted(ServiceRecord.objects.values_list("kind", flat=True)) == [
        "consultation", "medical", "psychological", "social_work"]
    assert not ServiceRecord.objects.filter(status="draft").exists()
    daily = DailySummary.objects.get()
    assert daily.day == today and not daily.is_final and daily.rows.count() >= 1
    # Need-to-know in the demo too: the secretary sees only the consultation record.
    mishu = User.objects.get(username="mishu")
    assert list(ServiceRecord.objects.for_actor(mishu).values_list("kind", flat=True)) == ["consultation"]
