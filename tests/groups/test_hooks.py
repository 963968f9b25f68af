"""Groups reaches the roster and the referral inbox only through what those features register with it in their
AppConfig.ready (a duty provider, the alert-referral handler, the "chat" referral source). Without them groups
stays safe and says so: manual duty alone decides who is on duty, and a risk alert still reaches the people
responsible and escalates — it is never dropped because nobody can take a referral."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sanshe.cases.from_chat import ChatAlertReferral
from sanshe.cases.models import Referral
from sanshe.cases.sources import SOURCES
from sanshe.core.models import AuditEvent
from sanshe.groups import duty
from sanshe.groups.alerts import referral
from sanshe.groups.alerts.services import alert_refer
from sanshe.groups.chat.services import message_send
from sanshe.groups.models import RiskAlert, RiskAlertStatus
from sanshe.rosters.chat_duty import RosterDuty
from sanshe.rules.chatrisk import IMMINENT_LEVEL

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_cases(monkeypatch):
    """As in a setup without the cases feature: no referral handler registered."""
    monkeypatch.setattr(referral, "_HANDLER", [])


def test_the_roster_and_the_cases_feature_register_with_groups():
    assert [type(p) for p in duty.duty_providers()] == [RosterDuty]
    assert isinstance(referral.handler(), ChatAlertReferral)
    assert SOURCES["chat"] is referral.chat_alert_source


def test_without_a_referral_handler_an_imminent_alert_still_reaches_everyone_responsible(
        without_cases, on_duty, resident, counsellor, social_worker, django_capture_on_commit_callbacks, caplog):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(actor=resident, group=on_duty, body="我攒了一瓶安眠药，今晚就吃").message
    alert = RiskAlert.objects.get(message=message)
    assert alert.level >= IMMINENT_LEVEL and alert.status == RiskAlertStatus.OPEN and alert.ack_deadline
    assert {counsellor.pk, social_worker.pk} <= set(alert.recipients.values_list("pk", flat=True))
    assert AuditEvent.objects.filter(action="groups.risk_alert.raise", object_id=str(alert.pk)).exists()
    assert not Referral.objects.exists()
    assert "no referral handler registered" in caplog.text


def test_without_a_referral_handler_nobody_is_offered_to_refer(without_cases, client, on_duty, resident,
                                                               social_worker):
    alert = RiskAlert.objects.get(message=message_send(actor=resident, group=on_duty, body="我不想活了").message)
    with pytest.raises(ValidationError, match="转介功能尚未安装"):
        alert_refer(actor=social_worker, alert=alert)
    client.force_login(social_worker)
    page = client.get(reverse("groups:alerts")).content.decode()
    assert "自杀意念：不想活" in page
    assert "转介社工（危机个案）" not in page and "启动危机处置" not in page
    assert not Referral.objects.exists()


def test_with_the_cases_feature_the_alerts_page_offers_the_crisis_protocol(client, on_duty, resident,
                                                                           social_worker):
    message_send(actor=resident, group=on_duty, body="我不想活了")
    client.force_login(social_worker)
    assert "启动危机处置" in client.get(reverse("groups:alerts")).content.decode()
