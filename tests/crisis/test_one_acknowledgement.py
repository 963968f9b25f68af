"""A chat risk alert and the crisis started from it have one acknowledgement, one escalation chain, and show the
same state on the alerts page, the crisis page and the chat (issue 12 item 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sanshe.core.models import AuditEvent
from sanshe.crisis.models import CrisisResponse
from sanshe.crisis.services import (
    crises_escalate_overdue,
    crisis_acknowledge,
    crisis_close,
    crisis_from_alert,
    crisis_step_record,
)
from sanshe.groups import services as group_services
from sanshe.groups.models import DutyKind, Group, RiskAlert
from sanshe.groups.services import alert_acknowledge, alerts_escalate_overdue
from tests.crisis.conftest import put_on_duty

pytestmark = pytest.mark.django_db

IMMINENT = "我攒了一瓶安眠药，今晚就吃了，不想活了"


def alert_for(user, group, body=IMMINENT) -> RiskAlert:
    message = group_services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=body).message
    return RiskAlert.objects.get(message=message)


def alert_card(client, alert) -> str:
    """The alert's card on the alerts page."""
    html = client.get(reverse("groups:alerts")).content.decode()
    start = html.index(f'id="alert-{alert.pk}"')
    return html[start:html.index('<div class="actions">', start)]


def test_starting_a_crisis_does_not_mark_the_alert_acknowledged(client, focus, resident, social_worker):
    """The reported case: the alerts page said 已确认 while the crisis was 待确认."""
    alert = alert_for(resident, focus)
    crisis = crisis_from_alert(actor=social_worker, alert_id=alert.pk)
    alert.refresh_from_db()
    assert crisis.status == "open" and alert.status == "open" and alert.crisis_id == crisis.pk
    client.force_login(social_worker)
    card = alert_card(client, alert)
    assert "危机处置 · 待确认" in card and "已确认" not in card
    assert reverse("crisis:detail", args=[crisis.pk]) in card
    assert "自杀/自伤风险 · 待确认" in client.get(reverse("crisis:detail", args=[crisis.pk])).content.decode()


def test_acknowledging_the_crisis_acknowledges_its_alert(client, focus, resident, social_worker):
    alert = alert_for(resident, focus)
    crisis = crisis_from_alert(actor=social_worker, alert_id=alert.pk)
    client.force_login(social_worker)
    assert client.post(reverse("crisis:acknowledge", args=[crisis.pk])).status_code == 302
    alert.refresh_from_db()
    crisis.refresh_from_db()
    assert crisis.status == alert.status == "acknowledged"
    assert alert.acknowledged_by == crisis.acknowledged_by == social_worker
    assert alert.acknowledged_at == crisis.acknowledged_at
    audited = AuditEvent.objects.get(action="groups.risk_alert.acknowledge", object_id=str(alert.pk))
    assert audited.actor == social_worker and audited.detail["crisis"] == crisis.pk
    card = alert_card(client, alert)
    assert "危机处置 · 处置中" in card and "待确认" not in card
    # Nothing left to acknowledge on the alerts page.
    assert reverse("groups:alert_ack", args=[alert.pk]) not in card


def test_acknowledging_the_alert_acknowledges_its_crisis(client, focus, resident, social_worker, counsellor):
    """The on-duty counsellor takes it from the alerts page: the crisis page says 处置中 too, by the counsellor."""
    put_on_duty(social_worker, focus, counsellor, DutyKind.PSYCHOLOGICAL, start=timezone.now() - timedelta(minutes=1))
    alert = alert_for(resident, focus)
    crisis = crisis_from_alert(actor=social_worker, alert_id=alert.pk)
    client.force_login(counsellor)
    assert client.post(reverse("groups:alert_ack", args=[alert.pk]), {"note": "已电话联系"}).status_code == 302
    crisis.refresh_from_db()
    alert.refresh_from_db()
    assert crisis.status == "acknowledged" and crisis.acknowledged_by == counsellor
    assert alert.status == "acknowledged" and alert.acknowledged_by == counsellor and alert.note == "已电话联系"
    audited = AuditEvent.objects.get(action="crisis.acknowledge", object_id=str(crisis.pk))
    assert audited.actor == counsellor and audited.detail["alert"] == alert.pk
    client.force_login(social_worker)
    page = client.get(reverse("crisis:detail", args=[crisis.pk])).content.decode()
    assert "处置中" in page and "我来处置（确认）" not in page
    assert "危机处置 · 处置中" in alert_card(client, alert)
    assert [c.pk for c in client.get(reverse("crisis:list")).context["crises"] if c.status == "open"] == []


def test_one_acknowledgement_stops_both_escalation_chains(focus, resident, social_worker):
    alert = alert_for(resident, focus)
    crisis = crisis_from_alert(actor=social_worker, alert_id=alert.pk)
    later = timezone.now() + timedelta(minutes=6)
    # Linked and unacknowledged: only the crisis's chain escalates, not both.
    assert alerts_escalate_overdue(now=later) == 0
    assert crises_escalate_overdue(now=later) == 1
    alert_acknowledge(actor=social_worker, alert=alert, now=later + timedelta(minutes=1))
    much_later = later + timedelta(minutes=30)
    assert crises_escalate_overdue(now=much_later) == 0
    assert alerts_escalate_overdue(now=much_later) == 0
    crisis.refresh_from_db()
    alert.refresh_from_db()
    assert crisis.escalation_step == 1 and alert.escalation_step == 0


def test_acknowledging_the_crisis_stops_the_alert_chain_of_a_second_alert(focus, resident, social_worker):
    """Two alerts about the same person, both handed to the one crisis: one acknowledgement takes both."""
    first = alert_for(resident, focus)
    crisis = crisis_from_alert(actor=social_worker, alert_id=first.pk)
    second = alert_for(resident, focus, "我不想活了，这是我的遗言")
    assert crisis_from_alert(actor=social_worker, alert_id=second.pk).pk == crisis.pk
    crisis_acknowledge(actor=social_worker, crisis=crisis.pk)
    assert set(RiskAlert.objects.values_list("status", flat=True)) == {"acknowledged"}
    assert alerts_escalate_overdue(now=timezone.now() + timedelta(hours=1)) == 0


def test_an_alert_handed_to_a_crisis_already_taken_shows_it_taken(focus, resident, social_worker):
    first = alert_for(resident, focus)
    crisis = crisis_from_alert(actor=social_worker, alert_id=first.pk)
    crisis_step_record(actor=social_worker, crisis=crisis.pk, kind="stay_in_contact")  # acknowledges implicitly
    second = alert_for(resident, focus, "我不想活了，这是我的遗言")
    crisis_from_alert(actor=social_worker, alert_id=second.pk)
    second.refresh_from_db()
    assert second.status == "acknowledged" and second.acknowledged_by == social_worker


def test_closing_the_crisis_closes_its_alerts(focus, resident, social_worker):
    alert = alert_for(resident, focus)
    crisis = crisis_from_alert(actor=social_worker, alert_id=alert.pk)
    crisis_close(actor=social_worker, crisis=crisis.pk, outcome_kind="safe_with_family", outcome="家人已到场陪伴",
                 close_reason="电话确认已安全")
    alert.refresh_from_db()
    assert CrisisResponse.objects.get().status == "closed"
    assert alert.status == "closed" and alert.acknowledged_by == social_worker


def test_an_alert_without_a_crisis_keeps_its_own_acknowledgement(client, focus, resident, social_worker):
    alert = alert_for(resident, focus)
    assert alerts_escalate_overdue(now=timezone.now() + timedelta(minutes=6)) == 1
    alert_acknowledge(actor=social_worker, alert=alert)
    client.force_login(social_worker)
    card = alert_card(client, alert)
    assert "已确认" in card and "危机处置 ·" not in card
