"""Monitoring fixtures: a fixed clock, an in-memory SMS outbox, and a person under follow-up."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from sanshe.accounts.sms import MemorySmsBackend
from sanshe.monitoring import services
from sanshe.monitoring.policies import forget_monitoring_scope
from tests.browser.conftest import browser, demo_street, phone_page, problems  # noqa: F401 (browser tests)

TZ = timezone.get_fixed_timezone(8 * 60)
DAY = date(2020, 2, 10)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware time in Asia/Shanghai (UTC+8, no daylight saving)."""
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox = []
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox = []


@pytest.fixture
def morning() -> datetime:
    return at(DAY, 8, 0)


@pytest.fixture
def period(world, community_worker, morning):
    """張伟 (world.head) under home quarantine since the day before, exposure two days before."""
    result = services.quarantine_register(
        actor=community_worker, person_id=world.head.pk, kind="home", start_date=date(2020, 2, 9),
        last_exposure_date=date(2020, 2, 8), ordered_how="written", ordered_by="江汉区疾控中心", now=morning)
    forget_monitoring_scope(community_worker)
    return result


@pytest.fixture
def platform_admin(db):
    """A superuser: the only one who changes the deployment's epidemic profile."""
    from tests.factories import UserFactory

    return UserFactory(username="platform_admin", is_superuser=True, is_staff=True)
