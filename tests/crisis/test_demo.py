"""The crisis demo loads once on the other demos: one closed crisis with the checklist done, one waiting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sanshe.crisis import demo
from sanshe.crisis.models import CrisisResponse, CrisisStatus
from sanshe.crisis.services import crises_escalate_overdue

pytestmark = pytest.mark.django_db


def test_demo_crises_load_once_and_the_waiting_one_escalates():
    from sanshe.cases.demo import demo_load as cases_demo_load
    from sanshe.groups.demo import demo_load as groups_demo_load
    from sanshe.people.demo_community import demo_load as core_demo_load
    from sanshe.volunteers.demo import demo_load as volunteers_demo_load

    core_demo_load(people=300)
    today = timezone.localdate()
    volunteers_demo_load(today=today)
    groups_demo_load(today=today)
    cases_demo_load(today=today)
    summary = demo.demo_load(today=today)
    assert "已结束 1 起" in summary and "待确认 1 起" in summary
    assert demo.demo_load(today=today).endswith("未重复加载。")
    closed = CrisisResponse.objects.get(status=CrisisStatus.CLOSED)
    assert closed.steps.count() == 5 and closed.outcome_kind == "safe_with_family" and closed.ack_seconds == 120
    waiting = CrisisResponse.objects.get(status=CrisisStatus.OPEN)
    assert waiting.recipients.filter(user__username="xinli", reason="on_duty_counsellor").exists()
    assert crises_escalate_overdue(now=timezone.now() + timedelta(minutes=4)) == 1
    waiting.refresh_from_db()
    assert waiting.escalation_step == 1
