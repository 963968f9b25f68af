"""Fixtures: an open case for the household head in the home community, consultation groups, an outsider
social worker of another community (for 404s)."""

from __future__ import annotations

import pytest

from sanshe.cases.services import case_open
from tests.browser.conftest import browser, problems  # noqa: F401 (browser tests)
from tests.factories import Role, UserFactory, grant


@pytest.fixture
def case(world, social_worker):
    return case_open(actor=social_worker, person_id=world.head.pk)


@pytest.fixture
def away_social_worker(world):
    user = UserFactory(username="away_sw")
    grant(user, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    return user


def staff_group(social_worker, community, *, tier: int, name: str, helper=None, capacity: int = 10,
                hours: int = 24):
    """A consultation group; with `helper` (a counsellor) in it on psychological duty from now for `hours`."""
    from datetime import timedelta

    from django.utils import timezone

    from sanshe.groups.models import DutyKind, MemberRole
    from sanshe.groups.services import duty_set, group_create, member_add

    group = group_create(actor=social_worker, tier=tier, community=community, name=name, capacity=capacity)
    if helper is not None:
        member_add(actor=social_worker, group=group, user=helper, role=MemberRole.PSYCHOLOGICAL)
        start = timezone.now() - timedelta(minutes=1)
        duty_set(actor=social_worker, group=group, user=helper, kind=DutyKind.PSYCHOLOGICAL, starts_at=start,
                 ends_at=start + timedelta(hours=hours))
    return group


@pytest.fixture
def focus_group(world, social_worker, counsellor):
    """A focus group with a counsellor on duty (placement needs duty cover in the next 12 hours)."""
    return staff_group(social_worker, world.home, tier=2, name="民族社区聚焦服务群", helper=counsellor)


@pytest.fixture
def key_group(world, social_worker, counsellor):
    return staff_group(social_worker, world.home, tier=3, name="民族社区重点陪助群", helper=counsellor)


def likert(values: list[int], prefix: str = "item") -> dict[str, str]:
    """A posted form for a Likert scale."""
    return {f"{prefix}{n}": str(v) for n, v in enumerate(values, start=1)}


def give(actor, case, scale: str, data: dict, now=None):
    from sanshe.assessments.services import administration_give

    return administration_give(actor=actor, case_id=case.pk, scale=scale, data=data, now=now)
