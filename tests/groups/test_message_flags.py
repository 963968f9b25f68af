"""A message that raised a risk alert carries a marker in the chat for the staff who may see the alert, linking to
the alert or to the crisis carrying it, with the same state as the alerts page (issue 12 item 2)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sanshe.crisis.services import crisis_acknowledge, crisis_from_alert
from sanshe.groups import services
from sanshe.groups.models import Group, GroupTier, MemberRole, RiskAlert

pytestmark = pytest.mark.django_db

IMMINENT = "我攒了一瓶安眠药，今晚就吃了，不想活了"


def send(user, group, body):
    return services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=body).message


def row_of(html: str, message_id: int) -> str:
    start = html.index(f'id="m{message_id}"')
    return html[html.rindex("<li", 0, start):html.index("</li>", start)]


def test_staff_see_the_marker_on_page_load_linking_to_the_alert(client, focus, resident, social_worker):
    flagged = send(resident, focus, IMMINENT)
    plain = send(resident, focus, "今天的物资什么时候到？")
    alert = RiskAlert.objects.get(message=flagged)
    client.force_login(social_worker)
    html = client.get(reverse("groups:chat", args=[focus.pk])).content.decode()
    row = row_of(html, flagged.pk)
    assert "flagged" in row and "msg-flag imminent" in row
    assert f'href="{reverse("groups:alerts")}#alert-{alert.pk}"' in row and "风险预警 · 待确认" in row
    assert "msg-flag" not in row_of(html, plain.pk)
    assert f'data-flags-url="{reverse("groups:flags", args=[focus.pk])}"' in html


def test_the_marker_follows_the_crisis_and_its_one_acknowledgement(client, focus, resident, social_worker):
    flagged = send(resident, focus, IMMINENT)
    crisis = crisis_from_alert(actor=social_worker, alert_id=RiskAlert.objects.get(message=flagged).pk)
    client.force_login(social_worker)
    row = row_of(client.get(reverse("groups:chat", args=[focus.pk])).content.decode(), flagged.pk)
    assert f'href="{reverse("crisis:detail", args=[crisis.pk])}"' in row and "危机处置 · 待确认" in row
    crisis_acknowledge(actor=social_worker, crisis=crisis.pk)
    row = row_of(client.get(reverse("groups:chat", args=[focus.pk])).content.decode(), flagged.pk)
    assert "危机处置 · 处置中" in row


def test_residents_see_nothing_of_it(client, focus, resident, social_worker):
    flagged = send(resident, focus, IMMINENT)
    other = services.member_add(actor=social_worker, group=focus, user=_user("client2"), role=MemberRole.CLIENT).user
    for reader in (resident, other):
        client.force_login(reader)
        html = client.get(reverse("groups:chat", args=[focus.pk])).content.decode()
        assert "msg-flag" not in html and "flagged" not in row_of(html, flagged.pk) and "data-flags-url" not in html
        answer = client.get(reverse("groups:flags", args=[focus.pk]), {"ids": str(flagged.pk)})
        assert answer.status_code == 200 and answer.json() == {"flags": {}}


def test_live_markers_come_from_the_same_partial(client, focus, resident, social_worker, world):
    flagged = send(resident, focus, IMMINENT)
    plain = send(resident, focus, "谢谢大家")
    client.force_login(social_worker)
    answer = client.get(reverse("groups:flags", args=[focus.pk]), {"ids": f"{flagged.pk},{plain.pk},x"}).json()
    assert list(answer["flags"]) == [str(flagged.pk)]
    page = client.get(reverse("groups:chat", args=[focus.pk])).content.decode()
    marker = re.search(r'<a class="msg-flag.*?</a>', page, re.S).group(0)
    assert answer["flags"][str(flagged.pk)].strip() == marker.strip()
    # Another group's message ids are not answered through this group's stream.
    key = services.group_create(actor=social_worker, tier=GroupTier.KEY, community=world.home, name="重点群")
    services.member_add(actor=social_worker, group=key, user=resident, role=MemberRole.CLIENT)
    elsewhere = send(resident, key, IMMINENT)
    assert client.get(reverse("groups:flags", args=[focus.pk]), {"ids": str(elsewhere.pk)}).json() == {"flags": {}}


def _user(username):
    from tests.factories import UserFactory

    return UserFactory(username=username)
