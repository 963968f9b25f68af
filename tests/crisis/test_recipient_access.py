"""An alerted recipient holds a crisis only while it is open and while their role (and clearance) holds."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.crisis.models import CrisisRecipient
from sanshe.crisis.services import crisis_close, crisis_open
from tests.factories import Role, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def crisis(social_worker, case, on_duty, org_admin, t0):
    crisis = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                         reason="电话中说今晚想结束生命", now=t0)
    return crisis


def _page(client, user, crisis) -> int:
    client.force_login(user)
    return client.get(reverse("crisis:detail", args=[crisis.pk])).status_code


def _call(client, user, crisis) -> int:
    client.force_login(user)
    return client.post(reverse("crisis:call", args=[crisis.pk, "emergency_contact"])).status_code


def test_a_recipient_loses_the_crisis_and_the_phone_once_it_is_closed(client, crisis, counsellor, social_worker,
                                                                        org_admin):
    assert CrisisRecipient.objects.filter(crisis=crisis, user=counsellor).exists()
    assert _page(client, counsellor, crisis) == 200
    assert _call(client, counsellor, crisis) == 302  # tel: while open
    crisis_close(actor=social_worker, crisis=crisis.pk, outcome_kind="safe_with_family", outcome="家属陪伴，明早回访",
                 close_reason="家属电话确认已到")
    assert _page(client, counsellor, crisis) == 404
    assert _call(client, counsellor, crisis) == 404
    client.force_login(counsellor)
    assert crisis.case.number not in client.get(reverse("crisis:list")).content.decode()
    # Those responsible for the case keep it.
    assert _page(client, social_worker, crisis) == 200
    assert _page(client, org_admin, crisis) == 200
    assert _call(client, social_worker, crisis) == 302


def test_a_recipient_whose_clearance_lapsed_loses_the_open_crisis_at_once(client, crisis, counsellor):
    from sanshe.volunteers.models import AgreementSignature

    assert _page(client, counsellor, crisis) == 200
    AgreementSignature.objects.filter(user=counsellor).delete()  # e.g. a new agreement version to sign
    assert _page(client, counsellor, crisis) == 404
    assert _call(client, counsellor, crisis) == 404


def test_a_recipient_whose_role_was_deactivated_loses_the_open_crisis(client, crisis, counsellor, world):
    counsellor.memberships.filter(role=Role.COUNSELLOR).update(is_active=False)
    # Another role elsewhere does not keep a crisis they were alerted to as the on-duty counsellor.
    grant(counsellor, world.other_org, Role.COMMUNITY_WORKER, communities=[world.away])
    assert _page(client, counsellor, crisis) == 404
    assert _call(client, counsellor, crisis) == 404
