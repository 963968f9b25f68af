"""`manage.py serve` for real: granian answers HTTP, uvicorn answers WebSockets, signals stop both."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[2]
READY = "三社已启动"


def _free_ports(count: int) -> list[int]:
    """Distinct free ports: all sockets stay bound until every port is known, so none is handed out twice."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _free_port() -> int:
    return _free_ports(1)[0]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Base settings on a SQLite database of the test's own (never the DATABASE_URL one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "sanshe.settings.base", "SANSHE_VAR_DIR": str(tmp_path), **extra})
    return env


def _manage(tmp_path: Path, *args: str) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(tmp_path), check=True,
                          capture_output=True, text=True, timeout=300).stdout


def _serve(tmp_path: Path, port: int, ws_port: int, mode: str = "split") -> subprocess.Popen:
    env = _env(tmp_path, PORT=str(port), WS_PORT=str(ws_port), WEB_WORKERS="1", WEB_THREADS="2", SERVE_MODE=mode)
    return subprocess.Popen([sys.executable, "manage.py", "serve", "--no-tasks"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _read_until(process: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    """Output up to and including `marker`, or everything until the process ends or the time is up."""
    seen = b""
    fd = process.stdout.fileno()
    selector = selectors.DefaultSelector()
    selector.register(fd, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while marker.encode() not in seen and time.monotonic() < deadline:
        if not selector.select(timeout=max(deadline - time.monotonic(), 0)):
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        seen += chunk
    return seen.decode(errors="replace")


@pytest.fixture
def stop():
    started: list[subprocess.Popen] = []
    yield started.append
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("mode", ["split", "single"])
def test_serve_answers_http_and_websockets_and_stops_on_sigterm(tmp_path, stop, mode):
    """split: granian HTTP + uvicorn /ws/ on two ports; single (laptop, no Redis): uvicorn serves both."""
    _manage(tmp_path, "migrate", "--noinput", "-v", "0")
    session = _manage(tmp_path, "shell", "-c", (
        "from django.test import Client; from sanshe.accounts.models import User; c = Client(); "
        "c.force_login(User.objects.create_user('pinger')); print(c.cookies['sessionid'].value)")).split()[-1]
    port, ws_port = _free_ports(2)
    if mode == "single":
        ws_port = port
    process = _serve(tmp_path, port, ws_port, mode)
    stop(process)
    output = _read_until(process, READY)
    assert READY in output, output

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Server"] == ("granian" if mode == "split" else "uvicorn")
        assert b'"ok"' in response.read()
    # WebSockets go to uvicorn + Channels, with the session of the HTTP side.
    url, origin = f"ws://127.0.0.1:{ws_port}/ws/ping/", f"http://127.0.0.1:{port}"
    with connect(url, origin=origin, additional_headers={"Cookie": f"sessionid={session}"},
                 open_timeout=10) as ws:
        ws.send(json.dumps({"echo": "你好"}))
        assert json.loads(ws.recv(timeout=10)) == {"type": "pong", "echo": "你好"}
    with pytest.raises(InvalidStatus) as refused:  # no session: refused during the handshake
        connect(url, origin=origin, open_timeout=10)
    assert refused.value.response.status_code == 403

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    for closed in (port, ws_port):
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", closed), timeout=2):
            pass


def test_serve_stops_everything_and_fails_when_a_server_cannot_start(tmp_path, stop):
    port = _free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ws_port = taken.getsockname()[1]
        process = _serve(tmp_path, port, ws_port)
        stop(process)
        output = _read_until(process, "正在停止其他进程")
        assert process.wait(timeout=30) != 0, output
    assert "ws 进程已退出" in output
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


ESCALATION_SETUP = """
from datetime import timedelta
from django.test import Client
from django.utils import timezone
from sanshe.accounts.roles import Role
from sanshe.groups import services
from sanshe.groups.models import GroupTier, MemberRole, RiskAlert
from sanshe.groups.tasks import risk_alerts_escalate
from tests.factories import CommunityFactory, OrganisationFactory, UserFactory, grant

org = OrganisationFactory(name="社工机构"); home = CommunityFactory(name="民族社区"); org.communities.add(home)
admin = UserFactory(username="group-admin"); grant(admin, org, Role.SOCIAL_WORKER, communities=[home])
colleague = UserFactory(username="colleague"); grant(colleague, org, Role.SOCIAL_WORKER, communities=[home])
client_user = UserFactory(username="client")
group = services.group_create(actor=admin, tier=GroupTier.FOCUS, community=home, name="聚焦服务群")
services.member_add(actor=admin, group=group, user=client_user, role=MemberRole.CLIENT)
services.message_send(actor=client_user, group=group, body="我不想活了")
RiskAlert.objects.update(ack_deadline=timezone.now() + timedelta(hours=1))  # not overdue yet
c = Client(); c.force_login(colleague)
print("SESSION", c.cookies["sessionid"].value)
"""


OVERDUE = ("from datetime import timedelta; from django.utils import timezone; "
           "from sanshe.groups.models import RiskAlert; from sanshe.groups.tasks import risk_alerts_escalate; "
           "RiskAlert.objects.update(ack_deadline=timezone.now() - timedelta(minutes=1)); risk_alerts_escalate()")


def test_single_mode_runs_tasks_in_process_so_their_pushes_reach_open_pages(tmp_path, stop):
    """Without Redis, an escalation made by a huey task reaches the colleague's open page (in-memory layer)."""
    _manage(tmp_path, "migrate", "--noinput", "-v", "0")
    output = _manage(tmp_path, "shell", "-c", ESCALATION_SETUP)
    session = output.split("SESSION", 1)[1].split()[0]
    port = _free_port()
    env = _env(tmp_path, PORT=str(port), SERVE_MODE="single")
    process = subprocess.Popen([sys.executable, "manage.py", "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    stop(process)
    started = _read_until(process, READY)
    assert READY in started and "后台任务: huey" in started, started

    url, origin = f"ws://127.0.0.1:{port}/ws/notifications/", f"http://127.0.0.1:{port}"
    with connect(url, origin=origin, additional_headers={"Cookie": f"sessionid={session}"}, open_timeout=10) as ws:
        # Now nobody has acknowledged in time; queue the escalation job as the scheduler does (its own
        # every-minute run may take it first): the consumer threads inside the server run it.
        _manage(tmp_path, "shell", "-c", OVERDUE)
        deadline = time.monotonic() + 60
        pushed = None
        while pushed is None and time.monotonic() < deadline:
            message = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 1)))
            if message.get("type") == "push" and message["data"].get("kind") == "alert":
                pushed = message["data"]
        assert pushed is not None and pushed["level"] >= 6

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
