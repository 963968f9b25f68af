"""Group chat: one message to 500 WebSocket clients vs a bare Channels broadcast (target ≤ 1.5×); 50 messages/s
across 20 groups for 60 s with nothing lost or doubled; the same across two server processes through Redis.

The servers are real uvicorn processes running the project's ASGI application (plus one bare broadcast
consumer for the baseline, in the same process so both are measured alike); the clients are real
WebSocket connections authenticated by session cookies. Environment: GROUPS_BENCH_SECONDS (60),
GROUPS_BENCH_CLIENTS (500), GROUPS_BENCH_ROUNDS (30), REDIS_URL (else a private redis-server is started
if one is installed).
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from channels.generic.websocket import AsyncJsonWebsocketConsumer

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("GROUPS_BENCH_SECONDS", "60"))
CLIENTS = int(os.environ.get("GROUPS_BENCH_CLIENTS", "500"))
ROUNDS = int(os.environ.get("GROUPS_BENCH_ROUNDS", "30"))
GROUPS = 20
PER_GROUP = 10
RATE = 50  # messages per second, all groups together
TARGET_RATIO = 1.5


# ---------------------------------------------------------------------------------------------- server side

class BareBroadcastConsumer(AsyncJsonWebsocketConsumer):
    """The baseline: join one channel group, broadcast whatever arrives to it. No database, no checks."""

    async def connect(self) -> None:
        await self.channel_layer.group_add("bench.bare", self.channel_name)
        await self.accept()

    async def receive_json(self, content, **kwargs) -> None:
        await self.channel_layer.group_send("bench.bare", {"type": "bench.push", "data": content})

    async def bench_push(self, event) -> None:
        await self.send_json(event["data"])


def asgi_app():
    """uvicorn --factory entry: the project's application with the bare consumer added under /ws/bench/."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanshe.settings.base")
    from django.core.asgi import get_asgi_application

    http = get_asgi_application()
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator
    from django.urls import path

    from sanshe.routing import websocket_urlpatterns

    routes = [path("ws/bench/bare/", BareBroadcastConsumer.as_asgi())] + list(websocket_urlpatterns)
    return ProtocolTypeRouter({
        "http": http,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(routes))),
    })


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} 启动失败（退出码 {process.returncode}）")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} 60 秒内没有启动")


def _start_server(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bench.groups_bench:asgi_app", "--host", "127.0.0.1",
         "--port", str(port), "--lifespan", "off", "--log-level", "warning", "--no-access-log",
         "--ws", "websockets-sansio"],
        cwd=ROOT, env=env)
    _wait_port(port, process, "uvicorn")
    return process, port


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


# ---------------------------------------------------------------------------------------------- data

@dataclass
class World:
    admin_cookie: str
    big_group: int
    big_cookies: list[str]
    groups: list[int]
    group_cookies: dict[int, list[str]]


def _session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "sanshe.accounts.backends.UsernameOrPhoneBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _make_world() -> World:
    """One organisation and community, a social worker running 21 focus groups, clients in them."""
    from datetime import timedelta

    from django.utils import timezone

    from sanshe.accounts.models import Membership, Organisation, User
    from sanshe.accounts.roles import OrganisationKind, Role
    from sanshe.groups import services
    from sanshe.groups.models import GroupMember, GroupTier, MemberRole, MemberStatus
    from sanshe.places.models import Community

    organisation = Organisation.objects.create(name="基准测试社工机构", kind=OrganisationKind.SOCIAL_WORK)
    community = Community.objects.create(name="基准社区", code="BENCH-GROUPS")
    organisation.communities.add(community)
    admin = User.objects.create(username="bench_sw", display_name="基准社工")
    membership = Membership.objects.create(user=admin, organisation=organisation, role=Role.SOCIAL_WORKER)
    membership.communities.add(community)
    count = CLIENTS - 1 + GROUPS * (PER_GROUP - 1)
    User.objects.bulk_create([User(username=f"bench_c{i}", display_name=f"居民{i}") for i in range(count)])
    clients = list(User.objects.filter(username__startswith="bench_c").order_by("pk"))
    joined = timezone.now() - timedelta(days=1)  # past any probation

    def group_with(name: str, members: list) -> int:
        group = services.group_create(actor=admin, tier=GroupTier.FOCUS, community=community, name=name)
        GroupMember.objects.bulk_create([
            GroupMember(group=group, user=u, role=MemberRole.CLIENT, status=MemberStatus.ACTIVE, joined_at=joined,
                        nickname=u.display_name) for u in members])
        return group.pk

    big = group_with("五百人群", clients[:CLIENTS - 1])
    rest = clients[CLIENTS - 1:]
    groups, group_cookies = [], {}
    for g in range(GROUPS):
        members = rest[g * (PER_GROUP - 1):(g + 1) * (PER_GROUP - 1)]
        group_id = group_with(f"并发群{g + 1}", members)
        groups.append(group_id)
        group_cookies[group_id] = [_session_cookie(u) for u in members]
    admin_cookie = _session_cookie(admin)
    return World(admin_cookie=admin_cookie, big_group=big,
                 big_cookies=[admin_cookie] + [_session_cookie(u) for u in clients[:CLIENTS - 1]],
                 groups=groups, group_cookies=group_cookies)


# ---------------------------------------------------------------------------------------------- clients

@dataclass
class Client:
    socket: object
    received: dict[str, float] = field(default_factory=dict)   # key → perf_counter at receipt
    seqs: list[int] = field(default_factory=list)
    acks: dict[str, float] = field(default_factory=dict)
    task: asyncio.Task | None = None


class Round:
    """Waits until `expected` clients have seen `key`."""

    def __init__(self, key: str, expected: int) -> None:
        self.key, self.expected, self.seen, self.done = key, expected, 0, asyncio.Event()
        self.last = 0.0


async def _open(url: str, cookie: str, origin: str):
    from websockets.asyncio.client import connect

    return await connect(url, additional_headers={"Cookie": cookie}, origin=origin, max_size=2 ** 20,
                         open_timeout=60, ping_interval=None)


async def _listen(client: Client, rounds: dict[str, Round]) -> None:
    import json

    async for raw in client.socket:
        now = time.perf_counter()
        data = json.loads(raw)
        if data.get("type") == "ack":
            client.acks[data["client_id"]] = now
            continue
        if data.get("type") == "push":
            data = data["data"]
            if data.get("kind") != "message":
                continue
            client.seqs.append(data["seq"])
            key = data["message"]["client_id"]
        else:
            key = data.get("key", "")
        client.received[key] = now
        waiting = rounds.get(key)
        if waiting is not None:
            waiting.seen += 1
            waiting.last = now
            if waiting.seen >= waiting.expected:
                waiting.done.set()


async def _connect_all(urls_and_cookies: list[tuple[str, str, str]], rounds: dict[str, Round]) -> list[Client]:
    clients: list[Client] = []
    for start in range(0, len(urls_and_cookies), 50):  # in batches: a burst of 500 handshakes is not the test
        batch = urls_and_cookies[start:start + 50]
        sockets = await asyncio.gather(*[_open(url, cookie, origin) for url, cookie, origin in batch])
        for sock in sockets:
            client = Client(sock)
            client.task = asyncio.create_task(_listen(client, rounds))
            clients.append(client)
    return clients


async def _close_all(clients: list[Client]) -> None:
    await asyncio.gather(*[c.socket.close() for c in clients], return_exceptions=True)
    for client in clients:
        if client.task:
            client.task.cancel()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


async def fanout(port: int, world: World) -> tuple[list[float], list[float], int]:
    """ROUNDS interleaved rounds: a bare broadcast and a group chat message to all CLIENTS sockets."""
    import json

    origin = f"http://127.0.0.1:{port}"
    rounds: dict[str, Round] = {}
    bare = await _connect_all([(f"ws://127.0.0.1:{port}/ws/bench/bare/", world.admin_cookie, origin)] * CLIENTS,
                              rounds)
    chat = await _connect_all([(f"ws://127.0.0.1:{port}/ws/groups/{world.big_group}/", cookie, origin)
                               for cookie in world.big_cookies], rounds)
    bare_times, chat_times, lost = [], [], 0
    for n in range(ROUNDS + 2):
        for kind, clients, times in (("bare", bare, bare_times), ("chat", chat, chat_times)):
            key = f"{kind}-{n}"
            waiting = rounds[key] = Round(key, len(clients))
            started = time.perf_counter()
            if kind == "bare":
                await clients[0].socket.send(json.dumps({"key": key}))
            else:
                await clients[0].socket.send(json.dumps({"type": "send", "client_id": key, "body": f"基准消息 {n}"}))
            try:
                await asyncio.wait_for(waiting.done.wait(), timeout=30)
            except TimeoutError:
                lost += waiting.expected - waiting.seen
                continue
            if n >= 2:  # the first rounds warm up the server (imports, query plans)
                times.append(waiting.last - started)
            await asyncio.sleep(0.05)
    await _close_all(bare + chat)
    return bare_times, chat_times, lost


async def steady(ports: list[int], world: World, seconds: int, run: str) -> dict[str, float]:
    """RATE messages/s spread over GROUPS groups for `seconds`; count what every member received."""
    import json

    rounds: dict[str, Round] = {}
    receivers: dict[int, list[Client]] = {}
    senders: dict[int, Client] = {}
    for index, group_id in enumerate(world.groups):
        members = world.group_cookies[group_id]
        # Members alternate between the server processes; the sender sits on the first one.
        entries = [(f"ws://127.0.0.1:{ports[i % len(ports)]}/ws/groups/{group_id}/", cookie,
                    f"http://127.0.0.1:{ports[i % len(ports)]}") for i, cookie in enumerate(members)]
        receivers[group_id] = await _connect_all(entries, rounds)
        senders[group_id] = (await _connect_all(
            [(f"ws://127.0.0.1:{ports[0]}/ws/groups/{group_id}/", world.admin_cookie,
              f"http://127.0.0.1:{ports[0]}")], rounds))[0]
        del index
    sent: dict[str, tuple[int, float]] = {}
    interval = 1 / RATE
    started = time.perf_counter()
    total = RATE * seconds
    for n in range(total):
        target = started + n * interval
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        group_id = world.groups[n % len(world.groups)]
        key = f"{run}-{n}"  # client ids are idempotency keys: each run needs its own
        sent[key] = (group_id, time.perf_counter())
        await senders[group_id].socket.send(json.dumps({"type": "send", "client_id": key, "body": f"并发消息 {n}"}))
    elapsed = time.perf_counter() - started
    # Drain: wait until every member has every message of its group, or 30 s at most.
    deadline = time.perf_counter() + 30
    expected = {g: {k for k, (gid, _t) in sent.items() if gid == g} for g in world.groups}
    while time.perf_counter() < deadline:
        if all(expected[g] <= set(c.received) for g in world.groups for c in receivers[g]):
            break
        await asyncio.sleep(0.2)
    lost = duplicated = 0
    latencies: list[float] = []
    for group_id in world.groups:
        for client in receivers[group_id]:
            lost += len(expected[group_id] - set(client.received))
            duplicated += len(client.seqs) - len(set(client.seqs))
            latencies += [client.received[k] - sent[k][1] for k in expected[group_id] if k in client.received]
    acked = sum(len(s.acks) for s in senders.values())
    ack_times = [s.acks[k] - sent[k][1] for s in senders.values() for k in s.acks if k in sent]
    everyone = [c for g in world.groups for c in receivers[g]] + list(senders.values())
    await _close_all(everyone)
    return {"sent": total, "acked": acked, "elapsed": elapsed, "lost": lost, "duplicated": duplicated,
            "deliveries": len(latencies), "p50": _pct(latencies, 0.5), "p95": _pct(latencies, 0.95),
            "ack_p50": _pct(ack_times, 0.5) if ack_times else 0.0}


# ---------------------------------------------------------------------------------------------- main

def _start_redis() -> tuple[str | None, subprocess.Popen | None, str]:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], None, ""
    binary = shutil.which("redis-server")
    if binary is None:
        return None, None, "未安装 redis-server，也没有设置 REDIS_URL"
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="sanshe-bench-redis-")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", workdir], stdout=subprocess.DEVNULL)
    _wait_port(port, process, "redis-server")
    return f"redis://127.0.0.1:{port}/0", process, ""


def _print_steady(title: str, result: dict[str, float]) -> None:
    print(f"{title}：发出 {result['sent']} 条（用时 {result['elapsed']:.1f} 秒，已确认 {result['acked']}），"
          f"送达 {result['deliveries']} 人次，丢失 {result['lost']}，重复 {result['duplicated']}；"
          f"送达 p50 {result['p50']:.0f} ms / p95 {result['p95']:.0f} ms，发送确认 p50 {result['ack_p50']:.0f} ms",
          flush=True)


def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    started = time.perf_counter()
    world = _make_world()
    print(f"准备：{CLIENTS} 人大群 1 个、{GROUPS} 个 {PER_GROUP} 人群（{time.perf_counter() - started:.1f} 秒）",
          flush=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("REDIS_URL", None)
    processes: list[subprocess.Popen] = []
    try:
        server, port = _start_server(env)
        processes.append(server)
        bare, chat, lost = asyncio.run(fanout(port, world))
        ratio = statistics.median(chat) / statistics.median(bare) if bare and chat else float("nan")
        print(f"一条消息发给 {CLIENTS} 个在线连接，直到全部收到：群聊 p50 {_pct(chat, 0.5):.0f} ms / "
              f"p95 {_pct(chat, 0.95):.0f} ms；裸 Channels 广播 p50 {_pct(bare, 0.5):.0f} ms / "
              f"p95 {_pct(bare, 0.95):.0f} ms；p50 比值 {ratio:.2f}×（目标 ≤ {TARGET_RATIO}×"
              f"{'，达标' if ratio <= TARGET_RATIO else '，未达标'}）；{ROUNDS} 轮，丢失 {lost}", flush=True)
        result = asyncio.run(steady([port], world, SECONDS, "one"))
        _print_steady(f"单进程：{GROUPS} 个群每秒 {RATE} 条、持续 {SECONDS} 秒", result)
    finally:
        _stop(processes)
        processes.clear()

    redis_url, redis_process, why = _start_redis()
    if redis_url is None:
        print(f"两进程 + Redis：跳过（{why}）", flush=True)
        return
    try:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "REDIS_URL": redis_url, "HUEY_IMMEDIATE": "1"}
        for _ in range(2):
            server, port = _start_server(env)
            processes.append((server, port))
        ports = [p for _s, p in processes]
        result = asyncio.run(steady(ports, world, SECONDS, "redis"))
        _print_steady(f"两个进程经 Redis（pub/sub 通道层）：{GROUPS} 个群每秒 {RATE} 条、持续 {SECONDS} 秒", result)
    finally:
        _stop([s for s, _p in processes])
        if redis_process is not None:
            _stop([redis_process])
