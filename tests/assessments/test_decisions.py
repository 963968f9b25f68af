"""Accepting and overriding triage: reasons required, audit, the case updated, nothing done twice."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sanshe.assessments.models import DecisionStatus, TriageDecision
from sanshe.assessments.services import triage_decide, triage_run
from sanshe.core.models import AuditEvent

from .conftest import give, likert

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(social_worker, case):
    give(social_worker, case, "gad7", likert([2, 2, 2, 2, 1, 1, 1]))  # 11: tier 2
    return triage_run(actor=social_worker, case_id=case.pk)


def test_override_without_reason_is_refused_and_nothing_changes(social_worker, case, proposal):
    with pytest.raises(ValidationError) as exc:
        triage_decide(actor=social_worker, decision_id=proposal.pk, accept=False, tier=3, urgency="within_24h",
                      reason="  ")
    assert "必须写明理由" in exc.value.message_dict["reason"][0]
    proposal.refresh_from_db()
    case.refresh_from_db()
    assert proposal.status == DecisionStatus.PROPOSED and case.tier is None and case.status == "open"
    assert not AuditEvent.objects.filter(action="triage.override").exists()


def test_override_same_as_proposal_refused(social_worker, proposal):
    with pytest.raises(ValidationError) as exc:
        triage_decide(actor=social_worker, decision_id=proposal.pk, accept=False, tier=2, urgency="routine",
                      reason="与建议相同的调整")
    assert "请直接点“采纳”" in exc.value.messages[0]


def test_override_is_stored_applied_and_audited(social_worker, case, proposal):
    triage_decide(actor=social_worker, decision_id=proposal.pk, accept=False, tier=3, urgency="within_24h",
                  reason="电话中情绪非常激动，独居，需要密切跟进")
    proposal.refresh_from_db()
    assert proposal.status == DecisionStatus.OVERRIDDEN
    assert (proposal.engine_tier, proposal.tier, proposal.urgency) == (2, 3, "within_24h")
    assert proposal.override_reason.startswith("电话中") and proposal.decided_by == social_worker
    case.refresh_from_db()
    assert (case.tier, case.urgency, case.urgency_rank, case.status) == (3, "within_24h", 2, "in_service")
    event = AuditEvent.objects.get(action="triage.override")
    assert event.actor == social_worker and event.object_id == str(case.pk)
    assert event.detail["engine_tier"] == 2 and event.detail["tier"] == 3
    assert event.detail["rules_version"] == proposal.rules_version
    assert "电话中" not in str(event.detail) and "三级" in event.reason  # the clinical text stays encrypted


def test_accept_applies_the_proposal_and_cannot_be_decided_twice(social_worker, case, proposal):
    triage_decide(actor=social_worker, decision_id=proposal.pk, accept=True)
    case.refresh_from_db()
    assert (case.tier, case.urgency, case.is_crisis, case.status) == (2, "routine", False, "in_service")
    assert AuditEvent.objects.filter(action="triage.accept").count() == 1
    assert case.status_changes.filter(to_status="in_service").exists() if hasattr(case, "status_changes") else True
    with pytest.raises(ValidationError):
        triage_decide(actor=social_worker, decision_id=proposal.pk, accept=True)


def test_new_answers_after_the_run_make_the_proposal_stale(social_worker, case, proposal):
    give(social_worker, case, "phq9", likert([0] * 9))
    with pytest.raises(ValidationError) as exc:
        triage_decide(actor=social_worker, decision_id=proposal.pk, accept=True)
    assert "重新运行分流" in exc.value.messages[0]


def test_running_again_supersedes_the_open_proposal(social_worker, case, proposal):
    second = triage_run(actor=social_worker, case_id=case.pk)
    assert TriageDecision.objects.get(pk=proposal.pk).status == DecisionStatus.SUPERSEDED
    assert second.status == DecisionStatus.PROPOSED


def test_out_of_scope_social_worker_cannot_decide(away_social_worker, proposal):
    from sanshe.core.errors import ObjectNotFound

    with pytest.raises(ObjectNotFound):
        triage_decide(actor=away_social_worker, decision_id=proposal.pk, accept=True)


def test_an_open_crisis_keeps_the_case_immediate_whatever_triage_proposes(social_worker, case, proposal):
    """Triage over today's scales alone would propose "routine"; the crisis opened on the case is still open:
    triage now reads it (proposal immediate + crisis, the crisis first among the reasons), and overriding to
    something lower still leaves the case 立即处理 and a crisis case, and says why."""
    from sanshe.crisis.services import crisis_open

    assert proposal.engine_urgency != "immediate"
    crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                reason="聊天中说已经攒了安眠药")
    case.refresh_from_db()
    assert (case.urgency, case.is_crisis) == ("immediate", True)
    proposal = triage_run(actor=social_worker, case_id=case.pk)  # the crisis changed the inputs: run again
    assert (proposal.engine_urgency, proposal.engine_crisis) == ("immediate", True)
    assert proposal.result["reasons"][0]["text"] == "危机处置进行中：自杀/自伤风险，尚无人确认"
    outcome = triage_decide(actor=social_worker, decision_id=proposal.pk, accept=False, tier=2, urgency="routine",
                            reason="量表结果轻微，本人已平静")
    case.refresh_from_db()
    assert (case.urgency, case.is_crisis) == ("immediate", True)
    assert any("危机处置或高危预警尚未结束" in note for note in outcome.notes)
    event = AuditEvent.objects.get(action="triage.override")
    assert event.detail["held_by_open_crisis"] is True
