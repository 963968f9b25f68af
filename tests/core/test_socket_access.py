"""The WebSocket gate (sanshe.core.consumers): a live session's fresh user, what a re-check costs, and why pushes
reuse it for a few seconds (issue 11, item 4)."""

from __future__ import annotations

import json
import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanshe.accounts import services as accounts
from sanshe.accounts.middleware import LAST_SEEN_KEY
from sanshe.asgi import application
from sanshe.core.consumers import live_session_user
from sanshe.groups import services as groups
from sanshe.groups.consumers import ChatConsumer
from sanshe.groups.models import Group
from tests.factories import Role, UserFactory, grant
from tests.groups.conftest import focus, on_duty  # noqa: F401 (fixtures)

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _session_key(user) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    return client, client.session.session_key


@pytest.mark.django_db
def test_a_live_session_gives_a_fresh_user_and_nothing_else_does(org_admin, social_worker):
    client, key = _session_key(social_worker)
    user = live_session_user(key, user_id=social_worker.pk)
    assert user == social_worker and user is not social_worker  # loaded fresh: no scope cached on it
    assert live_session_user(key, user_id=org_admin.pk) is None  # not this socket's user
    assert live_session_user("no-such-session") is None
    assert live_session_user(None) is None

    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - django_settings.SESSION_IDLE_TIMEOUT - 1
    session.save()
    assert live_session_user(key) is None  # idle-expired, like IdleTimeoutMiddleware
    session[LAST_SEEN_KEY] = int(time.time())
    session.save()
    assert live_session_user(key) == social_worker

    accounts.user_password_reset(actor=org_admin, user_id=social_worker.pk, password="Another-Pass-2026")
    assert live_session_user(key) is None  # the session's password hash no longer matches

    _client, key = _session_key(social_worker)
    accounts.user_deactivate(actor=org_admin, user_id=social_worker.pk)
    assert live_session_user(key) is None

    other, key = _session_key(org_admin)
    other.post(reverse("accounts:logout"))
    assert live_session_user(key) is None


def _check_cost(user, group) -> int:
    _client, key = _session_key(user)
    consumer = ChatConsumer()
    consumer.scope = {"url_route": {"kwargs": {"group_id": group.pk}}}
    consumer.session_key, consumer.user_id = key, user.pk
    with CaptureQueriesContext(connection) as queries:
        assert consumer._check() is None
    return len(queries)


@pytest.mark.django_db
def test_what_one_full_recheck_costs(on_duty, resident, secretary, social_worker):  # noqa: F811
    # Measured: 5 queries for a resident, 8 for a social worker, 14 for a volunteer (clearance) — per socket.
    # A group of 500 would cost thousands of queries per message if every push re-checked from scratch.
    costs = {name: _check_cost(user, on_duty) for name, user in
             (("resident", resident), ("social_worker", social_worker), ("volunteer", secretary))}
    assert costs["resident"] <= 6 and costs["social_worker"] <= 10 and costs["volunteer"] <= 16, costs


def _session_reads(queries) -> int:
    return sum(1 for q in queries if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT"))


def _storm(group, listener_client, speaker, n: int) -> int:
    """Session reads while `n` messages are pushed to one open socket."""
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={listener_client.cookies[django_settings.SESSION_COOKIE_NAME].value}"

    async def scenario():
        socket = WebsocketCommunicator(application, f"/ws/groups/{group.pk}/",
                                       headers=[ORIGIN, (b"cookie", cookie.encode())])
        assert (await socket.connect())[0]
        for i in range(n):
            await database_sync_to_async(groups.message_send)(
                actor=speaker, group=await database_sync_to_async(Group.objects.get)(pk=group.pk), body=f"第{i}条")
            assert (await socket.receive_json_from(timeout=5))["type"] == "push"
        await socket.disconnect()

    with CaptureQueriesContext(connection) as queries:
        async_to_sync(scenario)()
    return _session_reads(queries)


@pytest.mark.django_db(transaction=True)
def test_a_push_storm_reuses_the_sockets_check_for_a_few_seconds(on_duty, resident, social_worker,  # noqa: F811
                                                                 settings):
    listener, _key = _session_key(resident)
    settings.SOCKET_RECHECK_SECONDS = 3600
    quiet = _storm(on_duty, listener, social_worker, 5)
    assert quiet == 2  # Channels' session middleware and the gate at connect; every push reuses the check
    settings.SOCKET_RECHECK_SECONDS = 0
    assert _storm(on_duty, listener, social_worker, 5) == quiet + 5  # one full re-check per push


@pytest.mark.django_db(transaction=True)
def test_the_ping_socket_closes_when_the_account_is_deactivated(world, org_admin, settings):
    settings.SOCKET_RECHECK_SECONDS = 3600
    user = UserFactory()
    grant(user, world.org, Role.SOCIAL_WORKER, communities=[world.home])
    client, _key = _session_key(user)
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"

    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/ping/", headers=[ORIGIN, (b"cookie", cookie.encode())])
        assert (await socket.connect())[0]
        await database_sync_to_async(accounts.user_deactivate)(actor=org_admin, user_id=user.pk)
        output = await socket.receive_output(timeout=5)
        assert (output["type"], output["code"]) == ("websocket.close", 4401)

    async_to_sync(scenario)()


def _ping_after_idle(user, idle_seconds: int) -> dict:
    """Open the ping socket, let the session sit unused for `idle_seconds`, then ping: what comes back."""
    client, _key = _session_key(user)
    client.get(reverse("home:home"))  # a page view stamps the session (and sets a resident's lifetime)
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"

    def age():
        session = client.session
        session[LAST_SEEN_KEY] = int(time.time()) - idle_seconds
        session.save()

    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/ping/", headers=[ORIGIN, (b"cookie", cookie.encode())])
        assert (await socket.connect())[0]
        await database_sync_to_async(age)()
        await socket.send_json_to({"echo": "还在吗"})
        output = await socket.receive_output(timeout=5)
        await socket.disconnect()
        return output

    return async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_residents_socket_follows_the_residents_session_rule(resident, social_worker, settings):
    """Two hours without use: the resident's socket stays open (as their pages do), a social worker's closes."""
    settings.SOCKET_RECHECK_SECONDS = 0
    kept = _ping_after_idle(resident, 2 * 60 * 60)
    assert kept["type"] == "websocket.send" and json.loads(kept["text"]) == {"type": "pong", "echo": "还在吗"}
    closed = _ping_after_idle(social_worker, 2 * 60 * 60)
    assert (closed["type"], closed["code"]) == ("websocket.close", 4401)
    ended = _ping_after_idle(resident, django_settings.RESIDENT_SESSION_IDLE_TIMEOUT + 60)
    assert (ended["type"], ended["code"]) == ("websocket.close", 4401)
