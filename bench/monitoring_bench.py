"""Monitoring at district scale: the "today" list at 300,000 people under follow-up, and the morning check-in burst.

Part 1 builds a district (BENCH_FOLLOW_UP_PEOPLE people, default 300,000, all under follow-up), generates the
day's follow-ups, reports about half of the mornings, passes the morning deadline (missed, SMS reminders),
then times a community worker's today pages in-process: p50/p95 and the number of queries.

Part 2 starts the server with `manage.py serve`, as `make run` and the production instructions do: without
REDIS_URL one uvicorn process (the laptop layout), with REDIS_URL granian WSGI 2 workers × 4 threads plus
uvicorn for WebSockets (the production layout; SERVE_MODE forces either), on the same database, and runs
BENCH_BURST_CLIENTS (default 200) concurrent keep-alive clients for BENCH_BURST_SECONDS (default 60) each against: a bare JSON
view, a bare view doing the check-in's one insert, and the real check-in (personal link, CSRF, validation,
red-flag rules, follow-up update, audit). One client in ten re-sends a submission with the same idempotency
key (a retry after a network error). Reported: requests/s, p50/p99, the ratios (target ≥ 0.5 against the
bare insert), and that every acknowledged check-in is stored exactly once.

Run on SQLite (`make bench`) and as deployed (`DATABASE_URL=postgresql://… REDIS_URL=redis://… make bench`).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

PEOPLE = int(os.environ.get("BENCH_FOLLOW_UP_PEOPLE", "300000"))
CLIENTS = int(os.environ.get("BENCH_BURST_CLIENTS", "200"))
SECONDS = float(os.environ.get("BENCH_BURST_SECONDS", "60"))
PAGE_REQUESTS = int(os.environ.get("BENCH_TODAY_REQUESTS", "200"))
REQUEST_TIMEOUT = 30.0
PEOPLE_PER_COMMUNITY = 3000
# Per community: 2 compounds × 10 buildings × 2 units × 25 rooms = 1,000 households of 3 people (150 a building).
COMPOUNDS, BUILDINGS, UNITS, ROOMS = 2, 10, 2, 25
ROOT = Path(__file__).resolve().parent.parent
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨勇", "赵敏", "黄磊", "周杰", "吴霞", "徐强", "孙丽", "胡军", "朱红",
         "高峰", "林琳", "何平", "郭涛", "马丽", "罗斌"]


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# ------------------------------------------------------------------------------------------- the district

@dataclass
class District:
    tag: str
    worker_id: int
    steward_id: int
    admin_id: int
    community_ids: list[int]
    building_ids: list[int]  # of the worker's community
    steward_building_ids: list[int]
    links: list[tuple[str, int]] = field(default_factory=list)  # (token, person id)
    probe: dict = field(default_factory=dict)  # ids for the bare insert view


def build_district(people: int) -> District:
    """Communities, places, people, quarantine periods (all active): bulk inserts, timed."""
    from django.db import connection, transaction
    from django.utils import timezone

    from sanshe.accounts.models import Membership, Organisation, User
    from sanshe.accounts.roles import OrganisationKind, Role, WorkerKind
    from sanshe.monitoring.models import QuarantinePeriod
    from sanshe.people.models import Person
    from sanshe.people.pinyin import name_keys
    from sanshe.places.models import Building, Community, Compound, Household, Unit

    batch = None if connection.vendor == "sqlite" else 5000
    tag = f"{int(time.time()) % 100000:05d}"
    keys = {name: name_keys(name) for name in NAMES}
    today = timezone.localdate()
    communities_n = max(1, people // PEOPLE_PER_COMMUNITY)
    started = time.perf_counter()
    with transaction.atomic():
        organisation = Organisation.objects.create(name=f"基准测试社工机构{tag}", kind=OrganisationKind.SOCIAL_WORK)
        communities = Community.objects.bulk_create(
            [Community(name=f"基准社区{tag}-{c}", code=f"B{tag}{c:04d}") for c in range(communities_n)],
            batch_size=batch)
        organisation.communities.set(communities)
        compounds = Compound.objects.bulk_create(
            [Compound(community=c, name=f"小区{i + 1}") for c in communities for i in range(COMPOUNDS)], batch_size=batch)
        buildings = Building.objects.bulk_create(
            [Building(compound=p, community_id=p.community_id, name=f"{i + 1}栋", sort_key=i + 1)
             for p in compounds for i in range(BUILDINGS)], batch_size=batch)
        units = Unit.objects.bulk_create(
            [Unit(building=b, name=f"{i + 1}单元") for b in buildings for i in range(UNITS)], batch_size=batch)
        building_of = {b.pk: b for b in buildings}
        compound_of = {p.pk: p for p in compounds}
        households = Household.objects.bulk_create(
            [Household(unit=u, room=f"{r // 2 + 1}{r % 2 + 1:02d}" if r < 24 else "2501", building_id=u.building_id,
                       compound_id=building_of[u.building_id].compound_id,
                       community_id=building_of[u.building_id].community_id)
             for u in units for r in range(ROOMS)], batch_size=batch)
    print(f"  地点：{communities_n} 个社区，{len(buildings)} 栋楼，{len(households)} 户"
          f"（{time.perf_counter() - started:.1f} 秒）", flush=True)

    started = time.perf_counter()
    rng = random.Random(2020)
    persons: list[Person] = []
    for index in range(people):
        household = households[index // 3 % len(households)]
        name = NAMES[rng.randrange(len(NAMES))]
        persons.append(Person(name=name, name_pinyin=keys[name][0], name_initials=keys[name][1], household=household,
                              community_id=household.community_id, compound_id=household.compound_id,
                              building_id=household.building_id, category="home_quarantine",
                              birth_date=today - timedelta(days=365 * rng.randrange(1, 90))))
    for start in range(0, len(persons), 20000):
        with transaction.atomic():
            Person.objects.bulk_create(persons[start:start + 20000], batch_size=batch)
    print(f"  人员：{len(persons)} 人（{time.perf_counter() - started:.1f} 秒）", flush=True)

    started = time.perf_counter()
    worker = User.objects.create_user(username=f"bench-worker-{tag}", password=None, display_name="基准社区工作者")
    steward = User.objects.create_user(username=f"bench-steward-{tag}", password=None, display_name="基准楼栋长")
    admin = User.objects.create_user(username=f"bench-admin-{tag}", password=None, display_name="基准管理员")
    Membership.objects.create(user=worker, organisation=organisation, role=Role.COMMUNITY_WORKER,
                              worker_kind=WorkerKind.COMMUNITY_STAFF).communities.set([communities[0]])
    worker_buildings = [b for b in buildings if b.community_id == communities[0].pk]
    Membership.objects.create(user=steward, organisation=organisation, role=Role.COMMUNITY_WORKER,
                              worker_kind=WorkerKind.BUILDING_STEWARD).buildings.set(worker_buildings[:2])
    Membership.objects.create(user=admin, organisation=organisation, role=Role.ORG_ADMIN)
    periods = [QuarantinePeriod(person=p, community_id=p.community_id, compound_id=p.compound_id,
                                building_id=p.building_id, kind="home", last_exposure_date=today - timedelta(days=5),
                                start_date=today - timedelta(days=5), ordered_how="written", follow_up_days=14,
                                end_date=today + timedelta(days=9), created_by=worker) for p in persons]
    for start in range(0, len(periods), 20000):
        with transaction.atomic():
            QuarantinePeriod.objects.bulk_create(periods[start:start + 20000], batch_size=batch)
    ids = [p.pk for p in periods]
    # Registered days ago, not just now (the generation owes a same-day registration only later slots).
    QuarantinePeriod.objects.filter(pk__gte=min(ids), pk__lte=max(ids)).update(
        created_at=timezone.now() - timedelta(days=5))
    print(f"  隔离观察：{len(periods)} 人（{time.perf_counter() - started:.1f} 秒）", flush=True)
    del compound_of
    return District(tag=tag, worker_id=worker.pk, steward_id=steward.pk, admin_id=admin.pk,
                    community_ids=[c.pk for c in communities], building_ids=[b.pk for b in worker_buildings],
                    steward_building_ids=[b.pk for b in worker_buildings[:2]])


def morning(district: District) -> None:
    """Generate today, let about half report their morning (encrypted check-ins), pass the 10:00 deadline."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from sanshe.monitoring import services
    from sanshe.monitoring.models import CheckIn, FollowUp

    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    started = time.perf_counter()
    total = services.followups_generate(day=today, now=datetime.combine(today, datetime.min.time(), tzinfo=tz)
                                        + timedelta(minutes=5))
    print(f"  生成今日随访：{total} 条，用时 {time.perf_counter() - started:.1f} 秒（每日零点任务）", flush=True)

    started = time.perf_counter()
    batch = None if connection.vendor == "sqlite" else 5000
    rng = random.Random(7)
    rows = list(FollowUp.objects.filter(date=today, slot=0).values_list("pk", "person_id", "community_id",
                                                                         "building_id", "due_at"))
    reported = [row for row in rows if rng.random() < 0.5]
    for start in range(0, len(reported), 20000):
        chunk = reported[start:start + 20000]
        check_ins = [CheckIn(person_id=person_id, follow_up_id=pk, community_id=community_id, building_id=building_id,
                             source="link", submitted_at=due - timedelta(hours=2), idempotency_key=secrets.token_hex(8),
                             observation='{"temperature_c": 36.6, "symptoms": [], "breathing": "none", "flags": []}')
                     for pk, person_id, community_id, building_id, due in chunk]
        with transaction.atomic():
            CheckIn.objects.bulk_create(check_ins, batch_size=batch)
            by_follow_up = {c.follow_up_id: c.pk for c in check_ins}
            follow_ups = [FollowUp(pk=pk, status="seen_well", last_check_in_id=by_follow_up[pk],
                                   seen_at=due - timedelta(hours=2)) for pk, _p, _c, _b, due in chunk]
            FollowUp.objects.bulk_update(follow_ups, ["status", "last_check_in", "seen_at"], batch_size=batch or 5000)
    print(f"  早间已报告：{len(reported)} 人（{time.perf_counter() - started:.1f} 秒）", flush=True)

    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"  # the bench sends no real SMS
    started = time.perf_counter()
    run = services.followups_pass_deadline(now=datetime.combine(today, datetime.min.time(), tzinfo=tz)
                                           + timedelta(hours=10, minutes=5))
    print(f"  10:05 截止处理：{run.missed} 条逾期，{run.people_reminded} 人短信提醒，"
          f"用时 {time.perf_counter() - started:.1f} 秒（每5分钟任务）", flush=True)


# ------------------------------------------------------------------------------------------ the today list

def time_pages(district: District) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from sanshe.accounts.models import User

    def measure(user_id: int, urls: list[str], label: str, requests: int) -> None:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(pk=user_id))
        for url in urls[:3]:
            assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            response = client.get(urls[0])
        query_count = len(queries)  # read now: the next request clears the connection's query log
        timings = []
        for index in range(requests):
            url = urls[index % len(urls)]
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        print(f"  {label}：p50 {_ms(_percentile(timings, 50))}，p95 {_ms(_percentile(timings, 95))}，"
              f"最大 {_ms(max(timings))}；每次 {query_count} 条查询", flush=True)

    print(f"“今日随访”（{PEOPLE} 人在随访中；社区工作者负责 1 个社区约 {PEOPLE_PER_COMMUNITY} 人，"
          f"{len(district.building_ids)} 栋楼）：", flush=True)
    measure(district.worker_id, [reverse("monitoring:today") + "?all=1"], "按楼栋汇总页", PAGE_REQUESTS)
    measure(district.worker_id, [reverse("monitoring:today_building", args=[b]) for b in district.building_ids],
            "单栋名单页（150人）", PAGE_REQUESTS)
    measure(district.steward_id, [reverse("monitoring:today_building", args=[b])
                                  for b in district.steward_building_ids], "楼栋长的单栋名单页", PAGE_REQUESTS)
    measure(district.worker_id, [reverse("monitoring:alert_list")], "预警列表", 50)
    measure(district.admin_id, [reverse("monitoring:indicators")], f"机构管理员监测指标（全部 {PEOPLE} 人）", 5)


# ------------------------------------------------------------------------------------------- the burst

def prepare_burst(district: District) -> None:
    from django.utils import timezone

    from sanshe.accounts.models import User
    from sanshe.monitoring import services
    from sanshe.monitoring.models import CheckInLink, FollowUp, QuarantinePeriod

    worker = User.objects.get(pk=district.worker_id)
    periods = list(QuarantinePeriod.objects.filter(community_id=district.community_ids[-1]).order_by("pk")[:CLIENTS])
    links = [CheckInLink(person_id=p.person_id, period=p, created_by=worker) for p in periods]
    CheckInLink.objects.bulk_create(links)
    district.links = [(services.link_token(link), link.person_id) for link in links]
    probe = FollowUp.objects.filter(date=timezone.localdate(), period=periods[0]).first()
    district.probe = {"f": probe.pk, "p": probe.person_id, "c": probe.community_id, "b": probe.building_id}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`manage.py serve` in its own process group, as `make run` starts it."""

    def __init__(self) -> None:
        self.port, self.ws_port = _free_port(), _free_port()
        env = {**os.environ, "SANSHE_BENCH_VIEWS": "1", "DEBUG": "0", "LOG_LEVEL": "WARNING",
               "SMS_BACKEND": "sanshe.accounts.sms.MemorySmsBackend"}
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(self.port), "--ws-port", str(self.ws_port),
             "--no-tasks"], cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stdout.read().decode(errors="replace")) from None
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


class Connection:
    """A minimal HTTP/1.1 keep-alive client (no third-party load generator needed)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, *, body: bytes = b"", headers: dict | None = None
                      ) -> tuple[int, dict, bytes]:
        """One request; a server that does not answer within REQUEST_TIMEOUT counts as an error, not a hang."""
        try:
            return await asyncio.wait_for(self._request(method, path, body=body, headers=headers), REQUEST_TIMEOUT)
        except TimeoutError:
            self.close()
            raise TimeoutError(f"no answer within {REQUEST_TIMEOUT:g} s") from None

    async def _request(self, method: str, path: str, *, body: bytes, headers: dict | None
                       ) -> tuple[int, dict, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: keep-alive"]
        for key, value in (headers or {}).items():
            lines.append(f"{key}: {value}")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        response_headers: dict[str, list[str]] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            key, _sep, value = line.decode("latin-1").partition(":")
            response_headers.setdefault(key.strip().lower(), []).append(value.strip())
        if "content-length" in response_headers:
            payload = await self.reader.readexactly(int(response_headers["content-length"][0]))
        elif "chunked" in ",".join(response_headers.get("transfer-encoding", [])):
            parts = []
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            payload = b"".join(parts)
        else:
            payload = b""
        if "close" in ",".join(response_headers.get("connection", [])):
            self.close()
        return status, response_headers, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    elapsed: float = 0.0
    acked: set = field(default_factory=set)
    sent: set = field(default_factory=set)
    retries: int = 0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


async def _client(port: int, phase: Phase, stop_at: float, kind: str, link: tuple[str, int] | None, probe: dict,
                  prefix: str, number: int) -> None:
    connection = Connection(port)
    cookie, csrf, path = "", "", ""
    if kind == "checkin":
        token, _person = link
        path = f"/monitoring/c/{token}/"
        status, headers, body = await connection.request("GET", path)
        cookie = next(c.split(";")[0] for c in headers.get("set-cookie", []) if c.startswith("csrftoken="))
        csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    rng = random.Random(number)
    sequence = 0
    last_key = ""
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        try:
            if kind == "json":
                status, _h, _b = await connection.request("GET", "/monitoring/bench/json/")
            elif kind == "insert":
                status, _h, _b = await connection.request("POST", "/monitoring/bench/insert/?" + urlencode(probe))
            else:
                retry = bool(last_key) and rng.random() < 0.1
                key = last_key if retry else f"{prefix}-{number}-{sequence}"
                sequence += 0 if retry else 1
                phase.retries += retry
                phase.sent.add(key)
                body = urlencode({"csrfmiddlewaretoken": csrf, "temperature_c": f"{36 + rng.random():.1f}",
                                  "breathing": "none", "idempotency_key": key}).encode()
                status, _h, payload = await connection.request(
                    "POST", path, body=body, headers={"Cookie": cookie, "X-Requested-With": "fetch",
                                                      "Content-Type": "application/x-www-form-urlencoded"})
                if status == 200 and ("已提交".encode() in payload or "已收到".encode() in payload):
                    phase.acked.add(key)
                last_key = key
        except (ConnectionError, OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            connection.close()
            phase.errors[type(exc).__name__] = phase.errors.get(type(exc).__name__, 0) + 1
            continue
        phase.latencies.append(time.perf_counter() - started)
        if status != 200:
            phase.errors[status] = phase.errors.get(status, 0) + 1
    connection.close()


def run_phase(port: int, kind: str, name: str, district: District, seconds: float) -> Phase:
    phase = Phase(name)
    prefix = f"bench{district.tag}{secrets.token_hex(2)}"

    async def main() -> None:
        stop_at = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(*[_client(port, phase, stop_at, kind,
                                       district.links[i % len(district.links)] if district.links else None,
                                       district.probe, prefix, i) for i in range(CLIENTS)])
        phase.elapsed = time.perf_counter() - started

    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
    print(f"  {name}：{phase.rps:.0f} 次/秒，p50 {_ms(_percentile(phase.latencies, 50))}，"
          f"p99 {_ms(_percentile(phase.latencies, 99))}，共 {len(phase.latencies)} 次"
          + (f"，错误 {phase.errors}" if phase.errors else ""), flush=True)
    return phase


def burst(district: District) -> None:
    from django.db import connection

    from sanshe.monitoring.models import CheckIn

    prepare_burst(district)
    connection.close()  # the server writes now; this process only reads afterwards
    from django.conf import settings

    mode = os.environ.get("SERVE_MODE") or ("split" if settings.REDIS_URL else "single")
    layout = ("granian WSGI 2 进程 × 4 线程 + uvicorn（生产部署方式，有 REDIS_URL）" if mode == "split"
              else "uvicorn 单进程（make run 方式，无 REDIS_URL）")
    print(f"早高峰打卡（{CLIENTS} 个并发客户端，每项 {SECONDS:g} 秒；manage.py serve：{layout}）：", flush=True)
    server = Server()
    try:
        # Warm the workers (imports, first connections) before measuring.
        run_phase(server.port, "json", "预热", district, 3)
        bare = run_phase(server.port, "json", "空 JSON 视图", district, SECONDS)
        insert = run_phase(server.port, "insert", "单次插入视图（打卡表一行）", district, SECONDS)
        checkin = run_phase(server.port, "checkin", "健康打卡（个人链接，完整流程）", district, SECONDS)
    finally:
        server.stop()
    prefix_rows = CheckIn.objects.filter(idempotency_key__in=list(checkin.sent)).values_list("idempotency_key",
                                                                                            flat=True)
    stored = list(prefix_rows)
    stored_set = set(stored)
    lost = len(checkin.acked - stored_set)
    duplicated = len(stored) - len(stored_set)
    print(f"  打卡/单次插入 = {checkin.rps / insert.rps:.2f}（目标 ≥ 0.5）；打卡/空 JSON = {checkin.rps / bare.rps:.2f}",
          flush=True)
    print(f"  确认成功 {len(checkin.acked)} 条（其中重发 {checkin.retries} 次同一提交），入库 {len(stored)} 条："
          f"丢失 {lost}，重复 {duplicated}", flush=True)
    if lost or duplicated:
        raise AssertionError("check-ins lost or duplicated")


def main() -> None:
    from django.core.management import call_command
    from django.db import connection

    # As `make run` does before serving: pages reference the hashed static files of the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"数据库：{connection.vendor}；{PEOPLE} 人随访中", flush=True)
    district = build_district(PEOPLE)
    morning(district)
    time_pages(district)
    burst(district)
