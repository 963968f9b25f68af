"""Two ASGI server processes sharing Redis deliver each other's chat messages (the city deployment).

Real processes (uvicorn running the project's application), a real Redis (REDIS_URL, or a private
redis-server started here), a real SQLite file migrated for the purpose, and WebSocket clients on both
processes. Skipped when neither REDIS_URL nor redis-server is available.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.groups_bench import _free_port, _start_server, _stop, _wait_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

MAKE_WORLD = r"""
import json
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from sanshe.accounts.models import Membership, Organisation, User
from sanshe.accounts.roles import OrganisationKind, Role
from sanshe.groups import services
from sanshe.groups.models import GroupTier, MemberRole
from sanshe.places.models import Community

org = Organisation.objects.create(name="双进程测试机构", kind=OrganisationKind.SOCIAL_WORK)
community = Community.objects.create(name="双进程社区", code="TWO-PROC")
org.communities.add(community)
admin = User.objects.create(username="two_sw", display_name="社工甲")
Membership.objects.create(user=admin, organisation=org, role=Role.SOCIAL_WORKER).communities.add(community)
client = User.objects.create(username="two_client", display_name="居民乙")
group = services.group_create(actor=admin, tier=GroupTier.FOCUS, community=community, name="双进程群")
services.member_add(actor=admin, group=group, user=client, role=MemberRole.CLIENT, nickname="王女士")

def cookie(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "sanshe.accounts.backends.UsernameOrPhoneBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

print(json.dumps({"group": group.pk, "admin": cookie(admin), "client": cookie(client)}))
"""


@pytest.fixture
def redis_url(tmp_path):
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("neither REDIS_URL nor redis-server is available")
    port = _free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    _wait_port(port, process, "redis-server")
    yield f"redis://127.0.0.1:{port}/15"
    _stop([process])


def test_two_processes_deliver_each_others_messages_through_redis(tmp_path, redis_url):
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "sanshe.settings.base", "SANSHE_VAR_DIR": str(tmp_path),
        "SQLITE_PATH": str(tmp_path / "two.sqlite3"), "REDIS_URL": redis_url, "HUEY_IMMEDIATE": "1",
        "SECRET_KEY": "two-process-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "FIELD_ENCRYPTION_KEYS": "two-process-field-key", "BLIND_INDEX_KEY": "two-process-blind-key",
        "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    made = subprocess.run([sys.executable, "-c", MAKE_WORLD], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True)
    world = json.loads(made.stdout.strip().splitlines()[-1])
    servers = []
    try:
        servers = [_start_server(env) for _ in range(2)]
        (_, port_a), (_, port_b) = servers
        received = asyncio.run(_chat(world, port_a, port_b))
    finally:
        _stop([process for process, _port in servers])
    pushed, caught_up = received
    assert pushed["kind"] == "message" and pushed["message"]["body"] == "两个进程之间也能收到"
    assert [e["message"]["body"] for e in caught_up] == ["两个进程之间也能收到", "第二条"]


async def _chat(world: dict, port_a: int, port_b: int):
    from websockets.asyncio.client import connect

    async def open_socket(port: int, cookie: str):
        return await connect(f"ws://127.0.0.1:{port}/ws/groups/{world['group']}/",
                             additional_headers={"Cookie": cookie}, origin=f"http://127.0.0.1:{port}")

    async def next_push(socket):
        while True:
            data = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
            if data["type"] == "push" and data["data"].get("kind") == "message":
                return data["data"]

    sender = await open_socket(port_a, world["admin"])
    receiver = await open_socket(port_b, world["client"])
    await sender.send(json.dumps({"type": "send", "client_id": "p-1", "body": "两个进程之间也能收到"}))
    pushed = await next_push(receiver)
    await receiver.close()
    await sender.send(json.dumps({"type": "send", "client_id": "p-2", "body": "第二条"}))
    while json.loads(await asyncio.wait_for(sender.recv(), timeout=10)).get("client_id") != "p-2":
        pass  # until the second message is saved (its ack)
    # The receiver comes back on the other process and catches up from before the first message.
    receiver = await open_socket(port_a, world["client"])
    await receiver.send(json.dumps({"type": "hello", "last_seq": pushed["seq"] - 1}))
    while True:
        data = json.loads(await asyncio.wait_for(receiver.recv(), timeout=10))
        if data["type"] == "events":
            break
    await receiver.close()
    await sender.close()
    return pushed, data["events"]
