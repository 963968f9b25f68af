"""Acknowledgement within 5 minutes, or the crisis escalates (with a controllable clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sanshe.core.models import AuditEvent
from sanshe.crisis.models import CrisisEscalation, CrisisRecipient, CrisisStatus, RecipientReason
from sanshe.crisis.services import crises_escalate_overdue, crisis_acknowledge, crisis_open
from sanshe.groups.models import GroupMember, MemberRole
from tests.factories import Role, UserFactory, grant

pytestmark = pytest.mark.django_db


def reasons(crisis, step: int) -> dict[int, str]:
    return dict(CrisisRecipient.objects.filter(crisis=crisis, step=step).values_list("user_id", "reason"))


@pytest.fixture
def crisis(social_worker, case, on_duty, org_admin, t0):
    return crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                       reason="电话中说今晚想结束生命", now=t0)


def test_acknowledge_records_who_and_how_long(crisis, counsellor, t0):
    crisis = crisis_acknowledge(actor=counsellor, crisis=crisis, now=t0 + timedelta(seconds=83))
    assert crisis.status == CrisisStatus.ACKNOWLEDGED
    assert crisis.acknowledged_by == counsellor and crisis.ack_seconds == 83
    # A second tap changes nothing: the first acknowledgement stands.
    again = crisis_acknowledge(actor=counsellor, crisis=crisis, now=t0 + timedelta(minutes=3))
    assert again.ack_seconds == 83
    event = AuditEvent.objects.get(action="crisis.acknowledge")
    assert event.detail["ack_seconds"] == 83 and event.actor == counsellor


def test_escalation_timing(crisis, world, social_worker, other_social_worker, counsellor, medic, secretary,
                           community_worker, t0):
    # A second group whose admin is another social worker: the client's groups' admins join at step 1.
    assert crises_escalate_overdue(now=t0 + timedelta(minutes=4, seconds=59)) == 0
    assert not CrisisRecipient.objects.filter(crisis=crisis, step__gt=0).exists()

    assert crises_escalate_overdue(now=t0 + timedelta(minutes=5)) == 1
    crisis.refresh_from_db()
    assert crisis.escalation_step == 1 and crisis.ack_deadline == t0 + timedelta(minutes=10)
    # Step 1: the community's other social workers (the owner was alerted at once already).
    assert reasons(crisis, 1) == {other_social_worker.pk: RecipientReason.SOCIAL_WORKER}
    # Nothing more until the new deadline.
    assert crises_escalate_overdue(now=t0 + timedelta(minutes=9, seconds=59)) == 0

    assert crises_escalate_overdue(now=t0 + timedelta(minutes=10)) == 1
    crisis.refresh_from_db()
    assert crisis.escalation_step == 2
    # Step 2: everyone else on duty in the client's groups, and the community workers nearest the client.
    assert reasons(crisis, 2) == {medic.pk: RecipientReason.ON_DUTY_HELPER,
                                  secretary.pk: RecipientReason.ON_DUTY_HELPER,
                                  community_worker.pk: RecipientReason.COMMUNITY_WORKER}

    # Nobody new is left: everyone is reminded, the crisis never goes quiet.
    assert crises_escalate_overdue(now=t0 + timedelta(minutes=15)) == 1
    last = CrisisEscalation.objects.filter(crisis=crisis).last()
    assert last.reminder and last.new_recipients == 0
    assert AuditEvent.objects.filter(action="crisis.escalate", object_id=str(crisis.pk)).count() == 3

    crisis_acknowledge(actor=other_social_worker, crisis=crisis, now=t0 + timedelta(minutes=17))
    assert crises_escalate_overdue(now=t0 + timedelta(minutes=20)) == 0
    assert crises_escalate_overdue(now=t0 + timedelta(hours=3)) == 0
    crisis.refresh_from_db()
    assert crisis.ack_seconds == 17 * 60 and crisis.escalation_step == 3


def test_acknowledged_before_deadline_never_escalates(crisis, counsellor, t0):
    crisis_acknowledge(actor=counsellor, crisis=crisis, now=t0 + timedelta(minutes=2))
    assert crises_escalate_overdue(now=t0 + timedelta(minutes=5)) == 0
    assert not CrisisEscalation.objects.exists()


def test_group_admins_join_at_step_one(crisis, world, focus, t0):
    admin = focus.admin
    # The client's group admin is the owner here, already alerted: the step adds nobody twice.
    assert GroupMember.objects.filter(group=focus, user=admin, role=MemberRole.ADMIN).exists()
    crises_escalate_overdue(now=t0 + timedelta(minutes=5))
    assert CrisisRecipient.objects.filter(crisis=crisis, user=admin).count() == 1


def test_empty_step_is_skipped(social_worker, case, org_admin, t0):
    """No other social worker and no groups: the first escalation goes straight to the community workers."""
    steward = UserFactory(username="steward2")
    grant(steward, case.community.organisations.first(), Role.COMMUNITY_WORKER, buildings=[case.building],
          worker_kind="building_steward")
    crisis = crisis_open(actor=social_worker, case=case, domain="medical", source="manual",
                         reason="血氧88%，呼吸困难", now=t0)
    crises_escalate_overdue(now=t0 + timedelta(minutes=5))
    assert reasons(crisis, 2) == {steward.pk: RecipientReason.COMMUNITY_WORKER}


def test_sms_and_push_after_commit(social_worker, case, on_duty, org_admin, counsellor, t0,
                                   django_capture_on_commit_callbacks, settings):
    from sanshe.accounts.sms import MemorySmsBackend

    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    counsellor.phone = "13700000001"
    counsellor.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        crisis = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                             reason="电话中说今晚想结束生命", now=t0)
    assert callbacks  # pushes and the SMS task ran only after commit
    assert [phone for phone, _ in MemorySmsBackend.outbox] == ["13700000001"]
    assert "张*" in MemorySmsBackend.outbox[0][1] and "张伟" not in MemorySmsBackend.outbox[0][1]
    assert CrisisRecipient.objects.get(crisis=crisis, user=counsellor).sms


def test_in_app_push_on_the_personal_stream(social_worker, case, on_duty, counsellor, t0,
                                            django_capture_on_commit_callbacks, settings):
    """The alert reaches the counsellor's open pages through the same personal channel as chat risk alerts."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from sanshe.groups.events import user_channel

    # A bare channel read from the test thread: the in-memory layer, also when the suite runs with Redis (the
    # pub/sub layer only lets consumers it created join groups; tests/groups covers pushes over Redis).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_channel(counsellor.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        crisis = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                             reason="电话中说今晚想结束生命", now=t0)
    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "groups.push"
    assert message["data"]["kind"] == "crisis" and message["data"]["crisis_id"] == crisis.pk
    assert message["data"]["url"] == f"/crisis/{crisis.pk}/"
    assert "张伟" not in str(message["data"])


def test_periodic_task_runs_the_escalation(crisis, t0):
    from sanshe.crisis.tasks import crises_escalate_task

    # The task uses the real clock: long after T0, the crisis is overdue.
    assert crises_escalate_task.call_local() == 1
    crisis.refresh_from_db()
    assert crisis.escalation_step == 1


def test_sms_links_to_the_crisis_page_when_the_site_address_is_set(social_worker, case, on_duty, counsellor, t0,
                                                                   django_capture_on_commit_callbacks, settings):
    from sanshe.accounts.sms import MemorySmsBackend

    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    settings.SITE_URL = "https://sanshe.example.org"
    MemorySmsBackend.outbox.clear()
    counsellor.phone = "13700000001"
    counsellor.save()
    with django_capture_on_commit_callbacks(execute=True):
        crisis = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                             reason="电话中说今晚想结束生命", now=t0)
    text = dict(MemorySmsBackend.outbox)["13700000001"]
    assert text.endswith(f"https://sanshe.example.org/crisis/{crisis.pk}/") and "张伟" not in text


def test_reminders_skip_recipients_who_no_longer_hold_the_crisis(social_worker, case, on_duty, org_admin, counsellor,
                                                                 t0, settings, django_capture_on_commit_callbacks):
    """Once nobody new is left, everyone alerted is texted again — except a counsellor whose clearance lapsed
    in the meantime: the text names the person at risk, and they may not hold the crisis any more."""
    from sanshe.accounts.sms import MemorySmsBackend
    from sanshe.volunteers.models import AgreementSignature

    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    counsellor.phone = "13700000001"
    counsellor.save()
    social_worker.phone = "13700000002"
    social_worker.save()
    crisis = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                         reason="电话中说今晚想结束生命", now=t0)
    for minutes in (5, 10):  # the chain runs out
        crises_escalate_overdue(now=t0 + timedelta(minutes=minutes))
    AgreementSignature.objects.filter(user=counsellor).delete()  # a new agreement version, not signed yet
    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        crises_escalate_overdue(now=t0 + timedelta(minutes=15))
    last = CrisisEscalation.objects.filter(crisis=crisis).last()
    assert last.reminder
    phones = [phone for phone, _ in MemorySmsBackend.outbox]
    assert "13700000002" in phones  # the owner is reminded
    assert "13700000001" not in phones  # the lapsed counsellor is not
