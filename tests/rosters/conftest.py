"""Rosters fixtures: a focus group run by the social worker, its secretary, and cleared volunteers in it."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from sanshe.accounts.roles import Role
from sanshe.groups.models import DutyKind, GroupTier, MemberRole
from sanshe.groups.services import group_create, member_add
from sanshe.rosters.models import Shift, ShiftNeed
from sanshe.volunteers import services as volunteer_services
from sanshe.volunteers.seed import seed_guide_defaults
from tests.browser.conftest import browser  # noqa: F401 (module-scoped Chromium for the browser tests)
from tests.volunteers.conftest import private_media  # noqa: F401 (autouse: private MEDIA_ROOT, SMS in memory)
from tests.volunteers.helpers import cleared_volunteer, make_reviewer, sign, volunteer_org

TZ = ZoneInfo("Asia/Shanghai")
# A fixed "now" on a Monday morning, so rules about hours before a shift are exact.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=TZ)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Local time `day` days after NOW's date."""
    return datetime(2026, 3, 2, hour, minute, tzinfo=TZ) + timedelta(days=day)


def make_shift(group, start: datetime, end: datetime, **needs) -> Shift:
    shift = Shift.objects.create(group=group, starts_at=start, ends_at=end)
    for kind, count in (needs or {DutyKind.MEDICAL: 1}).items():
        ShiftNeed.objects.create(shift=shift, kind=kind, needed=count)
    return shift


def need(shift, kind=DutyKind.MEDICAL) -> ShiftNeed:
    return shift.needs.get(kind=kind)


@pytest.fixture
def vol_org(world):
    seed_guide_defaults()  # a transactional test's flush removes what the data migration wrote
    return volunteer_org(world)


@pytest.fixture
def recruitment(vol_org, social_worker, world):
    make_reviewer(social_worker, vol_org, [world.home])  # reviewers approve only into their own organisation
    return volunteer_services.recruitment_create(actor=social_worker, organisation_id=vol_org.pk, title="抗疫志愿者招募")


@pytest.fixture
def group(world, social_worker):
    return group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="民族社区聚焦服务1群")


@pytest.fixture
def roster(world, group, social_worker, secretary, recruitment, vol_org):
    """The group with a cleared secretary (the `secretary` persona) and three cleared medical volunteers."""
    # The secretary persona becomes a cleared general volunteer of the volunteer organisation.
    from sanshe.volunteers.models import ApplicationStatus, VolunteerApplication
    from tests.factories import grant
    from tests.volunteers.helpers import submit

    grant(secretary, vol_org, Role.GENERAL_VOLUNTEER)
    application = submit(recruitment, posts=["general"], uploads=[]).application
    VolunteerApplication.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.APPROVED, approved_roles=[Role.GENERAL_VOLUNTEER], user=secretary)
    secretary.display_name = "赵欣怡"
    secretary.save()
    # The persona is already trained (tests/conftest.py clears it for duty); training is per person.
    sign(secretary, vol_org)
    member_add(actor=social_worker, group=group, user=secretary, role=MemberRole.SECRETARY)
    medics = []
    for name in ("孙海燕", "涂文华", "李医生"):
        user = cleared_volunteer(social_worker, recruitment, Role.MEDICAL_VOLUNTEER, name=name)
        member_add(actor=social_worker, group=group, user=user, role=MemberRole.MEDICAL)
        medics.append(user)
    return SimpleNamespace(group=group, secretary=secretary, medics=medics, social_worker=social_worker,
                           vol_org=vol_org, recruitment=recruitment)
