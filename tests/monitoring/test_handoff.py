"""Monitoring hands over to the referrals feature through sanshe.monitoring.handoff (cases registers its desk):
a red alert becomes an immediate referral, and the monitoring pages show the open referrals and link the referral
form. Without a desk (cases not installed) nothing is referred and the pages show neither."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from sanshe.cases.from_monitoring import MonitoringReferralDesk
from sanshe.cases.models import Referral
from sanshe.cases.services import referral_create
from sanshe.monitoring import handoff, services
from sanshe.monitoring.models import Alert, FollowUp
from sanshe.monitoring.services import CheckInInput

from .test_views import _under_follow_up, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_desk():
    """As if the cases feature were not installed."""
    desk = handoff.desk()
    handoff.register(None)
    yield
    handoff.register(desk)


def _red_check_in(actor, period, key: str) -> Alert:
    follow_up = FollowUp.objects.filter(period=period).first()
    services.check_in_record(actor=actor, follow_up_id=follow_up.pk, idempotency_key=key,
                             data=CheckInInput(temperature_c=38.5, spo2=85), now=timezone.now())
    return Alert.objects.get()


def test_the_cases_feature_registers_its_desk():
    assert isinstance(handoff.desk(), MonitoringReferralDesk)


def test_the_pages_show_the_open_referral_of_the_alert_and_of_the_person(client, world, community_worker, sms):
    period = _under_follow_up(community_worker, world.head)
    follow_up = FollowUp.objects.filter(period=period).first()
    services.check_in_record(actor=community_worker, follow_up_id=follow_up.pk, idempotency_key="handoff-1",
                             data=CheckInInput(temperature_c=38.0, spo2=92))
    alert = Alert.objects.get()
    client_for(client, community_worker)
    alert_page = reverse("monitoring:alert_detail", args=[alert.pk])
    period_page = reverse("monitoring:period_detail", args=[period.pk])
    body = client.get(alert_page).content.decode()
    assert "已转介社工" not in body and f'{reverse("cases:referral_create")}?source=alert&id={alert.pk}' in body
    body = client.get(period_page).content.decode()
    assert "<h2>转介</h2>" not in body and f'{reverse("cases:referral_create")}?source=check_in&id=' in body
    referral_create(actor=community_worker, person_id=world.head.pk, source_kind="alert", source_id=alert.pk,
                    reason="发热伴血氧偏低，家属很担心", urgency="within_24h")
    assert "已转介社工（待接收）" in client.get(alert_page).content.decode()
    body = client.get(period_page).content.decode()
    assert "<h2>转介</h2>" in body and "健康预警 · " in body and "<strong>待接收</strong>" in body


def test_without_a_desk_a_red_alert_still_escalates_and_nothing_is_referred(client, world, community_worker, sms,
                                                                             no_desk,
                                                                             django_capture_on_commit_callbacks):
    period = _under_follow_up(community_worker, world.head)
    with django_capture_on_commit_callbacks(execute=True):
        alert = _red_check_in(community_worker, period, "handoff-2")
    assert alert.level == 3 and alert.ack_deadline is not None
    assert not Referral.objects.exists()
    client_for(client, community_worker)
    body = client.get(reverse("monitoring:alert_detail", args=[alert.pk])).content.decode()
    form = reverse("cases:referral_create")
    assert "转介社工" not in body and form not in body and "处理完毕" in body
    period_page = client.get(reverse("monitoring:period_detail", args=[period.pk]))
    assert period_page.status_code == 200 and form not in period_page.content.decode()
