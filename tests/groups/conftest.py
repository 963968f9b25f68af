"""Group fixtures: a focus group run by the social worker, with a secretary, a medic, a counsellor and a client."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from sanshe.groups import services
from sanshe.groups.models import DutyKind, GroupTier, MemberRole
from tests.browser.conftest import browser  # noqa: F401 (the session's Chromium, for the chat browser tests)
from tests.factories import PersonFactory, Role, UserFactory, grant


@pytest.fixture
def focus(world, social_worker, secretary, medic, counsellor, resident):
    """A tier-2 group with everyone in it; nobody on duty yet."""
    group = services.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="阳光聚焦服务群")
    services.member_add(actor=social_worker, group=group, user=secretary, role=MemberRole.SECRETARY)
    services.member_add(actor=social_worker, group=group, user=medic, role=MemberRole.MEDICAL)
    services.member_add(actor=social_worker, group=group, user=counsellor, role=MemberRole.PSYCHOLOGICAL)
    services.member_add(actor=social_worker, group=group, user=resident, role=MemberRole.CLIENT, nickname="张先生")
    return group


def put_on_duty(actor, group, user, kind, *, hours: int = 4, start=None):
    start = start or timezone.now() - timedelta(minutes=1)
    return services.duty_set(actor=actor, group=group, user=user, kind=kind, starts_at=start,
                             ends_at=start + timedelta(hours=hours))


@pytest.fixture
def on_duty(focus, social_worker, secretary, medic, counsellor):
    """Secretary, medic and counsellor on duty now."""
    put_on_duty(social_worker, focus, secretary, DutyKind.SECRETARY)
    put_on_duty(social_worker, focus, medic, DutyKind.MEDICAL)
    put_on_duty(social_worker, focus, counsellor, DutyKind.PSYCHOLOGICAL)
    return focus


@pytest.fixture
def resident_group(world, community_worker):
    """The tier-1 resident group of the compound, run by the community worker."""
    return services.group_create(actor=community_worker, tier=GroupTier.RESIDENT, community=world.home,
                                 compound=world.compound, name="锦绣小区居民群")


def make_resident(world, household, username, name="居民"):
    """A resident account linked to a person of `household`."""
    user = UserFactory(username=username, display_name=name)
    PersonFactory(household=household, name=name, user=user)
    return user


def make_client(social_worker, group, username):
    user = UserFactory(username=username)
    services.member_add(actor=social_worker, group=group, user=user, role=MemberRole.CLIENT)
    return user


__all__ = ["Role", "SimpleNamespace", "grant", "make_client", "make_resident", "put_on_duty"]


@pytest.fixture
def chat_server(transactional_db):
    """The real ASGI application (HTTP and WebSockets, in-memory channel layer) on a free port, in-process.

    pytest-django's live_server is WSGI only; the chat needs WebSockets, so uvicorn serves the ASGI app from a
    thread. An in-memory SQLite test database is shared with the server's threads the way Django's own
    LiveServerThread shares it: one connection, thread sharing allowed.
    """
    import socket
    import threading

    import uvicorn
    from django.db import connections

    from sanshe.asgi import application

    conn = connections["default"]
    original = connections._connections
    shared = conn.vendor == "sqlite" and conn.is_in_memory_db()
    if shared:
        conn.inc_thread_sharing()
        connections._connections = SimpleNamespace(default=conn)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, lifespan="off", log_level="warning", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    ready = threading.Event()
    while not ready.wait(0.05):  # readiness of a server we just started, not a timed assertion
        if server.started or not thread.is_alive():
            ready.set()
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    if shared:
        connections._connections = original
        conn.dec_thread_sharing()
