"""Starting the crisis protocol from a chat risk alert."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from sanshe.cases.models import Case
from sanshe.core.errors import ObjectNotFound
from sanshe.crisis.models import CrisisResponse
from sanshe.crisis.services import crisis_from_alert
from sanshe.groups import services as group_services
from sanshe.groups.models import Group, MemberRole, RiskAlert
from tests.factories import Role, UserFactory, grant

pytestmark = pytest.mark.django_db


def alert_for(user, group, body) -> RiskAlert:
    message = group_services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=body).message
    return RiskAlert.objects.get(message=message)


def test_opens_case_and_crisis_once(world, focus, resident, social_worker):
    alert = alert_for(resident, focus, "我不想活了，这是我的遗言")
    crisis = crisis_from_alert(actor=social_worker, alert_id=alert.pk)
    assert crisis.source == "chat_alert" and crisis.source_id == alert.pk and crisis.domain == "suicide"
    assert crisis.case.person == world.head and crisis.case.is_crisis
    assert "阳光聚焦服务群" in crisis.reason
    assert crisis_from_alert(actor=social_worker, alert_id=alert.pk).pk == crisis.pk
    assert Case.objects.filter(person=world.head).count() == 1
    # The crisis carries the alert: it stops escalating on the groups' own chain, but opening the crisis is not
    # acknowledging it — both stay 待确认 until someone takes the crisis (issue 12 item 2).
    alert.refresh_from_db()
    assert alert.crisis_id == crisis.pk and alert.ack_deadline is None
    assert alert.status == "open" and alert.acknowledged_by is None


def test_reuses_the_open_case_and_reads_the_domain(world, focus, resident, social_worker, case):
    alert = alert_for(resident, focus, "我爸喘不上气，嘴唇发紫")
    crisis = crisis_from_alert(actor=social_worker, alert_id=alert.pk)
    assert crisis.case_id == case.pk and crisis.domain == "medical"


def test_who_may_start_it(world, focus, resident, social_worker, counsellor):
    alert = alert_for(resident, focus, "我不想活了，这是我的遗言")
    with pytest.raises(PermissionDenied):
        crisis_from_alert(actor=counsellor, alert_id=alert.pk)
    away = UserFactory(username="sw_away")
    grant(away, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    with pytest.raises(ObjectNotFound):
        crisis_from_alert(actor=away, alert_id=alert.pk)
    assert not CrisisResponse.objects.exists()


def test_member_without_a_person_record(world, focus, social_worker):
    stranger = UserFactory(username="client9")
    group_services.member_add(actor=social_worker, group=focus, user=stranger, role=MemberRole.CLIENT)
    alert = alert_for(stranger, focus, "我不想活了，这是我的遗言")
    with pytest.raises(ValidationError):
        crisis_from_alert(actor=social_worker, alert_id=alert.pk)
    assert not Case.objects.exists()


def test_start_from_alert_over_http(client, focus, resident, social_worker):
    alert = alert_for(resident, focus, "我不想活了，这是我的遗言")
    client.force_login(social_worker)
    response = client.post(reverse("crisis:start_from_alert", args=[alert.pk]))
    crisis = CrisisResponse.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("crisis:detail", args=[crisis.pk])
