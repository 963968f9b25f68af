"""Case status: the allowed moves of tool 5, reasons where they matter, history and audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sanshe.cases.models import CaseStatusChange
from sanshe.cases.rules import TRANSITIONS, reason_required, status_change_problem
from sanshe.cases.services import case_open, case_status_set
from sanshe.core.errors import ObjectNotFound
from sanshe.core.models import AuditEvent

from .conftest import NOW, minutes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("open", "in_service", True), ("open", "referred_out", True), ("open", "closed", True),
    ("in_service", "referred_out", True), ("in_service", "closed", True), ("in_service", "open", False),
    ("referred_out", "in_service", True), ("referred_out", "closed", True), ("referred_out", "open", False),
    ("closed", "in_service", True), ("closed", "open", False), ("closed", "referred_out", False),
])
def test_transitions(current, target, allowed):
    assert (target in TRANSITIONS[current]) is allowed
    problem = status_change_problem(current, target, "有充分的原因")
    assert (problem is None) is allowed


def test_reasons_are_required_for_closing_referring_out_and_reopening():
    assert reason_required("in_service", "closed") and reason_required("open", "referred_out")
    assert reason_required("closed", "in_service")
    assert not reason_required("open", "in_service")
    assert status_change_problem("in_service", "closed", "好").field == "reason"
    assert "结案" in status_change_problem("in_service", "closed", "").message
    assert status_change_problem("open", "in_service", "") is None
    assert status_change_problem("open", "bogus", "原因原因").field == "status"


def test_status_history_with_reasons_and_audit(world, social_worker):
    case = case_open(actor=social_worker, person_id=world.head.pk, now=NOW)
    case_status_set(actor=social_worker, case_id=case.pk, status="in_service", reason="", now=NOW + minutes(5))
    case_status_set(actor=social_worker, case_id=case.pk, status="referred_out", reason="转介至定点医院",
                    now=NOW + minutes(10))
    case_status_set(actor=social_worker, case_id=case.pk, status="in_service", reason="医院已回复，继续服务",
                    now=NOW + minutes(20))
    closed = case_status_set(actor=social_worker, case_id=case.pk, status="closed", reason="需求已满足，本人同意",
                             now=NOW + minutes(30))
    assert closed.status == "closed" and closed.closed_at == NOW + minutes(30)
    assert closed.close_reason == "需求已满足，本人同意"
    history = [(c.from_status, c.to_status, c.reason or "") for c in CaseStatusChange.objects.filter(case=case)]
    assert history == [("", "open", ""), ("open", "in_service", ""), ("in_service", "referred_out", "转介至定点医院"),
                       ("referred_out", "in_service", "医院已回复，继续服务"), ("in_service", "closed", "需求已满足，本人同意")]
    events = AuditEvent.objects.filter(action="case.status").order_by("pk")
    assert [e.detail["to"] for e in events] == ["in_service", "referred_out", "in_service", "closed"]
    assert all("医院" not in str(e.detail) for e in events)  # reasons are not copied into the audit log


def test_closing_without_a_reason_changes_nothing(world, social_worker):
    case = case_open(actor=social_worker, person_id=world.head.pk, now=NOW)
    with pytest.raises(ValidationError) as error:
        case_status_set(actor=social_worker, case_id=case.pk, status="closed", reason=" ")
    assert "reason" in error.value.message_dict
    case.refresh_from_db()
    assert case.status == "open" and case.closed_at is None
    assert CaseStatusChange.objects.filter(case=case).count() == 1


def test_closed_is_final_unless_reopened_with_a_reason(world, social_worker):
    case = case_open(actor=social_worker, person_id=world.head.pk, now=NOW)
    case_status_set(actor=social_worker, case_id=case.pk, status="closed", reason="本人拒绝服务")
    with pytest.raises(ValidationError):
        case_status_set(actor=social_worker, case_id=case.pk, status="referred_out", reason="转介至医院")
    with pytest.raises(ValidationError) as error:
        case_status_set(actor=social_worker, case_id=case.pk, status="in_service", reason="")
    assert "reason" in error.value.message_dict
    reopened = case_status_set(actor=social_worker, case_id=case.pk, status="in_service", reason="本人再次求助")
    assert reopened.status == "in_service" and reopened.closed_at is None


def test_reopening_is_refused_when_the_person_has_another_open_case(world, social_worker):
    case = case_open(actor=social_worker, person_id=world.head.pk, now=NOW)
    case_status_set(actor=social_worker, case_id=case.pk, status="closed", reason="需求已满足")
    case_open(actor=social_worker, person_id=world.head.pk, now=NOW + minutes(60))
    with pytest.raises(ValidationError) as error:
        case_status_set(actor=social_worker, case_id=case.pk, status="in_service", reason="本人再次求助")
    assert "进行中的个案" in str(error.value)


def test_setting_the_same_status_is_a_no_op(world, social_worker):
    """The records feature may call it again when a second referral out is sent."""
    case = case_open(actor=social_worker, person_id=world.head.pk, now=NOW)
    case_status_set(actor=social_worker, case_id=case.pk, status="referred_out", reason="转介至医院")
    case_status_set(actor=social_worker, case_id=case.pk, status="referred_out", reason="再次转介")
    assert CaseStatusChange.objects.filter(case=case).count() == 2


def test_status_out_of_scope_is_404(world, social_worker, community_worker, away_social_worker):

    case = case_open(actor=social_worker, person_id=world.head.pk, now=NOW)
    with pytest.raises(ObjectNotFound):
        case_status_set(actor=away_social_worker, case_id=case.pk, status="in_service", reason="")
    with pytest.raises(ObjectNotFound):
        case_status_set(actor=community_worker, case_id=case.pk, status="in_service", reason="")
