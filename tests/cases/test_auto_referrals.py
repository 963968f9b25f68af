"""Nothing at risk is missed: imminent chat alerts and red monitoring alerts reach the inbox by themselves."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sanshe.cases.models import Referral
from sanshe.cases.services import referral_from_chat_alert
from sanshe.core.models import AuditEvent
from sanshe.groups import services as groups
from sanshe.groups.models import GroupTier, MemberRole, RiskAlert
from sanshe.monitoring import services as monitoring
from sanshe.monitoring.models import Alert, FollowUp
from sanshe.monitoring.services import CheckInInput
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(world, social_worker, resident):
    group = groups.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="聚焦服务群")
    groups.member_add(actor=social_worker, group=group, user=resident, role=MemberRole.CLIENT, nickname="张先生")
    return group


def test_an_imminent_chat_alert_becomes_an_immediate_referral(world, group, resident, social_worker,
                                                              django_capture_on_commit_callbacks, sms):
    with django_capture_on_commit_callbacks(execute=True):
        groups.message_send(actor=resident, group=group, body="我攒了一瓶安眠药，今晚就吃")
    alert = RiskAlert.objects.get()
    referral = Referral.objects.get()
    assert (referral.person, referral.source_kind, referral.source_id) == (world.head, "chat", alert.pk)
    assert referral.urgency == "immediate" and referral.created_by is None and referral.status == "new"
    assert "已自动转介" in referral.reason
    event = AuditEvent.objects.get(action="referral.create")
    assert event.actor is None and event.detail["automatic"] is True
    # A worker pressing "refer" on the same alert afterwards gets this referral, not a second one.
    assert groups.alert_refer(actor=social_worker, alert=alert).pk == referral.pk
    assert Referral.objects.count() == 1


def test_a_lower_chat_alert_is_left_to_people(group, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        groups.message_send(actor=resident, group=group, body="最近睡不好，心里很烦")
    assert not Referral.objects.exists()


def test_a_chat_alert_about_someone_without_a_person_record_is_audited(world, social_worker, group,
                                                                       django_capture_on_commit_callbacks):
    member = UserFactory(username="nobody")
    groups.member_add(actor=social_worker, group=group, user=member, role=MemberRole.CLIENT)
    with django_capture_on_commit_callbacks(execute=True):
        groups.message_send(actor=member, group=group, body="我攒了一瓶安眠药，今晚就吃")
    assert not Referral.objects.exists()
    assert AuditEvent.objects.filter(action="referral.auto_skipped").exists()
    assert referral_from_chat_alert(alert_id=RiskAlert.objects.get().pk) is None


def _check_in(world, community_worker, spo2: int, key: str):
    now = timezone.make_aware(timezone.datetime(2020, 2, 10, 8))
    period = monitoring.quarantine_register(actor=community_worker, person_id=world.head.pk, kind="home",
                                            start_date=now.date(), ordered_how="phone", now=now)
    follow_up = FollowUp.objects.filter(period=period).first()
    monitoring.check_in_record(actor=community_worker, follow_up_id=follow_up.pk,
                               data=CheckInInput(temperature_c=38.5, spo2=spo2), idempotency_key=key,
                               now=now + timezone.timedelta(hours=1))


def test_a_red_monitoring_alert_becomes_an_immediate_referral(world, community_worker, sms,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _check_in(world, community_worker, spo2=85, key="red-alert-1")
    alert = Alert.objects.get()
    assert alert.level == 3
    referral = Referral.objects.get()
    assert (referral.source_kind, referral.source_id, referral.urgency) == ("alert", alert.pk, "immediate")
    assert "红色健康预警" in referral.reason


def test_an_amber_monitoring_alert_is_left_to_the_community_worker(world, community_worker, sms,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _check_in(world, community_worker, spo2=92, key="amber-alert-1")
    assert Alert.objects.get().level < 3
    assert not Referral.objects.exists()
