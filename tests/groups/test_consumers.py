"""The chat over WebSockets, through the real ASGI application (origin check, session auth, channel layer)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from sanshe.asgi import application
from sanshe.groups import services
from sanshe.groups.models import DutyKind, Group, GroupMember, Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def _connect(path: str, user=None):
    headers = [ORIGIN] + ([(b"cookie", await database_sync_to_async(_cookie)(user))] if user else [])
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def _push(communicator, kind: str | None = None, timeout: float = 5):
    """The next push (skipping others until one of `kind`)."""
    while True:
        data = await communicator.receive_json_from(timeout=timeout)
        if data["type"] == "push" and (kind is None or data["data"].get("kind") == kind):
            return data["data"]


def test_strangers_and_anonymous_visitors_are_refused(focus, outsider):
    async def scenario():
        _c, connected, code = await _connect(f"/ws/groups/{focus.pk}/")
        assert (connected, code) == (False, 4401)
        _c, connected, code = await _connect(f"/ws/groups/{focus.pk}/", outsider)
        assert (connected, code) == (False, 4404)
        _c, connected, code = await _connect("/ws/groups/999999/", outsider)
        assert (connected, code) == (False, 4404)

    async_to_sync(scenario)()


def test_a_message_is_saved_acknowledged_and_pushed_to_everyone_in_the_group(on_duty, resident, secretary):
    path = f"/ws/groups/{on_duty.pk}/"

    async def scenario():
        client, connected, _ = await _connect(path, resident)
        staff, connected2, _ = await _connect(path, secretary)
        assert connected and connected2
        await client.send_json_to({"type": "send", "client_id": "c-1", "body": "请问今天几点送菜？"})
        ack = await client.receive_json_from(timeout=5)
        pushed = await _push(staff)
        assert ack["type"] == "ack" and ack["status"] == "published" and ack["client_id"] == "c-1"
        assert pushed["kind"] == "message" and pushed["seq"] == ack["seq"]
        assert pushed["message"]["body"] == "请问今天几点送菜？" and pushed["message"]["sender"] == "张先生"
        assert pushed["message"]["client_id"] == "c-1"  # the sender's page reconciles its local echo
        assert "risk_level" not in pushed["message"]  # risk data never goes to the whole group
        # Sending the same client id again (a retry after a drop) is not a second message.
        await client.send_json_to({"type": "send", "client_id": "c-1", "body": "请问今天几点送菜？"})
        again = [await client.receive_json_from(timeout=5) for _ in range(2)]
        acks = [m for m in again if m["type"] == "ack"]
        assert acks and acks[0]["message_id"] == ack["message_id"]
        await client.send_json_to({"type": "ping"})
        assert await client.receive_json_from(timeout=5) == {"type": "pong"}
        await client.disconnect()
        await staff.disconnect()

    async_to_sync(scenario)()
    assert [m.body for m in Message.objects.all()].count("请问今天几点送菜？") == 1


def test_an_off_duty_volunteer_is_refused_with_the_reason(focus, medic):
    async def scenario():
        socket, connected, _ = await _connect(f"/ws/groups/{focus.pk}/", medic)
        assert connected
        await socket.send_json_to({"type": "rights"})
        rights = await socket.receive_json_from(timeout=5)
        assert rights == {"type": "rights", "can_post": False, "reason": rights["reason"]}
        assert "非值班时间" in rights["reason"]
        await socket.send_json_to({"type": "send", "client_id": "m-1", "body": "大家好"})
        refused = await socket.receive_json_from(timeout=5)
        assert refused["type"] == "refused" and refused["posting"] and "非值班时间" in refused["error"]
        await socket.disconnect()

    async_to_sync(scenario)()
    assert not Message.objects.exists()


def test_reconnecting_with_the_last_seq_gets_every_missed_event_once(on_duty, resident, secretary):
    path = f"/ws/groups/{on_duty.pk}/"

    def staff_says(text):
        return services.message_send(actor=secretary, group=Group.objects.get(pk=on_duty.pk), body=text).message

    async def scenario():
        client, _, _ = await _connect(path, resident)
        first = await database_sync_to_async(staff_says)("第一条")
        seen = (await _push(client, "message"))["seq"]
        assert seen == first.seq
        await client.disconnect()
        for text in ("第二条", "第三条", "第四条"):
            await database_sync_to_async(staff_says)(text)
        client, _, _ = await _connect(path, resident)
        await client.send_json_to({"type": "hello", "last_seq": seen})
        caught = await client.receive_json_from(timeout=5)
        assert caught["type"] == "events" and not caught["more"]
        assert [e["message"]["body"] for e in caught["events"]] == ["第二条", "第三条", "第四条"]
        seqs = [e["seq"] for e in caught["events"]]
        assert seqs == [seen + 1, seen + 2, seen + 3]
        await client.send_json_to({"type": "hello", "last_seq": seqs[-1]})
        assert (await client.receive_json_from(timeout=5))["events"] == []
        await client.disconnect()

    async_to_sync(scenario)()


def test_held_messages_reach_only_their_sender(on_duty, resident, secretary):
    path = f"/ws/groups/{on_duty.pk}/"

    async def scenario():
        client, _, _ = await _connect(path, resident)
        staff, _, _ = await _connect(path, secretary)
        await client.send_json_to({"type": "send", "client_id": "r-1", "body": "内部消息：明天封城，快囤菜"})
        replies = [await client.receive_json_from(timeout=5) for _ in range(2)]
        ack = next(r for r in replies if r["type"] == "ack")
        notice = next(r["data"] for r in replies if r["type"] == "push")
        assert ack["status"] == "held" and ack["seq"] is None and "谣言" in ack["held_reason"]
        assert notice["kind"] == "held" and notice["client_id"] == "r-1"
        assert await staff.receive_nothing(timeout=0.3)
        await client.disconnect()
        await staff.disconnect()

    async_to_sync(scenario)()


def test_a_risk_message_alerts_the_on_duty_counsellor_in_real_time(on_duty, resident, counsellor, secretary):
    path = f"/ws/groups/{on_duty.pk}/"

    async def scenario():
        client, _, _ = await _connect(path, resident)
        helper, _, _ = await _connect("/ws/notifications/", counsellor)
        await client.send_json_to({"type": "send", "client_id": "x-1", "body": "我攒了一瓶安眠药，今晚就吃"})
        assert (await client.receive_json_from(timeout=5))["status"] == "published"
        alert = await _push(helper, "alert")
        assert alert["imminent"] and alert["level"] >= 9 and alert["group_id"] == on_duty.pk
        assert any(s.startswith("方式与工具") for s in alert["signals"])
        await client.disconnect()
        await helper.disconnect()

    async_to_sync(scenario)()


def test_private_thread_messages_stay_in_the_thread(on_duty, resident, counsellor, secretary):
    thread = services.thread_open(actor=resident, group=on_duty, kind=DutyKind.PSYCHOLOGICAL)

    async def scenario():
        client, connected, _ = await _connect(f"/ws/groups/threads/{thread.pk}/", resident)
        helper, connected2, _ = await _connect(f"/ws/groups/threads/{thread.pk}/", counsellor)
        assert connected and connected2
        _s, refused, code = await _connect(f"/ws/groups/threads/{thread.pk}/", secretary)
        assert (refused, code) == (False, 4404)
        staff, _, _ = await _connect(f"/ws/groups/{on_duty.pk}/", secretary)
        await client.send_json_to({"type": "send", "client_id": "t-1", "body": "这件事我不想在群里说"})
        ack = await client.receive_json_from(timeout=5)
        received = await _push(helper, "message")
        assert received["stream"] == f"t{thread.pk}" and received["seq"] == ack["seq"] == 1
        assert await staff.receive_nothing(timeout=0.3)
        for socket in (client, helper, staff):
            await socket.disconnect()

    async_to_sync(scenario)()


def test_a_removed_member_is_disconnected(on_duty, resident, social_worker):
    async def scenario():
        client, _, _ = await _connect(f"/ws/groups/{on_duty.pk}/", resident)
        member = await database_sync_to_async(GroupMember.objects.get)(group=on_duty, user=resident)
        await database_sync_to_async(services.member_remove)(actor=social_worker, member=member, reason="多次违规")
        notice = await _push(client, "removed")
        assert notice["reason"] == "多次违规"
        assert (await client.receive_output(timeout=5))["type"] == "websocket.close"

    async_to_sync(scenario)()


def test_a_new_user_without_any_group_can_open_the_notice_socket():
    user = UserFactory()

    async def scenario():
        socket, connected, _ = await _connect("/ws/notifications/", user)
        assert connected
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
        await socket.disconnect()

    async_to_sync(scenario)()
