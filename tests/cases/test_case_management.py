"""Intake, follow-ups, overdue reminders, transfer (new owner) and assignment of a part (an assignee)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from sanshe.cases.models import Case, CaseAssignment, CaseFollowUp, CaseTransfer
from sanshe.cases.selectors import access_case, my_cases
from sanshe.cases.services import (
    case_assign,
    case_assignment_end,
    case_followup_add,
    case_followup_done,
    case_intake_save,
    case_open,
    case_status_set,
    case_transfer,
    followups_remind_overdue,
)
from sanshe.core.errors import ObjectNotFound
from sanshe.core.models import AuditEvent
from tests.factories import Role

from .conftest import NOW

pytestmark = pytest.mark.django_db
TODAY = date(2020, 2, 12)


@pytest.fixture
def case(world, social_worker):
    return case_open(actor=social_worker, person_id=world.head.pk, now=NOW)


def test_intake_is_saved_encrypted(case, social_worker):
    case_intake_save(actor=social_worker, case_id=case.pk, emergency_contact_name="王芳",
                     emergency_contact_phone="139 0000 1234", demand_emotion=" 焦虑 ", demand_medical="买药",
                     needs=["emotional_support", "health_consultation", "medical_other"], needs_other="血压计",
                     plan="每日电话问候")
    case.refresh_from_db()
    assert case.emergency_contact_phone == "13900001234" and case.demand_emotion == "焦虑"
    assert case.needs == ["health_consultation", "medical_other", "emotional_support"]  # form order
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT demand_medical, emergency_contact_phone FROM cases_case WHERE id = %s", [case.pk])
        raw = cursor.fetchone()
    assert "买药" not in raw[0] and "13900001234" not in raw[1]
    assert AuditEvent.objects.get(action="case.intake").detail == {"needs": 3, "plan": True}


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"emergency_contact_phone": "abc"}, "emergency_contact_phone"),
    ({"emergency_contact_phone": "13900001234"}, "emergency_contact_name"),
    ({"needs": ["fly"]}, "needs"),
    ({"needs": ["care_other"]}, "needs_other"),
    ({"plan": "长" * 2001}, "plan"),
])
def test_bad_intake_saves_nothing(case, social_worker, kwargs, field):
    data = {"demand_emotion": "焦虑", **kwargs}
    with pytest.raises(ValidationError) as error:
        case_intake_save(actor=social_worker, case_id=case.pk, **data)
    assert field in error.value.message_dict
    case.refresh_from_db()
    assert not case.demand_emotion and not AuditEvent.objects.filter(action="case.intake").exists()


def test_intake_out_of_scope_is_404(case, away_social_worker, community_worker):
    for actor in (away_social_worker, community_worker):
        with pytest.raises(ObjectNotFound):
            case_intake_save(actor=actor, case_id=case.pk, plan="偷看")


def _follow_up(case, actor, **kwargs):
    data = {"date": TODAY, "domain": "medical", "content": "电话解答用药", "responsible_name": "孙医生",
            "contact": "13900002222", "now": NOW}
    data.update(kwargs)
    return case_followup_add(actor=actor, case_id=case.pk, **data)


def test_follow_ups_by_date_and_part(case, social_worker):
    entry = _follow_up(case, social_worker, done=True)
    assert entry.done_at == NOW and entry.done_by == social_worker and entry.contact_masked == "139****2222"
    planned = _follow_up(case, social_worker, domain="psychological", content="复评PHQ-9", date=TODAY + timedelta(days=2),
                         due_at=NOW + timedelta(days=2))
    assert planned.done_at is None
    case_followup_done(actor=social_worker, followup_id=planned.pk, now=NOW + timedelta(days=1))
    planned.refresh_from_db()
    assert planned.done_at == NOW + timedelta(days=1)
    assert AuditEvent.objects.filter(action="case.followup_add").count() == 2
    assert AuditEvent.objects.filter(action="case.followup_done").count() == 1


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"domain": "legal"}, "domain"), ({"content": ""}, "content"), ({"responsible_name": ""}, "responsible_name"),
    ({"contact": "电话"}, "contact"), ({"date": TODAY + timedelta(days=3)}, "date"),
    ({"due_at": NOW, "done": True}, "due_at"),
])
def test_bad_follow_ups_save_nothing(case, social_worker, kwargs, field):
    with pytest.raises(ValidationError) as error:
        _follow_up(case, social_worker, **kwargs)
    assert field in error.value.message_dict
    assert not CaseFollowUp.objects.exists()


def test_no_follow_ups_on_a_closed_case(case, social_worker):
    case_status_set(actor=social_worker, case_id=case.pk, status="closed", reason="需求已满足")
    with pytest.raises(ValidationError, match="已结案"):
        _follow_up(case, social_worker)


def test_overdue_follow_ups_remind_the_owner_once_a_day(case, social_worker, sms, django_capture_on_commit_callbacks):
    social_worker.phone = "13900000001"
    social_worker.save()
    overdue = _follow_up(case, social_worker, due_at=NOW + timedelta(hours=1))
    _follow_up(case, social_worker, due_at=NOW + timedelta(days=5), content="以后再做")
    _follow_up(case, social_worker, content="已完成的", done=True)
    assert followups_remind_overdue(now=NOW) == 0 and sms == []
    later = NOW + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):  # the text leaves the outbox after commit
        assert followups_remind_overdue(now=later) == 1
    assert len(sms) == 1 and "1条跟进已超时" in sms[0][1] and case.number in sms[0][1]
    overdue.refresh_from_db()
    assert overdue.reminded_at == later
    assert followups_remind_overdue(now=later + timedelta(hours=1)) == 0  # not again within a day
    assert followups_remind_overdue(now=later + timedelta(hours=25)) == 1
    assert AuditEvent.objects.filter(action="case.followup_remind").count() == 2
    case_followup_done(actor=social_worker, followup_id=overdue.pk, now=later)
    assert followups_remind_overdue(now=later + timedelta(days=3)) == 0
    assert my_cases(actor=social_worker, now=later)[0].overdue == 0


def test_my_cases_shows_overdue_counts(case, social_worker):
    _follow_up(case, social_worker, due_at=NOW - timedelta(hours=1))
    _follow_up(case, social_worker, due_at=NOW + timedelta(hours=1))
    row = my_cases(actor=social_worker, now=NOW)[0]
    assert (row.overdue, row.pending) == (1, 2)


def test_transfer_to_another_social_worker(case, social_worker, social_worker2, sms,
                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case_transfer(actor=social_worker, case_id=case.pk, to_user_id=social_worker2.pk, reason="本周轮休，交由何社工",
                      now=NOW)
    case.refresh_from_db()
    assert case.owner == social_worker2 and case.intake_by == social_worker
    transfer = CaseTransfer.objects.get()
    assert (transfer.from_owner, transfer.to_owner, transfer.reason) == (social_worker, social_worker2,
                                                                          "本周轮休，交由何社工")
    event = AuditEvent.objects.get(action="case.transfer")
    assert event.detail == {"from": social_worker.pk, "to": social_worker2.pk}
    assert sms and sms[0][0] == social_worker2.phone and case.number in sms[0][1]
    assert [c.pk for c in my_cases(actor=social_worker2)] == [case.pk]
    assert my_cases(actor=social_worker) == []


def test_transfer_rules(case, social_worker, community_worker, away_social_worker):
    for target, reason, field in [(community_worker.pk, "原因原因", "to_user"), (away_social_worker.pk, "原因原因", "to_user"),
                                  (social_worker.pk, "原因原因", "to_user"), (None, "原因原因", "to_user")]:
        with pytest.raises(ValidationError) as error:
            case_transfer(actor=social_worker, case_id=case.pk, to_user_id=target, reason=reason)
        assert field in error.value.message_dict
    assert not CaseTransfer.objects.exists()


def test_transfer_needs_a_reason(case, social_worker, social_worker2):
    with pytest.raises(ValidationError) as error:
        case_transfer(actor=social_worker, case_id=case.pk, to_user_id=social_worker2.pk, reason="")
    assert "reason" in error.value.message_dict
    case.refresh_from_db()
    assert case.owner == social_worker


@pytest.fixture
def local_medic(world, medic):
    medic.memberships.get(role=Role.MEDICAL_VOLUNTEER).communities.add(world.home)
    return medic


def test_assigning_a_part_lets_the_assignee_see_and_follow_up(case, social_worker, local_medic, counsellor):
    with pytest.raises(ObjectNotFound):
        access_case(actor=local_medic, id=case.pk)
    assignment = case_assign(actor=social_worker, case_id=case.pk, part="medical", assignee_id=local_medic.pk,
                             note="负责用药咨询")
    assert access_case(actor=local_medic, id=case.pk) == case
    assert AuditEvent.objects.get(action="case.assign").detail == {"part": "medical", "assignee": local_medic.pk}
    _follow_up(case, local_medic, content="医务志愿者电话随访")
    with pytest.raises(ObjectNotFound):  # an assignee follows up, but does not change the case
        case_status_set(actor=local_medic, case_id=case.pk, status="in_service", reason="")
    with pytest.raises(ObjectNotFound):
        case_intake_save(actor=local_medic, case_id=case.pk, plan="改计划")
    assert Case.objects.for_actor(local_medic).count() == 1  # no duplicate rows through the assignment
    case_assignment_end(actor=social_worker, assignment_id=assignment.pk)
    with pytest.raises(ObjectNotFound):
        access_case(actor=local_medic, id=case.pk)


def test_assignment_rules(case, social_worker, local_medic, world):
    with pytest.raises(ValidationError) as error:  # a medic does not take the psychological part
        case_assign(actor=social_worker, case_id=case.pk, part="psychological", assignee_id=local_medic.pk)
    assert "assignee" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        case_assign(actor=social_worker, case_id=case.pk, part="legal", assignee_id=local_medic.pk)
    assert "part" in error.value.message_dict
    first = case_assign(actor=social_worker, case_id=case.pk, part="medical", assignee_id=local_medic.pk)
    second = case_assign(actor=social_worker, case_id=case.pk, part="medical", assignee_id=social_worker.pk)
    first.refresh_from_db()
    assert first.ended_at is not None and second.ended_at is None
    assert CaseAssignment.objects.filter(case=case, ended_at__isnull=True).count() == 1


def test_transfer_and_assignment_push_an_in_app_notice(case, social_worker, social_worker2, settings,
                                                        django_capture_on_commit_callbacks):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from sanshe.core.notify.models import Notification
    from sanshe.groups import events

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(events.user_channel(social_worker2.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        case_transfer(actor=social_worker, case_id=case.pk, to_user_id=social_worker2.pk, reason="本周轮休交接",
                      now=NOW)
    pushed = async_to_sync(layer.receive)(channel)["data"]
    assert pushed["kind"] == "cases.transfer" and case.number in pushed["text"]
    assert pushed["href"] == f"/cases/{case.pk}/"
    # … and it stays in the new owner's notification list.
    assert Notification.objects.filter(recipient=social_worker2, kind="cases.transfer").exists()


def test_the_periodic_task_runs_the_reminder(case, social_worker, sms):
    from sanshe.cases.tasks import case_followups_remind

    _follow_up(case, social_worker, due_at=NOW - timedelta(hours=1))
    assert case_followups_remind.call_local() == 1
