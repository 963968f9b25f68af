"""Triage reads what other features already know about the person (issue 12 item 1): the case's open crisis,
chat risk alerts not closed, unresolved health alerts and recent chat risk signals — each a reason, none
letting the proposal fall below what it implies."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from sanshe.assessments.services import triage_decide, triage_run, triage_signals
from sanshe.groups.models import Group, RiskAlert
from tests.groups.conftest import focus, on_duty  # noqa: F401  (fixtures)

from .conftest import give, likert

pytestmark = pytest.mark.django_db


def send(user, group, body):
    from sanshe.groups import services

    return services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=body).message


def mild_phq9_item9(actor, case):
    """PHQ-9 total 6 (mild) but item 9 = 3: alone, triage would propose tier 3 within 24 hours, no crisis."""
    give(actor, case, "phq9", likert([1, 1, 1, 0, 0, 0, 0, 0, 3]))


def test_an_imminent_chat_alert_makes_the_proposal_immediate_and_a_crisis_and_opens_the_crisis_on_accept(
        world, social_worker, resident, on_duty, case):  # noqa: F811
    alert = RiskAlert.objects.get(message=send(resident, on_duty, "我攒了一瓶安眠药，今晚就吃"))
    mild_phq9_item9(social_worker, case)
    proposal = triage_run(actor=social_worker, case_id=case.pk)
    assert (proposal.engine_tier, proposal.engine_urgency, proposal.engine_crisis) == (3, "immediate", True)
    rule_ids = [r["rule_id"] for r in proposal.result["reasons"]]
    assert rule_ids[0] == "chat_alert_imminent" and "phq9_item9" in rule_ids
    assert "chat_signals_recent_high" in rule_ids  # the message itself, within the last 7 days
    assert f"{alert.level}级，尚无人确认" in proposal.result["reasons"][0]["text"]
    assert "安眠药" in proposal.result["reasons"][0]["text"]
    outcome = triage_decide(actor=social_worker, decision_id=proposal.pk, accept=True)
    case.refresh_from_db()
    assert (case.urgency, case.is_crisis) == ("immediate", True)
    assert outcome.crisis is not None and outcome.crisis.domain == "suicide"
    assert "线上群高危风险预警未关闭" in outcome.crisis.reason


def test_a_closed_chat_alert_no_longer_holds_but_its_message_stays_a_recent_signal(
        world, social_worker, resident, on_duty, case):  # noqa: F811
    alert = RiskAlert.objects.get(message=send(resident, on_duty, "我攒了一瓶安眠药，今晚就吃"))
    RiskAlert.objects.filter(pk=alert.pk).update(status="closed")
    signals = triage_signals(case)
    assert "chat_alerts" not in signals
    assert signals["chat"]["messages"] == 1 and signals["chat"]["at_alert_level"] is True
    later = triage_signals(case, now=timezone.now() + timezone.timedelta(days=8))
    assert "chat" not in later  # older than 7 days: not a recent signal any more


def test_an_open_red_flag_health_alert_is_a_reason_at_its_level(world, social_worker, case):
    from sanshe.monitoring.models import Alert

    now = timezone.now()
    person = world.head
    building = person.building
    flags = [{"code": "spo2_low", "level": "urgent", "reason": "血氧饱和度92%（≤93%）"}]
    Alert.objects.create(person=person, community_id=building.community_id, compound_id=building.compound_id,
                         building=building, kind="red_flag", level=2, status="taken", times_raised=2,
                         details=json.dumps({"flags": flags}, ensure_ascii=False), raised_at=now, last_raised_at=now)
    give(social_worker, case, "gad7", likert([1, 1, 0, 0, 0, 0, 0]))
    proposal = triage_run(actor=social_worker, case_id=case.pk)
    assert (proposal.engine_tier, proposal.engine_urgency, proposal.engine_crisis) == (3, "within_24h", False)
    texts = [r["text"] for r in proposal.result["reasons"]]
    assert "健康监测橙色预警未处理：血氧饱和度92%（≤93%）（处理中，已出现2次）" in texts


def test_an_open_crisis_is_read_with_its_escalations(world, social_worker, case):
    from sanshe.crisis.models import CrisisResponse
    from sanshe.crisis.services import crisis_open

    crisis = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual", reason="说已经攒了安眠药")
    CrisisResponse.objects.filter(pk=crisis.pk).update(escalation_step=2)
    assert triage_signals(case)["crises"] == [{"domain": "suicide", "acknowledged": False, "escalations": 2}]


def test_nothing_known_adds_no_signals(world, social_worker, case):
    assert triage_signals(case) == {}
