"""The logged-in resident's check-in page names them in full; the personal link page keeps the name masked
(issue 12, item 9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.monitoring import services
from tests.monitoring.test_views import _under_follow_up

pytestmark = pytest.mark.django_db


def test_the_resident_sees_their_own_name_unmasked(client, world, resident, community_worker):
    _under_follow_up(community_worker, world.head)
    client.force_login(resident)
    body = client.get(reverse("monitoring:check_in_mine")).content.decode()
    assert f"{world.head.name} 的健康打卡" in body
    assert world.head.name[0] + "*" not in body
    # A refused report shows the page again, still with the resident's own name.
    refused = client.post(reverse("monitoring:check_in_mine"), {"temperature_c": "abc", "breathing": "none",
                                                                "idempotency_key": "own-name-0001"})
    assert refused.status_code == 400 and f"{world.head.name} 的健康打卡" in refused.content.decode()


def test_the_personal_link_still_masks_the_name(client, world, community_worker):
    period = _under_follow_up(community_worker, world.head)
    link = services.check_in_link_issue(actor=community_worker, period_id=period.pk)
    body = client.get(reverse("monitoring:check_in_link", args=[services.link_token(link)])).content.decode()
    assert world.head.name not in body and world.head.name[0] + "*" in body
