"""Crisis fixtures: the resident (张伟) is a client of a focus group with a medic and a counsellor on duty,
and has an open case owned by the social worker."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from sanshe.cases.services import case_open
from sanshe.groups import services as group_services
from sanshe.groups.models import DutyKind, GroupTier, MemberRole
from tests.factories import Role, UserFactory, grant

T0 = datetime(2026, 2, 10, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture
def t0() -> datetime:
    return T0


@pytest.fixture
def focus(world, social_worker, secretary, medic, counsellor, resident):
    group = group_services.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home,
                                        name="阳光聚焦服务群")
    group_services.member_add(actor=social_worker, group=group, user=secretary, role=MemberRole.SECRETARY)
    group_services.member_add(actor=social_worker, group=group, user=medic, role=MemberRole.MEDICAL)
    group_services.member_add(actor=social_worker, group=group, user=counsellor, role=MemberRole.PSYCHOLOGICAL)
    group_services.member_add(actor=social_worker, group=group, user=resident, role=MemberRole.CLIENT,
                              nickname="张先生")
    return group


def put_on_duty(actor, group, user, kind, *, start, hours: int = 8):
    return group_services.duty_set(actor=actor, group=group, user=user, kind=kind, starts_at=start,
                                   ends_at=start + timedelta(hours=hours))


@pytest.fixture
def on_duty(focus, social_worker, secretary, medic, counsellor):
    """Secretary, medic and counsellor on duty from an hour before T0."""
    start = T0 - timedelta(hours=1)
    put_on_duty(social_worker, focus, secretary, DutyKind.SECRETARY, start=start)
    put_on_duty(social_worker, focus, medic, DutyKind.MEDICAL, start=start)
    put_on_duty(social_worker, focus, counsellor, DutyKind.PSYCHOLOGICAL, start=start)
    return focus


@pytest.fixture
def case(world, social_worker, resident):
    case = case_open(actor=social_worker, person_id=world.head.pk, now=T0 - timedelta(days=1))
    case.emergency_contact_name = "张丽"
    case.emergency_contact_phone = "13900001111"
    case.save()
    return case


@pytest.fixture
def other_social_worker(world):
    user = UserFactory(username="sw2", display_name="李社工")
    grant(user, world.org, Role.SOCIAL_WORKER, communities=[world.home])
    return user


__all__ = ["T0", "put_on_duty"]
