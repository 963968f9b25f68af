"""The access sweep over WebSocket routes: every route of sanshe/routing.py, every persona, through the real
ASGI router (origin check, session auth): anonymous closes 4401, out of scope closes 4404 (4403 for a route
the persona's role can never use), in scope connects. A route without an entry here fails the meta-test."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from sanshe.asgi import application
from sanshe.groups import services as group_services
from sanshe.groups.models import GroupTier, MemberRole, PrivateThread
from sanshe.routing import websocket_urlpatterns
from tests.factories import Role, UserFactory, grant

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")
CONNECTS = "connects"
WS_PERSONAS = ["anonymous", "stranger", "outsider", "resident", "secretary", "medic", "counsellor",
               "community_worker", "social_worker", "away_social_worker"]

# Route pattern → (path builder, {persona: expected}); every persona of WS_PERSONAS is listed.
WS_TABLE = {
    "ws/ping/": (lambda w: "/ws/ping/", {
        "anonymous": 4401, **{p: CONNECTS for p in WS_PERSONAS if p != "anonymous"}}),
    "ws/notifications/": (lambda w: "/ws/notifications/", {
        "anonymous": 4401, **{p: CONNECTS for p in WS_PERSONAS if p != "anonymous"}}),
    "ws/groups/<int:group_id>/": (lambda w: f"/ws/groups/{w.group.pk}/", {
        "anonymous": 4401, "stranger": 4404, "outsider": 4404, "away_social_worker": 4404,
        "resident": CONNECTS, "secretary": CONNECTS, "medic": CONNECTS, "counsellor": CONNECTS,
        "social_worker": CONNECTS, "community_worker": 4404}),
    "ws/groups/threads/<int:thread_id>/": (lambda w: f"/ws/groups/threads/{w.thread.pk}/", {
        "anonymous": 4401, "stranger": 4404, "outsider": 4404, "away_social_worker": 4404,
        "resident": CONNECTS, "counsellor": CONNECTS, "secretary": 4404, "medic": 4404,
        "community_worker": 4404, "social_worker": CONNECTS}),
    "ws/monitoring/alerts/": (lambda w: "/ws/monitoring/alerts/", {
        "anonymous": 4401, "stranger": 4403, "resident": 4403, "secretary": 4403, "counsellor": 4403,
        "medic": 4403,  # the fixture medic serves no community (tests/conftest.py), so no medical alerts reach it
        "outsider": CONNECTS, "community_worker": CONNECTS, "social_worker": CONNECTS,
        "away_social_worker": CONNECTS}),
}


def test_every_websocket_route_has_an_entry_in_the_sweep_table():
    missing = [str(route.pattern) for route in websocket_urlpatterns if str(route.pattern) not in WS_TABLE]
    assert not missing, (
        f"WebSocket routes without an access rule: {missing}. Add each to WS_TABLE in {__file__} with the "
        "close code every persona must get (4401 anonymous, 4404 out of scope, 4403 never) or CONNECTS.")
    stale = set(WS_TABLE) - {str(route.pattern) for route in websocket_urlpatterns}
    assert not stale, f"WS_TABLE lists routes that no longer exist: {sorted(stale)}"


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def _connect(path: str, user=None) -> tuple[bool, int | None]:
    headers = [ORIGIN] + ([(b"cookie", await database_sync_to_async(_cookie)(user))] if user else [])
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=10)
    if connected:
        await communicator.disconnect()
    return connected, code


@pytest.fixture
def ws_world(world, social_worker, secretary, medic, counsellor, resident, outsider, community_worker):
    from types import SimpleNamespace

    group = group_services.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home,
                                        name="阳光聚焦服务群")
    for user, role in ((secretary, MemberRole.SECRETARY), (medic, MemberRole.MEDICAL),
                       (counsellor, MemberRole.PSYCHOLOGICAL), (resident, MemberRole.CLIENT)):
        group_services.member_add(actor=social_worker, group=group, user=user, role=role)
    thread = PrivateThread.objects.create(group=group, client=resident, helper=counsellor, kind="psychological")
    away_sw = UserFactory(username="away_sw")
    grant(away_sw, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    users = {"stranger": UserFactory(username="stranger"), "outsider": outsider, "resident": resident,
             "secretary": secretary, "medic": medic, "counsellor": counsellor, "community_worker": community_worker,
             "social_worker": social_worker, "away_social_worker": away_sw}
    return SimpleNamespace(group=group, thread=thread, users=users)


def test_every_websocket_route_obeys_its_access_rule_for_every_persona(ws_world):
    """One world for all routes (a transactional world is slow to build); every mismatch is listed."""
    wrong = []

    async def scenario():
        for route, (build, expected) in WS_TABLE.items():
            assert set(expected) == set(WS_PERSONAS), f"{route}: list every persona of WS_PERSONAS"
            path = build(ws_world)
            for persona in WS_PERSONAS:
                connected, code = await _connect(path, ws_world.users.get(persona))
                got = CONNECTS if connected else code
                if got != expected[persona]:
                    wrong.append(f"{path} as {persona}: expected {expected[persona]}, got {got}")

    async_to_sync(scenario)()
    assert not wrong, "\n".join(wrong)
