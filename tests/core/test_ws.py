"""The ping WebSocket through the real ASGI application: origin check, session auth, echo."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from sanshe.asgi import application
from tests.factories import UserFactory

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def _ping(headers: list[tuple[bytes, bytes]]) -> tuple[bool, object, dict | None]:
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=headers)
    connected, detail = await communicator.connect()
    reply = None
    if connected:
        await communicator.send_json_to({"echo": "你好"})
        reply = await communicator.receive_json_from()
        await communicator.disconnect()
    return connected, detail, reply


@pytest.mark.django_db(transaction=True)
def test_logged_in_user_gets_pong():
    user = UserFactory()
    connected, _detail, reply = async_to_sync(_ping)([ORIGIN, (b"cookie", _session_cookie(user))])
    assert connected
    assert reply == {"type": "pong", "echo": "你好"}


@pytest.mark.django_db(transaction=True)
def test_anonymous_socket_is_closed_with_4401():
    connected, code, _reply = async_to_sync(_ping)([ORIGIN])
    assert not connected
    assert code == 4401


@pytest.mark.django_db(transaction=True)
def test_foreign_origin_is_refused_even_with_a_session():
    user = UserFactory()
    connected, _code, _reply = async_to_sync(_ping)([(b"origin", b"https://evil.example.com"),
                                                     (b"cookie", _session_cookie(user))])
    assert not connected
