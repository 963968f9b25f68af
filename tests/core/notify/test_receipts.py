"""Receipts: an in-app push acknowledged by the recipient's open page becomes "delivered"; the SMS gateway's
signed status report marks a text delivered or failed; the notification socket reports the page in view."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sanshe.asgi import application
from sanshe.core.errors import ObjectNotFound
from sanshe.core.notify import presence
from sanshe.core.notify.models import Channel, Delivery, DeliveryStatus
from sanshe.core.notify.services import (
    notification_delivered,
    notification_mark_read,
    notify_send,
    notify_sms,
)
from sanshe.core.notify.sms import SIGNATURE_HEADER, status_signature
from tests.factories import UserFactory

ORIGIN = (b"origin", b"http://127.0.0.1:8000")
SECRET = "gateway-shared-secret"


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}".encode()


def _inapp(notification) -> Delivery:
    return Delivery.objects.get(notification=notification, channel=Channel.INAPP)


@pytest.fixture(autouse=True)
def _no_presence_left():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_the_recipients_page_acknowledges_a_push_and_nobody_else_can():
    worker, other = UserFactory(username="worker"), UserFactory(username="other")
    worker_cookie, other_cookie = _cookie(worker), _cookie(other)

    async def scenario():
        mine = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN, (b"cookie", worker_cookie)])
        theirs = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN, (b"cookie", other_cookie)])
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        [note] = await database_sync_to_async(notify_send)(recipients=[worker], kind="test", title="有新的转介",
                                                           url="/cases/")
        push = await mine.receive_json_from(timeout=5)
        assert push["type"] == "push" and push["data"]["notification_id"] == note.pk
        assert push["data"]["text"] == "有新的转介" and push["data"]["href"] == "/cases/"
        assert await theirs.receive_nothing(timeout=0.2)  # another user's socket never hears of it
        # Someone else acknowledging it changes nothing (the notification is not theirs: not found) …
        await theirs.send_json_to({"type": "delivered", "notification_id": note.pk})
        await theirs.send_json_to({"type": "ping"})
        assert (await theirs.receive_json_from(timeout=5))["type"] == "pong"
        assert (await database_sync_to_async(_inapp)(note)).status == DeliveryStatus.SENT
        # … the recipient's page does: delivered, with the time; acknowledging again changes nothing.
        for _ in range(2):
            await mine.send_json_to({"type": "delivered", "notification_id": note.pk})
            await mine.send_json_to({"type": "ping"})
            assert (await mine.receive_json_from(timeout=5))["type"] == "pong"
        delivery = await database_sync_to_async(_inapp)(note)
        assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at is not None
        await mine.send_json_to({"type": "delivered", "notification_id": "x" * 5})  # junk is ignored
        await mine.send_json_to({"type": "delivered", "notification_id": 10 ** 30})
        await mine.send_json_to({"type": "ping"})
        assert (await mine.receive_json_from(timeout=5))["type"] == "pong"
        await mine.disconnect()
        await theirs.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_socket_without_a_live_session_is_refused_and_acknowledges_nothing(settings):
    settings.SOCKET_RECHECK_SECONDS = 0  # every client message re-checks (the control channel is not used here)
    worker = UserFactory(username="worker")
    [note] = notify_send(recipients=[worker], kind="test", title="提醒")

    async def scenario():
        anonymous = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN])
        connected, code = await anonymous.connect()
        assert not connected and code == 4401

        cookie = _cookie(worker)
        socket = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN, (b"cookie", cookie)])
        assert (await socket.connect())[0]
        await database_sync_to_async(type(worker).objects.filter(pk=worker.pk).update)(is_active=False)
        await socket.send_json_to({"type": "delivered", "notification_id": note.pk})  # re-checked: closes
        output = await socket.receive_output(timeout=5)
        assert (output["type"], output["code"]) == ("websocket.close", 4401)

    async_to_sync(scenario)()
    assert _inapp(note).status == DeliveryStatus.SENT


def test_delivered_is_scoped_idempotent_and_never_undoes_read(db):
    worker, other = UserFactory(username="worker"), UserFactory(username="other")
    [note] = notify_send(recipients=[worker], kind="test", title="提醒")
    with pytest.raises(ObjectNotFound):
        notification_delivered(actor=other, notification_id=note.pk)
    assert _inapp(note).status == DeliveryStatus.SENT
    assert notification_delivered(actor=worker, notification_id=note.pk) is True
    assert notification_delivered(actor=worker, notification_id=note.pk) is False
    [later] = notify_send(recipients=[worker], kind="test", title="再次提醒")
    notification_mark_read(actor=worker, notification_id=later.pk)
    assert notification_delivered(actor=worker, notification_id=later.pk) is False
    assert _inapp(later).status == DeliveryStatus.READ


@pytest.mark.django_db(transaction=True)
def test_the_socket_reports_the_page_in_view_until_hidden_or_closed():
    worker = UserFactory(username="worker")
    cookie = _cookie(worker)

    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN, (b"cookie", cookie)])
        assert (await socket.connect())[0]

        async def says(message) -> None:
            await socket.send_json_to(message)
            await socket.send_json_to({"type": "ping"})
            assert (await socket.receive_json_from(timeout=5))["type"] == "pong"

        await says({"type": "viewing", "path": "/groups/7/", "visible": True})
        assert presence.is_viewing(worker.pk, "/groups/7/") and not presence.is_viewing(worker.pk, "/groups/8/")
        await says({"type": "viewing", "path": "/groups/7/", "visible": False})  # tab in the background
        assert not presence.is_viewing(worker.pk, "/groups/7/")
        await says({"type": "viewing", "path": "/groups/8/", "visible": True})
        await says({"type": "viewing", "path": "https://evil.example/groups/8/", "visible": True})  # not a path
        assert not presence.is_viewing(worker.pk, "/groups/8/")  # moved on: the old page is no longer in view
        await says({"type": "viewing", "path": "/groups/8/", "visible": True})
        assert presence.is_viewing(worker.pk, "/groups/8/")
        await socket.disconnect()
        assert not presence.is_viewing(worker.pk, "/groups/8/")

    async_to_sync(scenario)()


# ------------------------------------------------------------------------------------------- SMS receipts

def _report(client: Client, body: dict | bytes, *, secret: str | None = SECRET, signature: str | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if signature is not None:
        headers[f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}"] = signature
    elif secret is not None:
        headers[f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}"] = status_signature(raw, secret)
    return client.post(reverse("notify:sms_status"), raw, content_type="application/json", **headers)


@pytest.fixture
def gateway(settings, http_server):
    base, server = http_server
    settings.SMS_BACKEND = "sanshe.accounts.sms.HttpSmsBackend"
    settings.SMS_WEBHOOK_URL = base + "/sms"
    settings.SMS_STATUS_SECRET = SECRET
    settings.SITE_URL = "https://sanshe.example"
    server.answer = lambda request: (200, {"ok": True})
    return server


def _texted(text: str, capture) -> Delivery:
    with capture(execute=True):
        note = notify_sms(phone="13800000001", text=text, kind="test")
    return Delivery.objects.get(notification=note)


def test_the_gateways_signed_report_marks_a_text_delivered_once(db, gateway, django_capture_on_commit_callbacks):
    delivery = _texted("【三社】请打卡", django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.SENT
    [sent] = gateway.requests  # the real HTTP backend told the gateway what to report back, and where
    assert sent["body"]["reference"] == str(delivery.pk)
    assert sent["body"]["status_url"] == "https://sanshe.example/notifications/sms/status/"

    client = Client()
    answer = _report(client, {"reference": str(delivery.pk), "status": "delivered"})
    assert answer.status_code == 200 and answer.json() == {"ok": True, "changed": True}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at is not None
    # Gateways repeat reports: the same one again, or a late "failed", changes nothing.
    assert _report(client, {"reference": str(delivery.pk), "status": "delivered"}).json()["changed"] is False
    assert _report(client, {"reference": str(delivery.pk), "status": "failed"}).json()["changed"] is False
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_a_failed_report_marks_the_text_failed_with_the_gateways_reason(db, gateway,
                                                                        django_capture_on_commit_callbacks):
    delivery = _texted("【三社】请打卡", django_capture_on_commit_callbacks)
    answer = _report(Client(), {"reference": str(delivery.pk), "status": "failed", "error": "空号"})
    assert answer.status_code == 200
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == (DeliveryStatus.FAILED, "空号")


def test_reports_with_a_bad_signature_or_for_unknown_texts_are_refused(db, gateway, settings,
                                                                       django_capture_on_commit_callbacks):
    delivery = _texted("【三社】请打卡", django_capture_on_commit_callbacks)
    client = Client()
    report = {"reference": str(delivery.pk), "status": "delivered"}
    assert _report(client, report, secret=None).status_code == 403  # unsigned
    assert _report(client, report, secret="another-secret").status_code == 403
    assert _report(client, report, signature="sha256=" + "0" * 64).status_code == 403
    assert _report(client, {"reference": "999999", "status": "delivered"}).status_code == 404
    assert _report(client, {"reference": "12" * 40, "status": "delivered"}).status_code == 404
    assert _report(client, {"reference": "abc", "status": "delivered"}).status_code == 404
    assert _report(client, {"reference": str(delivery.pk), "status": "lost"}).status_code == 400
    assert _report(client, b"not json").status_code == 400
    assert client.get(reverse("notify:sms_status")).status_code == 405
    # An in-app delivery is not a text: its id is unknown here.
    worker = UserFactory(username="worker")
    [note] = notify_send(recipients=[worker], kind="test", title="提醒")
    assert _report(client, {"reference": str(_inapp(note).pk), "status": "delivered"}).status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT  # nothing above touched it
    settings.SMS_STATUS_SECRET = ""  # no secret configured: the endpoint does not exist
    assert _report(client, report, secret="").status_code == 404
