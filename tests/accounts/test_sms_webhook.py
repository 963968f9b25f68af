"""The HTTP SMS backend posts to a real (local) gateway and reports a refusal."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from sanshe.accounts.sms import HttpSmsBackend, SmsError


class _Gateway(BaseHTTPRequestHandler):
    received: list[tuple[dict, str]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (http.server's spelling)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((json.loads(body), self.headers.get("Authorization", "")))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received = []
    _Gateway.status = 200
    settings.SMS_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_WEBHOOK_TOKEN = "relay-secret"
    yield _Gateway
    server.shutdown()
    server.server_close()


def test_message_is_posted_with_the_bearer_token(gateway):
    HttpSmsBackend().send("13907150001", "【三社】您的登录验证码是123456")
    assert gateway.received == [({"phone": "13907150001", "message": "【三社】您的登录验证码是123456"},
                                 "Bearer relay-secret")]


def test_a_refusing_gateway_raises_without_the_phone_in_clear(gateway):
    gateway.status = 503
    with pytest.raises(SmsError) as exc:
        HttpSmsBackend().send("13907150001", "x")
    assert "503" in str(exc.value) and "13907150001" not in str(exc.value)
