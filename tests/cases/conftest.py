"""Cases fixtures: an in-memory SMS outbox, referrals written directly, a second social worker."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from sanshe.accounts.sms import MemorySmsBackend
from sanshe.cases.models import URGENCY_RANK, Referral, ReferralUrgency
from tests.browser.conftest import browser, problems  # noqa: F401 (the 求助 browser journey)
from tests.factories import PersonFactory, Role, UserFactory, grant

NOW = timezone.make_aware(datetime(2020, 2, 12, 10, 0))
_source_ids = iter(range(10_000, 10_000_000))


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox = []
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox = []


def make_referral(person, *, urgency: str = ReferralUrgency.ROUTINE, source_kind: str = "screening",
                  created_at: datetime | None = None, created_by=None) -> Referral:
    referral = Referral.objects.create(
        person=person, community_id=person.community_id, building_id=person.building_id, source_kind=source_kind,
        source_id=next(_source_ids), reason="需要社工跟进的情况", urgency=urgency,
        urgency_rank=URGENCY_RANK[ReferralUrgency(urgency)], created_by=created_by)
    if created_at is not None:
        Referral.objects.filter(pk=referral.pk).update(created_at=created_at)
        referral.created_at = created_at
    return referral


def make_person(world, name: str = "案主", household=None):
    return PersonFactory(household=household or world.household2, name=name)


@pytest.fixture
def social_worker2(world):
    user = UserFactory(username="social_worker2", display_name="何社工", phone="13900000222")
    grant(user, world.org, Role.SOCIAL_WORKER, communities=[world.home])
    return user


@pytest.fixture
def away_social_worker(world):
    user = UserFactory(username="away_sw")
    grant(user, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    return user


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
