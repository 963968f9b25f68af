"""Serve Sanshe: granian WSGI for HTTP, uvicorn ASGI for WebSockets, and the huey task consumer.

Two layouts (SERVE_MODE):
- "split" (the default when REDIS_URL is set): HTTP goes to a WSGI server with workers × threads and
  WebSockets to an ASGI server (see the serving measurements in STYLE.md); a reverse proxy routes /ws/
  to the ASGI port. Real-time pushes cross processes through Redis.
- "single" (the default without Redis, i.e. the laptop demo): one uvicorn process serves HTTP and
  WebSockets on the same port. The in-memory channel layer only reaches consumers in its own process,
  so a check-in posted over HTTP can push its red-flag alert to a WebSocket only when both run in one
  process; the brief's laptop demo is "SQLite, one process, no services". For the same reason huey's
  workers and scheduler run as threads of that process (sanshe.core.tasks_in_process), so escalations and
  reminders from periodic tasks reach open pages too.
This command starts the servers (and, in split mode, huey) as child processes, forwards SIGINT/SIGTERM to them, and stops
everything when one of them dies, so a supervisor (systemd, a container runtime) sees the failure.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Seconds the children get to finish in-flight requests after SIGTERM before they are killed.
SHUTDOWN_GRACE = 15
STARTUP_TIMEOUT = 60
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None


def _die_with_parent() -> None:
    """In the child: receive SIGTERM if the serve process itself is killed (Linux), so nothing is orphaned."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise CommandError(f"{name} must be a whole number, got {value!r}") from exc


class Command(BaseCommand):
    help = "Serve HTTP (granian WSGI), WebSockets (uvicorn ASGI) and background jobs (huey) together."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="bind address (HOST)")
        parser.add_argument("--port", type=int, default=None, help="HTTP port (PORT, default 8000)")
        parser.add_argument("--ws-port", type=int, default=None, help="WebSocket port (WS_PORT, default 8001)")
        parser.add_argument("--workers", type=int, default=None, help="WSGI worker processes (WEB_WORKERS, 2)")
        parser.add_argument("--threads", type=int, default=None, help="threads per worker (WEB_THREADS, 4)")
        parser.add_argument("--no-tasks", action="store_true", help="do not start the huey consumer")
        parser.add_argument("--demo-logins", action="store_true",
                            help="print the demo logins once the server answers")

    def handle(self, *args, **options) -> None:
        host = options["host"]
        port = options["port"] or _env_int("PORT", 8000)
        ws_port = options["ws_port"] or _env_int("WS_PORT", 8001)
        workers = options["workers"] or _env_int("WEB_WORKERS", 2)
        threads = options["threads"] or _env_int("WEB_THREADS", 4)
        mode = os.environ.get("SERVE_MODE") or ("split" if settings.REDIS_URL else "single")
        if mode not in {"split", "single"}:
            raise CommandError(f"SERVE_MODE must be 'split' or 'single', got {mode!r}")
        if mode == "split" and port == ws_port:
            raise CommandError("PORT and WS_PORT must differ")

        env = os.environ.copy()
        env.setdefault("DJANGO_SETTINGS_MODULE", "sanshe.settings.base")
        env["PYTHONUNBUFFERED"] = "1"
        if options["demo_logins"]:
            # The laptop demo: the console SMS backend prints one-time codes in full so they can be typed in.
            env.setdefault("SMS_CONSOLE_SHOW_CODES", "1")
        if mode == "split" and not settings.WEBSOCKET_URL:
            if host in WILDCARD_HOSTS:
                self.stderr.write(
                    "提示：监听所有地址时请设置 WEBSOCKET_URL（如 ws://192.168.1.10:8001），"
                    "或在反向代理中把 /ws/ 转发到 WebSocket 端口。")
            else:
                # No proxy in front: pages open WebSockets straight to the ASGI port.
                env["WEBSOCKET_URL"] = f"ws://{_url_host(host)}:{ws_port}"

        python = sys.executable
        # uvicorn takes X-Forwarded-For/-Proto only from a proxy on FORWARDED_ALLOW_IPS (default 127.0.0.1) and
        # walks the header from the right, as sanshe.core.context.client_ip does; with no trusted proxy the
        # headers are the client's own words and are ignored.
        proxy_headers = (["--proxy-headers"] if settings.SECURE_PROXY_SSL_HEADER and settings.TRUSTED_PROXY_COUNT
                         else ["--no-proxy-headers"])
        tasks = not options["no_tasks"] and not settings.HUEY.get("immediate")
        if mode == "single":
            ws_port = port
            if tasks:
                env["SANSHE_TASKS_IN_PROCESS"] = "1"  # started by the ASGI lifespan (sanshe/asgi.py)
            children = [Child("web", [python, "-m", "uvicorn", "sanshe.asgi:application", "--host", host, "--port",
                                      str(port), "--lifespan", "on", "--log-level", "warning", "--no-access-log"]
                              + proxy_headers)]
        else:
            children = self._split_children(python, host, port, ws_port, workers, threads, proxy_headers)
            if tasks:
                children.append(Child("tasks", [python, str(settings.BASE_DIR / "manage.py"), "run_huey"]))

        code = self._run(children, env, host, port, ws_port, workers, threads, options["demo_logins"])
        if code:
            sys.exit(code)

    def _split_children(self, python: str, host: str, port: int, ws_port: int, workers: int, threads: int,
                        proxy_headers: list[str]) -> list[Child]:
        return [
            Child("web", [python, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
                          "--workers", str(workers), "--blocking-threads", str(threads), "--no-ws",
                          "--log-level", "warning", "sanshe.wsgi:application"]),
            Child("ws", [python, "-m", "uvicorn", "sanshe.asgi:application", "--host", host, "--port",
                         str(ws_port), "--lifespan", "off", "--log-level", "warning", "--no-access-log"]
                  + proxy_headers),
        ]

    def _run(self, children: list[Child], env: dict[str, str], host: str, port: int, ws_port: int,
             workers: int, threads: int, demo_logins: bool) -> int:
        stopping = threading.Event()

        def forward(signum, frame) -> None:
            stopping.set()
            for child in children:
                if child.process and child.process.poll() is None:
                    child.process.send_signal(signum)

        previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for child in children:
                # Own session: a terminal's Ctrl-C reaches only this process, which forwards it once.
                child.process = subprocess.Popen(child.argv, env=env, cwd=settings.BASE_DIR,
                                                 start_new_session=True, preexec_fn=_die_with_parent)
            if self._wait_ready(children, sorted({(host, port), (host, ws_port)}), stopping):
                self._banner(host, port, ws_port, workers, threads, children, demo_logins,
                             tasks_in_process=env.get("SANSHE_TASKS_IN_PROCESS") == "1")
            elif not stopping.is_set() and all(c.process.poll() is None for c in children):
                self.stderr.write(f"{STARTUP_TIMEOUT} 秒内端口 {port}/{ws_port} 仍未就绪，请查看上面的日志。")
            return self._supervise(children, stopping)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _wait_ready(self, children: list[Child], addresses: list[tuple[str, int]],
                    stopping: threading.Event) -> bool:
        """Poll until both ports accept connections; False if a child died or we are stopping."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        pending = list(addresses)
        while pending and time.monotonic() < deadline:
            if stopping.is_set() or any(c.process.poll() is not None for c in children):
                return False
            address = pending[0]
            try:
                with socket.create_connection((_connect_host(address[0]), address[1]), timeout=0.5):
                    pending.pop(0)
            except OSError:
                time.sleep(0.1)
        return not pending

    def _supervise(self, children: list[Child], stopping: threading.Event) -> int:
        """Wait until every child has exited; when one exits on its own, stop the others and fail."""
        exit_code = 0
        kill_at: float | None = None
        while True:
            exited = [c for c in children if c.process.poll() is not None]  # polls every child, reaping it
            if len(exited) == len(children):
                break
            if kill_at is None and (exited or stopping.is_set()):
                if exited and not stopping.is_set():
                    first = exited[0]
                    exit_code = first.process.returncode or 1
                    self.stderr.write(f"{first.name} 进程已退出（代码 {first.process.returncode}），正在停止其他进程。")
                    stopping.set()
                    for other in children:
                        if other.process.poll() is None:
                            other.process.send_signal(signal.SIGTERM)
                kill_at = time.monotonic() + SHUTDOWN_GRACE
            if kill_at is not None and time.monotonic() > kill_at:
                for child in children:
                    if child.process.poll() is None:
                        # The whole process group: a server's own worker processes must not outlive it.
                        os.killpg(child.process.pid, signal.SIGKILL)
            time.sleep(0.2)
        return exit_code

    def _banner(self, host: str, port: int, ws_port: int, workers: int, threads: int, children: list[Child],
                demo_logins: bool, tasks_in_process: bool = False) -> None:
        if port == ws_port:
            servers = "  HTTP 与 WebSocket: uvicorn 单进程（未设置 REDIS_URL；多进程部署见 README）"
        else:
            servers = (f"  HTTP: granian WSGI {workers} 进程 × {threads} 线程；"
                       f"WebSocket: uvicorn ws://{_url_host(host)}:{ws_port}/ws/")
        lines = [
            "",
            f"三社已启动：http://{_url_host(host)}:{port}/",
            servers + ("；后台任务: huey" if tasks_in_process or any(c.name == "tasks" for c in children) else ""),
            "  按 Ctrl-C 停止。",
        ]
        if demo_logins:
            from sanshe.people.demo_community import demo_logins as read_logins
            from sanshe.people.demo_community import format_logins

            text = format_logins(read_logins())
            if text:
                lines += ["", text]
        self.stdout.write("\n".join(lines) + "\n")
        self.stdout.flush()


def _url_host(host: str) -> str:
    if host in WILDCARD_HOSTS:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _connect_host(host: str) -> str:
    if host in WILDCARD_HOSTS:
        return "127.0.0.1"
    return host
