"""Fixtures: an open case for the household head in the home community, consultation groups, an outsider
social worker of another community (for 404s)."""

from __future__ import annotations

import pytest

from sanshe.cases.services import case_open
from tests.browser.conftest import browser  # noqa: F401 (module-scoped Chromium for the browser tests)
from tests.factories import Role, UserFactory, grant


@pytest.fixture
def case(world, social_worker):
    return case_open(actor=social_worker, person_id=world.head.pk)


@pytest.fixture
def away_social_worker(world):
    user = UserFactory(username="away_sw")
    grant(user, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    return user


@pytest.fixture
def focus_group(world, social_worker):
    from sanshe.groups.services import group_create

    return group_create(actor=social_worker, tier=2, community=world.home, name="民族社区聚焦服务群", capacity=10)


@pytest.fixture
def key_group(world, social_worker):
    from sanshe.groups.services import group_create

    return group_create(actor=social_worker, tier=3, community=world.home, name="民族社区重点陪助群", capacity=10)


def likert(values: list[int], prefix: str = "item") -> dict[str, str]:
    """A posted form for a Likert scale."""
    return {f"{prefix}{n}": str(v) for n, v in enumerate(values, start=1)}


def give(actor, case, scale: str, data: dict, now=None):
    from sanshe.assessments.services import administration_give

    return administration_give(actor=actor, case_id=case.pk, scale=scale, data=data, now=now)
