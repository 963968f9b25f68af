"""Notify-layer fixtures: an in-memory SMS backend, and a real local HTTP server that records what it is sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from sanshe.accounts.sms import MemorySmsBackend


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox = []
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox = []


class Recorder:
    """What the server received, and a function answering each request: (method, path, query, body) →
    (status, JSON answer)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answer: Callable[[dict], tuple[int, dict]] = lambda request: (200, {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def http_server():
    """A real HTTP server on 127.0.0.1 in a thread; yields (base URL, recorder)."""
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = {"method": method, "path": parts.path, "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                       "body": json.loads(raw.decode()) if raw else None, "headers": dict(self.headers)}
            recorder.requests.append(request)
            status, answer = recorder.answer(request)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def log_message(self, *args) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recorder
    finally:
        server.shutdown()
        server.server_close()
