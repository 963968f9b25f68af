"""Library fixtures: categories, entries through the services, and a focus group with a client's question."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sanshe.knowledge import services
from sanshe.knowledge.models import Category
from sanshe.knowledge.services import ensure_default_categories
from tests.browser.conftest import browser  # noqa: F401 (module-scoped Chromium for the browser tests)
from tests.groups.conftest import chat_server  # noqa: F401 (the real ASGI app with WebSockets, in-process)


@pytest.fixture
def categories(db) -> dict[str, Category]:
    """The guide's categories (a transactional test's flush may have removed the migration's rows)."""
    ensure_default_categories()
    return {c.name: c for c in Category.objects.all()}


def publish(actor, category, question: str, answer: str, *, tags: str = "", days: int = 30, drafter=None):
    """A published entry: drafted (by `drafter` or the reviewer) and reviewed by `actor`."""
    entry = services.entry_create(actor=drafter or actor, question=question, answer=answer, category=category,
                                  tags=tags)
    return services.entry_publish(actor=actor, entry=entry, valid_until=timezone.localdate() + timedelta(days=days))


@pytest.fixture
def focus(world, social_worker, secretary, medic, counsellor, resident):
    """A focus group with the secretary, medic, counsellor and a client (the resident); nobody on duty."""
    from sanshe.groups import services as group_services
    from sanshe.groups.models import GroupTier, MemberRole

    group = group_services.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home,
                                        name="阳光聚焦服务群")
    group_services.member_add(actor=social_worker, group=group, user=secretary, role=MemberRole.SECRETARY)
    group_services.member_add(actor=social_worker, group=group, user=medic, role=MemberRole.MEDICAL)
    group_services.member_add(actor=social_worker, group=group, user=counsellor, role=MemberRole.PSYCHOLOGICAL)
    group_services.member_add(actor=social_worker, group=group, user=resident, role=MemberRole.CLIENT,
                              nickname="张先生")
    return group


def put_on_duty(actor, group, user, kind: str, hours: int = 4):
    from sanshe.groups import services as group_services

    start = timezone.now() - timedelta(minutes=1)
    return group_services.duty_set(actor=actor, group=group, user=user, kind=kind, starts_at=start,
                                   ends_at=start + timedelta(hours=hours))


def say(user, group, body: str, **kwargs):
    """Send a chat message through the groups' own service."""
    from sanshe.groups import services as group_services
    from sanshe.groups.models import Group

    return group_services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=body, **kwargs).message
