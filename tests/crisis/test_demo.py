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


def test_the_closed_demo_crisis_gives_a_case_without_one_an_emergency_contact_through_the_intake(world,
                                                                                               social_worker):
    """The checklist calls the emergency contact: a demo case without one gets it through the cases service
    (audited as an intake save), and the rest of its intake stays as it was."""
    from sanshe.cases.models import Case
    from sanshe.cases.services import case_intake_save, case_open
    from sanshe.core.models import AuditEvent
    from tests.factories import PersonFactory

    person = PersonFactory(household=world.household2, name="王芳")
    case = case_open(actor=social_worker, person_id=person.pk, urgency="immediate")
    case_intake_save(actor=social_worker, case_id=case.pk, demand_emotion="说活着没意思",
                     needs=["emotional_support"], plan="当天完成C-SSRS筛查")
    assert demo._closed_crisis(social_worker, timezone.localdate())
    case = Case.objects.get(pk=case.pk)
    assert (case.emergency_contact_name, case.emergency_contact_phone) == ("家属", "13907150001")
    assert (case.demand_emotion, case.needs, case.plan) == ("说活着没意思", ["emotional_support"], "当天完成C-SSRS筛查")
    assert AuditEvent.objects.filter(action="case.intake", object_id=str(case.pk)).count() == 2
    assert CrisisResponse.objects.get(case=case).status == CrisisStatus.CLOSED
