"""Giving scales: skip logic, bad answers (nothing saved), encryption at rest, the self-fill link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from sanshe.assessments.models import Administration, AdministrationStatus
from sanshe.assessments.services import (
    administration_cancel,
    administration_link_send,
    administration_self_submit,
    link_resolve,
)
from sanshe.core.errors import ObjectNotFound
from sanshe.core.models import AuditEvent

from .conftest import give, likert

pytestmark = pytest.mark.django_db


def test_cssrs_answer_forbidden_by_skip_logic_is_refused_and_nothing_saved(social_worker, case):
    with pytest.raises(ValidationError) as exc:
        give(social_worker, case, "cssrs", {"q1": "yes", "q2": "no", "q3": "yes", "q6": "no"})
    assert "第2题回答“否”时应直接跳到第6题，第3题不应作答" in " ".join(exc.value.messages)
    assert not Administration.objects.exists()


def test_cssrs_q2_yes_needs_q3_to_q5_and_q6_yes_needs_the_follow_up(social_worker, case):
    with pytest.raises(ValidationError) as exc:
        give(social_worker, case, "cssrs", {"q1": "no", "q2": "yes", "q6": "no"})
    assert "第3题" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        give(social_worker, case, "cssrs", {"q1": "no", "q2": "no", "q6": "yes"})
    assert "过去3个月内" in exc.value.messages[0]
    assert not Administration.objects.exists()
    done = give(social_worker, case, "cssrs", {"q1": "yes", "q2": "no", "q6": "yes", "q6_past_3_months": "no"})
    assert done.result["risk"] == "moderate"


@pytest.mark.parametrize(("data", "message"), [
    ({**likert([0] * 9), "item4": "4"}, "PHQ-9 第4题（感觉疲倦或没有活力）的答案应为0–3之间的整数，收到“4”"),
    ({**likert([0] * 9), "item2": "-1"}, "的答案应为0–3之间的整数"),
    ({**likert([0] * 9), "item9": "x"}, "第9题"),
    ({k: v for k, v in likert([1] * 9).items() if k != "item7"}, "PHQ-9 第7题（对事物专注有困难，例如阅读报纸或看电视时）未作答"),
])
def test_out_of_range_or_missing_answers_are_refused_in_chinese(social_worker, case, data, message):
    with pytest.raises(ValidationError) as exc:
        give(social_worker, case, "phq9", data)
    assert message in exc.value.messages[0]
    assert not Administration.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.give").exists()


def test_medical_checklist_refuses_impossible_values(social_worker, case):
    with pytest.raises(ValidationError) as exc:
        give(social_worker, case, "medical", {"breathing_difficulty": "none", "temperature_c": "45"})
    assert "体温应在34–43℃之间" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        give(social_worker, case, "medical", {"breathing_difficulty": "none", "spo2": "abc"})
    assert "应填写数字" in exc.value.messages[0]
    assert not Administration.objects.exists()


def test_answers_and_results_are_encrypted_at_rest(social_worker, case):
    done = give(social_worker, case, "phq9", likert([2, 2, 2, 2, 2, 2, 2, 2, 1]))
    assert done.result["total"] == 17 and done.result["band"] == "moderately_severe"
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers_data, result_data FROM assessments_administration WHERE id = %s", [done.pk])
        answers, result = cursor.fetchone()
    assert '"answers"' not in answers and '"total"' not in result and "moderately" not in result
    event = AuditEvent.objects.get(action="assessment.give")
    assert event.detail == {"administration": done.pk, "scale": "phq9"}


def test_self_fill_link_is_single_use_and_stores_only_a_hash(social_worker, case):
    administration, token = administration_link_send(actor=social_worker, case_id=case.pk, scale="gad7")
    assert token not in (administration.token_hash or "") and len(token) >= 40
    assert link_resolve(token).pk == administration.pk
    with pytest.raises(ValidationError):
        administration_self_submit(token=token, data=likert([3, 3, 3, 3, 3, 3, 9]))
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.PENDING and administration.answers is None
    administration_self_submit(token=token, data=likert([1, 1, 1, 1, 1, 1, 1]))
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.COMPLETED and administration.result["total"] == 7
    assert administration.token_hash is None
    assert link_resolve(token) is None
    with pytest.raises(ObjectNotFound):
        administration_self_submit(token=token, data=likert([0] * 7))


def test_self_fill_link_expires_and_can_be_cancelled(social_worker, case):
    now = timezone.now()
    _a, token = administration_link_send(actor=social_worker, case_id=case.pk, scale="phq4", days=1, now=now)
    assert link_resolve(token, now=now + timedelta(hours=23)) is not None
    assert link_resolve(token, now=now + timedelta(days=1, seconds=1)) is None
    with pytest.raises(ObjectNotFound):
        administration_self_submit(token=token, data=likert([0] * 4), now=now + timedelta(days=2))
    other, token2 = administration_link_send(actor=social_worker, case_id=case.pk, scale="isi")
    administration_cancel(actor=social_worker, administration_id=other.pk)
    assert link_resolve(token2) is None


def test_link_days_out_of_range_refused(social_worker, case):
    with pytest.raises(ValidationError):
        administration_link_send(actor=social_worker, case_id=case.pk, scale="phq9", days=30)
    assert not Administration.objects.exists()


@pytest.fixture
def sms(settings):
    from sanshe.accounts.sms import MemorySmsBackend

    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox = []
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox = []


def test_a_high_risk_self_fill_reaches_the_social_worker_at_once(social_worker, case, sms, django_capture_on_commit_callbacks):
    social_worker.phone = "13907152002"
    social_worker.save(update_fields=["phone"])
    _a, token = administration_link_send(actor=social_worker, case_id=case.pk, scale="cssrs")
    with django_capture_on_commit_callbacks(execute=True):
        administration_self_submit(token=token, data={"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes",
                                                      "q5": "no", "q6": "no"})
    assert len(sms) == 1
    phone, text = sms[0]
    assert phone == "13907152002" and "高风险" in text and case.number in text
    assert case.person.name not in text
    assert AuditEvent.objects.get(action="assessment.self_submit").detail["high_risk"] is True
