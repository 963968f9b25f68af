"""Taking a crisis referral opens the crisis page first (or its chat alert while no crisis is open), and the
intake starts from the referral: reason, who referred and when, the source message quoted — only to someone
who may see it (issue 12 item 1)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.cases.models import Case
from sanshe.groups.models import Group, RiskAlert
from tests.groups.conftest import focus, on_duty  # noqa: F401  (fixtures)

from .conftest import make_person, make_referral

pytestmark = pytest.mark.django_db

PILLS = "我攒了一瓶安眠药，今晚就吃"


@pytest.fixture
def imminent_alert(django_capture_on_commit_callbacks, resident, on_duty):  # noqa: F811
    """The resident writes about saved-up sleeping pills in the group: an imminent alert, and after commit the
    automatic immediate referral to the social workers' inbox."""
    from sanshe.groups import services

    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_send(actor=resident, group=Group.objects.get(pk=on_duty.pk), body=PILLS).message
    return RiskAlert.objects.get(message=message)


def test_take_next_on_an_imminent_chat_alert_opens_the_alert_first_then_the_crisis(
        client, world, social_worker, resident, on_duty, imminent_alert):  # noqa: F811
    alert = imminent_alert  # the automatic referral (immediate) is in the inbox
    client.force_login(social_worker)
    response = client.post(reverse("cases:take_next"))
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:alerts") + f"#alert-{alert.pk}"
    case = Case.objects.get(person__user=resident)
    # Once the crisis is open, taking the (same) referral again leads to the crisis page.
    from sanshe.crisis.services import crisis_from_alert

    crisis = crisis_from_alert(actor=social_worker, alert_id=alert.pk)
    again = client.post(reverse("cases:referral_open_case", args=[case.referral_id]))
    assert again["Location"] == reverse("crisis:detail", args=[crisis.pk])
    followed = client.get(again["Location"])
    assert followed.status_code == 200 and "请先在本页确认并处置危机" in followed.content.decode()


def test_an_ordinary_referral_still_opens_the_intake(client, world, social_worker):
    referral = make_referral(make_person(world), urgency="immediate")
    client.force_login(social_worker)
    response = client.post(reverse("cases:take_next"))
    assert response["Location"] == reverse("cases:case_intake", args=[Case.objects.get(referral=referral).pk])


def test_the_intake_is_prefilled_from_the_chat_referral_with_the_message_quoted(
        client, world, social_worker, resident, on_duty, imminent_alert):  # noqa: F811
    alert = imminent_alert
    client.force_login(social_worker)
    client.post(reverse("cases:take_next"))
    case = Case.objects.get(person__user=resident)
    page = client.get(reverse("cases:case_intake", args=[case.pk])).content.decode()
    assert 'id="referral-source"' in page
    assert "系统自动转介" in page and "高危风险预警" in page
    assert PILLS in page and "原消息：" in page and on_duty.name in page
    assert f"#alert-{alert.pk}" in page
    # The psychological demand starts from the referral's reason; the worker edits it before saving.
    assert "转介原因（系统自动转介" in page.split('name="demand_psychological"')[1].split("</textarea>")[0]
    from sanshe.crisis.services import crisis_from_alert

    crisis = crisis_from_alert(actor=social_worker, alert_id=alert.pk)
    page = client.get(reverse("cases:case_intake", args=[case.pk])).content.decode()
    assert reverse("crisis:detail", args=[crisis.pk]) in page


def test_the_source_message_is_not_shown_to_someone_who_may_not_see_its_alert(
        client, world, social_worker, resident, on_duty, imminent_alert):  # noqa: F811
    from sanshe.cases.selectors import referral_intake_view

    alert = imminent_alert
    client.force_login(social_worker)
    client.post(reverse("cases:take_next"))
    case = Case.objects.get(person__user=resident)
    assert referral_intake_view(actor=social_worker, case=case)["message"]["body"] == PILLS
    # An alert out of the worker's scope: another community's group, and not delivered to them.
    RiskAlert.objects.filter(pk=alert.pk).update(group=_other_group(world))
    alert.deliveries.filter(user=social_worker).delete()
    view = referral_intake_view(actor=social_worker, case=case)
    assert view["message"] is None and view["alert_url"] == ""
    assert PILLS not in client.get(reverse("cases:case_intake", args=[case.pk])).content.decode().split(
        'id="referral-source"')[1].split("</section>")[0]


def _other_group(world):
    from sanshe.groups import services
    from tests.factories import Role, UserFactory, grant

    away_sw = UserFactory(username="away_sw_groups")
    grant(away_sw, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    return services.group_create(actor=away_sw, tier=2, community=world.away, name="别处聚焦群")


def test_a_crisis_opened_from_the_alert_before_take_next_still_gets_the_referral(
        client, world, social_worker, resident, on_duty, imminent_alert):  # noqa: F811
    # The on-duty social worker started the crisis from the alert first (which opens the case); taking the
    # referral afterwards attaches it to that case: no longer waiting, and the intake starts from it.
    from sanshe.cases.models import Referral
    from sanshe.cases.selectors import referral_intake_view
    from sanshe.crisis.services import crisis_from_alert

    crisis_from_alert(actor=social_worker, alert_id=imminent_alert.pk)
    case = Case.objects.get(person__user=resident)
    assert case.referral_id is None
    client.force_login(social_worker)
    client.post(reverse("cases:take_next"))
    referral = Referral.objects.get(source_kind="chat", source_id=imminent_alert.pk)
    case.refresh_from_db()
    assert referral.status == "taken" and case.referral_id == referral.pk
    assert referral_intake_view(actor=social_worker, case=case)["message"]["body"] == PILLS
