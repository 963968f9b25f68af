"""Triage vignettes through the service, at the boundaries the issue names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sanshe.assessments.services import triage_decide, triage_run
from sanshe.people.choices import Category
from sanshe.rules.triage import RULES_VERSION

from .conftest import give, likert

pytestmark = pytest.mark.django_db


def _phq9(total: int, item9: int = 0) -> list[int]:
    values = [0] * 9
    values[8] = item9
    rest = total - item9
    for i in range(8):
        values[i] = min(3, rest)
        rest -= values[i]
    assert sum(values) == total
    return values


def _gad7(total: int) -> list[int]:
    values = []
    for _ in range(7):
        values.append(min(3, total - sum(values)))
    return values


def _run(social_worker, case, **scales):
    for code, values in scales.items():
        give(social_worker, case, code, likert(values))
    return triage_run(actor=social_worker, case_id=case.pk)


@pytest.mark.parametrize(("total", "tier", "rule"), [(9, 1, None), (10, 2, "gad7_moderate"), (14, 2, "gad7_moderate"),
                                                    (15, 3, "gad7_severe")])
def test_gad7_boundaries(social_worker, case, total, tier, rule):
    decision = _run(social_worker, case, gad7=_gad7(total))
    assert decision.engine_tier == tier
    ids = [r["rule_id"] for r in decision.result["reasons"]]
    assert (rule in ids) if rule else ids == ["no_rule_fired"]
    assert decision.rules_version == RULES_VERSION


@pytest.mark.parametrize(("total", "tier", "urgency"), [(9, 1, "routine"), (10, 2, "routine"), (19, 2, "routine"),
                                                        (20, 3, "within_24h")])
def test_phq9_boundaries(social_worker, case, total, tier, urgency):
    decision = _run(social_worker, case, phq9=_phq9(total))
    assert (decision.engine_tier, decision.engine_urgency) == (tier, urgency)


def test_phq9_item9_with_total_3_is_tier_3_and_starts_the_suicide_screen(social_worker, case):
    decision = _run(social_worker, case, phq9=_phq9(3, item9=1))
    assert decision.engine_tier == 3
    assert decision.engine_crisis is False
    reasons = decision.result["reasons"]
    assert [r["rule_id"] for r in reasons] == ["phq9_item9"]
    assert "自杀风险筛查" in reasons[0]["text"] and "本次3分" in reasons[0]["text"]
    assert "suicide_screen" in [a["code"] for a in decision.result["actions"]]


def test_the_latest_administration_of_each_scale_counts(social_worker, case):
    now = timezone.now()
    give(social_worker, case, "gad7", likert(_gad7(16)), now=now - timedelta(days=2))
    give(social_worker, case, "gad7", likert(_gad7(4)), now=now)
    decision = triage_run(actor=social_worker, case_id=case.pk)
    assert decision.engine_tier == 1
    assert decision.result["scores"]["gad7"]["total"] == 4


def test_quarantine_with_unmet_needs_is_tier_2(social_worker, case, world):
    world.head.category = Category.HOME_QUARANTINE
    world.head.save(update_fields=["category"])
    case.needs = ["living_supplies"]
    case.save(update_fields=["needs"])
    decision = triage_run(actor=social_worker, case_id=case.pk)
    assert decision.engine_tier == 2
    assert decision.result["reasons"][0]["rule_id"] == "quarantine_unmet_needs"
    assert "生活物资" in decision.result["reasons"][0]["text"]


def test_cssrs_intent_is_a_crisis_and_accepting_opens_the_crisis_protocol(social_worker, case):
    from sanshe.crisis.models import CrisisResponse

    give(social_worker, case, "cssrs", {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes", "q5": "no", "q6": "no"})
    decision = triage_run(actor=social_worker, case_id=case.pk)
    assert (decision.engine_tier, decision.engine_urgency, decision.engine_crisis) == (3, "immediate", True)
    outcome = triage_decide(actor=social_worker, decision_id=decision.pk, accept=True)
    crisis = CrisisResponse.objects.get(case=case)
    assert outcome.crisis.pk == crisis.pk
    assert crisis.domain == "suicide" and crisis.source == "triage"
    case.refresh_from_db()
    assert case.is_crisis and case.urgency == "immediate" and case.tier == 3


def test_medical_emergency_from_the_checklist_is_a_medical_crisis(social_worker, case):
    from sanshe.crisis.models import CrisisResponse

    give(social_worker, case, "medical", {"breathing_difficulty": "none", "spo2": "88"})
    decision = triage_run(actor=social_worker, case_id=case.pk)
    assert decision.engine_crisis and decision.engine_urgency == "immediate"
    triage_decide(actor=social_worker, decision_id=decision.pk, accept=True)
    assert CrisisResponse.objects.get(case=case).domain == "medical"
