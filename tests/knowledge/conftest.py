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

DEFAULT_RUMOURS_LABEL = "默认辟谣库"


@pytest.fixture(autouse=True)
def _library_without_default_rumours(request):
    """These tests count and search a library they fill themselves: the shipped rumour base (seeded by the
    migration) is taken out first, unless a test asks for it with the `default_rumours` fixture."""
    names = set(request.fixturenames)
    if "default_rumours" in names or not ({"db", "transactional_db"} & names
                                          or request.node.get_closest_marker("django_db")):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in names else "db")
    from sanshe.knowledge.backends import backend
    from sanshe.knowledge.models import Entry

    seeded = list(Entry.objects.filter(source_label=DEFAULT_RUMOURS_LABEL).values_list("pk", flat=True))
    if seeded:
        Entry.objects.filter(pk__in=seeded).delete()
        backend().clear()
        remaining = list(Entry.objects.all())
        from sanshe.knowledge.backends import index_rows

        backend().index(index_rows(remaining))


@pytest.fixture
def default_rumours(db):
    """The rumour base the migration seeded (kept for this test)."""
    from sanshe.knowledge.models import Entry

    return list(Entry.objects.filter(source_label=DEFAULT_RUMOURS_LABEL))


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
