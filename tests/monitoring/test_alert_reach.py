"""Issue 12 item 5: from a health alert, whoever may handle it calls the person as from the crisis page (one tap,
audited, the number straight into the dialler) and opens a private thread with them (groups' thread_with)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sanshe.core.errors import ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.groups import services as group_services
from sanshe.groups.models import DutyKind, GroupTier, MemberRole, PrivateThread
from sanshe.monitoring import services
from sanshe.monitoring.models import Alert
from sanshe.monitoring.policies import forget_monitoring_scope
from sanshe.monitoring.selectors import alert_thread_offer
from sanshe.monitoring.services import CheckInInput

from .conftest import DAY, at

pytestmark = pytest.mark.django_db
PHONE = "13812345678"
REASON = "处理健康预警，电话联系本人"


@pytest.fixture
def alert(period, world, community_worker):
    """38.6℃ and SpO₂ 92%: an urgent alert about 張伟, whose phone is on record."""
    world.head.phone = PHONE
    world.head.save()
    link = services.check_in_link_issue(actor=community_worker, period_id=period.pk, now=at(DAY, 8))
    services.check_in_by_link(token=services.link_token(link), data=CheckInInput(temperature_c=38.6, spo2=92),
                              idempotency_key="fever-spo2-01", now=at(DAY, 9))
    alert = Alert.objects.get()
    assert alert.level == 2
    return alert


@pytest.fixture
def home_medic(medic, world):
    """The cleared medical volunteer serving the home community."""
    medic.memberships.get().communities.set([world.home])
    forget_monitoring_scope(medic)
    return medic


def _group(world, social_worker, medic, resident):
    group = group_services.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home,
                                        name="阳光聚焦服务群")
    group_services.member_add(actor=social_worker, group=group, user=medic, role=MemberRole.MEDICAL)
    group_services.member_add(actor=social_worker, group=group, user=resident, role=MemberRole.CLIENT)
    return group


def _on_duty(social_worker, group, medic):
    start = timezone.now() - timedelta(minutes=1)
    group_services.duty_set(actor=social_worker, group=group, user=medic, kind=DutyKind.MEDICAL, starts_at=start,
                            ends_at=start + timedelta(hours=4))


# ------------------------------------------------------------------------------------------------ services

def test_the_medic_gets_the_number_and_the_reveal_is_audited(alert, home_medic):
    assert services.alert_call_number(actor=home_medic, alert_id=alert.pk) == PHONE
    event = AuditEvent.objects.get(action="alert.call")
    assert (event.actor_id, event.reason, event.object_id) == (home_medic.pk, REASON, str(alert.pk))


@pytest.mark.parametrize("who", ["outsider", "medic", "secretary", "counsellor", "resident"])
def test_those_who_may_not_handle_the_alert_get_no_number(request, alert, who):
    user = request.getfixturevalue(who)  # `medic` here serves no community: nothing is in their reach
    with pytest.raises(ObjectNotFound):
        services.alert_call_number(actor=user, alert_id=alert.pk)
    assert not AuditEvent.objects.filter(action="alert.call").exists()


def test_an_uncleared_medic_gets_no_number(alert, home_medic):
    from sanshe.volunteers.models import AgreementSignature

    AgreementSignature.objects.filter(user=home_medic).delete()
    forget_monitoring_scope(home_medic)
    with pytest.raises(ObjectNotFound):
        services.alert_call_number(actor=home_medic, alert_id=alert.pk)


def test_a_resolved_alert_no_longer_reveals_the_number(alert, community_worker):
    services.alert_resolve(actor=community_worker, alert_id=alert.pk, outcome="advised")
    with pytest.raises(ValidationError):
        services.alert_call_number(actor=community_worker, alert_id=alert.pk)


def test_a_person_without_a_phone_is_told_so(alert, world, community_worker):
    world.head.phone = ""
    world.head.save()
    with pytest.raises(ValidationError) as error:
        services.alert_call_number(actor=community_worker, alert_id=alert.pk)
    assert "没有登记手机号" in error.value.messages[0]


def test_the_thread_offer_follows_the_groups_rules(alert, world, social_worker, home_medic, resident):
    alert = Alert.objects.select_related("person").get(pk=alert.pk)
    assert "不在您服务的群里" in alert_thread_offer(actor=home_medic, alert=alert).why_not
    group = _group(world, social_worker, home_medic, resident)
    assert "不在值班时间" in alert_thread_offer(actor=home_medic, alert=alert).why_not
    _on_duty(social_worker, group, home_medic)
    offer = alert_thread_offer(actor=home_medic, alert=alert)
    assert (offer.group_id, offer.user_id, offer.why_not) == (group.pk, resident.pk, "")
    # The group's admin may always open one.
    assert alert_thread_offer(actor=social_worker, alert=alert).group_id == group.pk


def test_no_account_no_thread(alert, home_medic):
    alert = Alert.objects.select_related("person").get(pk=alert.pk)
    assert "没有开通线上账号" in alert_thread_offer(actor=home_medic, alert=alert).why_not


# --------------------------------------------------------------------------------------------------- views

def _call(client, user, alert):
    client.force_login(user)
    return client.post(reverse("monitoring:alert_call", args=[alert.pk]))


def test_the_medic_taps_to_call_and_the_number_goes_only_to_the_dialler(client, alert, home_medic):
    client.force_login(home_medic)
    call_url = reverse("monitoring:alert_call", args=[alert.pk])
    page = client.get(reverse("monitoring:alert_detail", args=[alert.pk])).content.decode()
    assert f'action="{call_url}"' in page and "打给张伟" in page and "138****5678" in page
    assert PHONE not in page

    response = _call(client, home_medic, alert)
    assert response.status_code == 302 and response["Location"] == f"tel:{PHONE}"
    assert AuditEvent.objects.get(action="alert.call").reason == REASON
    assert client.get(call_url).status_code == 405


def test_a_call_that_cannot_be_made_comes_back_to_the_alert_with_the_reason(client, alert, world, community_worker):
    world.head.phone = ""
    world.head.save()
    client.force_login(community_worker)
    page = client.get(reverse("monitoring:alert_detail", args=[alert.pk])).content.decode()
    assert "该居民没有登记手机号" in page and "打给张伟" not in page
    response = client.post(reverse("monitoring:alert_call", args=[alert.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("monitoring:alert_detail", args=[alert.pk])
    assert "该居民没有登记手机号" in response.content.decode()
    assert not AuditEvent.objects.filter(action="alert.call").exists()


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("medic", 403), ("secretary", 403),
                                             ("resident", 403)])
def test_the_call_is_refused_as_the_alert_page_is(client, request, alert, who, status):
    user = request.getfixturevalue(who)
    assert _call(client, user, alert).status_code == status
    client.force_login(user)
    assert client.get(reverse("monitoring:alert_detail", args=[alert.pk])).status_code == status
    assert not AuditEvent.objects.filter(action="alert.call").exists()


def test_the_private_thread_link_opens_the_thread_with_the_person(client, alert, world, social_worker, home_medic,
                                                                 resident):
    group = _group(world, social_worker, home_medic, resident)
    _on_duty(social_worker, group, home_medic)
    client.force_login(home_medic)
    alert_url = reverse("monitoring:alert_detail", args=[alert.pk])
    page = client.get(alert_url).content.decode()
    thread_url = reverse("groups:thread_with", args=[group.pk, resident.pk])
    assert f'action="{thread_url}"' in page and "私聊张伟" in page

    response = client.post(thread_url, {"next": alert_url})
    thread = PrivateThread.objects.get(group=group, client=resident, helper=home_medic)
    assert response.status_code == 302 and response["Location"] == reverse("groups:thread", args=[thread.pk])


def test_a_resolved_alert_offers_neither_call_nor_thread(client, alert, community_worker):
    services.alert_resolve(actor=community_worker, alert_id=alert.pk, outcome="advised")
    client.force_login(community_worker)
    page = client.get(reverse("monitoring:alert_detail", args=[alert.pk])).content.decode()
    assert "打给张伟" not in page and "私聊" not in page
    assert _call(client, community_worker, alert)["Location"] == reverse("monitoring:alert_detail", args=[alert.pk])
