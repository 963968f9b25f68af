"""The response checklist, notes, outcome and closing rules; the audited tap-to-call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from sanshe.core.models import AuditEvent
from sanshe.crisis.models import CrisisStatus, CrisisStep
from sanshe.crisis.services import (
    crisis_acknowledge,
    crisis_call_number,
    crisis_close,
    crisis_note_add,
    crisis_open,
    crisis_step_record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def crisis(social_worker, case, t0):
    return crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                       reason="电话中说今晚想结束生命", now=t0)


def test_each_step_is_timed_and_attributed(crisis, social_worker, t0):
    crisis_acknowledge(actor=social_worker, crisis=crisis, now=t0 + timedelta(minutes=1))
    step = crisis_step_record(actor=social_worker, crisis=crisis, kind="stay_in_contact", note="一直通着电话",
                              now=t0 + timedelta(minutes=2))
    assert step.done_by == social_worker and step.seconds_from_open == 120
    crisis.refresh_from_db()
    assert crisis.last_contact_at == t0 + timedelta(minutes=2)
    with pytest.raises(ValidationError):  # the same step twice
        crisis_step_record(actor=social_worker, crisis=crisis, kind="stay_in_contact", now=t0 + timedelta(minutes=3))
    assert AuditEvent.objects.filter(action="crisis.step", object_id=str(crisis.pk)).count() == 1


def test_emergency_call_says_which_or_why_not(crisis, social_worker, t0):
    with pytest.raises(ValidationError) as error:
        crisis_step_record(actor=social_worker, crisis=crisis, kind="emergency_call", call="", now=t0)
    assert "call" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        crisis_step_record(actor=social_worker, crisis=crisis, kind="emergency_call", call="not_applicable",
                           note="", now=t0)
    assert "note" in error.value.message_dict
    assert not CrisisStep.objects.exists()
    step = crisis_step_record(actor=social_worker, crisis=crisis, kind="emergency_call", call="not_applicable",
                              note="家属已陪同，本人同意明早就诊", now=t0)
    assert step.call == "not_applicable"
    step = crisis_step_record(actor=social_worker, crisis=crisis, kind="community", now=t0)
    assert step.call == ""


def test_working_the_checklist_acknowledges(crisis, counsellor, social_worker, on_duty, t0):
    crisis_step_record(actor=social_worker, crisis=crisis, kind="stay_in_contact", now=t0 + timedelta(seconds=40))
    crisis.refresh_from_db()
    assert crisis.status == CrisisStatus.ACKNOWLEDGED and crisis.ack_seconds == 40
    assert crisis.acknowledged_by == social_worker
    assert AuditEvent.objects.get(action="crisis.acknowledge").detail["implicit"] is True


def test_close_needs_confirmation_or_a_reason(crisis, social_worker, t0):
    with pytest.raises(ValidationError) as error:
        crisis_close(actor=social_worker, crisis=crisis, outcome_kind="could_not_reach", outcome="多次拨打无人接听",
                     now=t0)
    assert "close_reason" in error.value.message_dict
    crisis.refresh_from_db()
    assert crisis.is_open
    closed = crisis_close(actor=social_worker, crisis=crisis, outcome_kind="could_not_reach", outcome="多次拨打无人接听",
                          close_reason="已交由110上门查看，明早再确认", now=t0 + timedelta(minutes=40))
    assert closed.status == CrisisStatus.CLOSED and closed.closed_by == social_worker
    assert closed.close_reason == "已交由110上门查看，明早再确认"
    with pytest.raises(ValidationError):
        crisis_step_record(actor=social_worker, crisis=crisis, kind="community", now=t0 + timedelta(minutes=41))
    event = AuditEvent.objects.get(action="crisis.close")
    assert event.detail == {"outcome": "could_not_reach", "help_confirmed": False, "minutes_open": 40}


def test_close_after_confirmation(crisis, social_worker, case, t0):
    crisis_step_record(actor=social_worker, crisis=crisis, kind="help_confirmed", note="母亲已到家陪伴", now=t0)
    with pytest.raises(ValidationError) as error:
        crisis_close(actor=social_worker, crisis=crisis, outcome_kind="", outcome="", now=t0)
    assert set(error.value.message_dict) == {"outcome_kind", "outcome"}
    closed = crisis_close(actor=social_worker, crisis=crisis, outcome_kind="safe_with_family",
                          outcome="母亲陪伴，明早社工回访", now=t0 + timedelta(minutes=30))
    assert closed.close_reason == "" and closed.outcome == "母亲陪伴，明早社工回访"
    # A new crisis may be opened for the same case once the first is closed.
    again = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual", reason="次日再次出现危险",
                        now=t0 + timedelta(days=1))
    assert again.pk != crisis.pk


def test_notes_reset_time_since_contact(crisis, social_worker, t0):
    crisis_note_add(actor=social_worker, crisis=crisis, text="再次通话，情绪平稳", now=t0 + timedelta(minutes=12))
    crisis.refresh_from_db()
    assert crisis.last_contact_at == t0 + timedelta(minutes=12)
    crisis_note_add(actor=social_worker, crisis=crisis, text="已联系居委会主任", is_contact=False,
                    now=t0 + timedelta(minutes=20))
    crisis.refresh_from_db()
    assert crisis.last_contact_at == t0 + timedelta(minutes=12)
    with pytest.raises(ValidationError):
        crisis_note_add(actor=social_worker, crisis=crisis, text="好", now=t0)


def test_call_number_is_audited(crisis, social_worker):
    assert crisis_call_number(actor=social_worker, crisis=crisis, target="emergency_contact") == "13900001111"
    event = AuditEvent.objects.get(action="crisis.call")
    assert event.detail == {"target": "emergency_contact"} and "13900001111" not in str(event.detail)
