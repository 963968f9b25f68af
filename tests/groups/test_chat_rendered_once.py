"""Issue 14 item 7: one renderer for a chat message. The page, the HTTP poll, the socket's catch-up, a live push
and a marker added later all give the reader the same list item (groups/_message.html, rendered for that
reader by sanshe.groups.chat.render); the browser test compares a live and a reloaded page."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.urls import reverse

from sanshe.groups import services
from sanshe.groups.models import Group

from .test_consumers import _connect, _push

IMMINENT = "我攒了一瓶安眠药，今晚就吃了，不想活了"


def _send(user, group, body, **kwargs):
    return services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=body, **kwargs).message


def _page(client, user, group) -> str:
    client.force_login(user)
    return client.get(reverse("groups:chat", args=[group.pk])).content.decode()


def _polled(client, user, group) -> dict[int, dict]:
    client.force_login(user)
    events = client.get(reverse("groups:events", args=[group.pk]), {"after": 0}).json()["events"]
    return {e["message"]["id"]: e for e in events if e["kind"] == "message"}


@pytest.mark.django_db
def test_the_poll_gives_each_reader_the_item_their_page_shows(client, on_duty, resident, secretary, social_worker):
    opening = _send(secretary, on_duty, "各位好，服务开始。")
    reply = _send(resident, on_duty, "我想问孩子发烧的事", reply_to_id=opening.pk)
    nickname = on_duty.members.get(user=secretary).nickname
    items = {}
    for user in (resident, secretary, social_worker):
        page, polled = _page(client, user, on_duty), _polled(client, user, on_duty)
        for message in (opening, reply):
            html = polled[message.pk]["html"].strip()
            assert html.startswith('<li class="msg-row') and html in page
            items[user.username, message.pk] = html
        # The quote names the one replied to by their nickname, in the poll as on the page.
        assert polled[reply.pk]["message"]["reply_to"]["sender"] == nickname
    staff, admin, own = (items[u.username, reply.pk] for u in (secretary, social_worker, resident))
    assert "记录</a>" in staff and "应当预警" in staff and "删除" not in staff
    assert "删除" in admin
    assert not any(word in own for word in ("记录</a>", "应当预警", "删除", "举报"))
    assert "举报" in items[resident.username, opening.pk]


@pytest.mark.django_db
def test_a_marker_added_later_comes_as_the_item_a_reload_shows(client, on_duty, resident, social_worker):
    flagged = _send(resident, on_duty, IMMINENT)
    client.force_login(social_worker)
    answer = client.get(reverse("groups:flags", args=[on_duty.pk]), {"ids": str(flagged.pk)}).json()
    item = answer["messages"][str(flagged.pk)].strip()
    assert "msg-flag" in item and "missed-mark" not in item  # judged on the alerts page, not "should have alerted"
    assert item in _page(client, social_worker, on_duty)
    client.force_login(resident)
    assert client.get(reverse("groups:flags", args=[on_duty.pk]), {"ids": str(flagged.pk)}).json() == {"flags": {}}


@pytest.mark.django_db(transaction=True)
def test_a_push_and_a_catch_up_are_rendered_for_each_socket_as_its_page_would(client, on_duty, resident, secretary,
                                                                             social_worker):
    path = f"/ws/groups/{on_duty.pk}/"
    received: dict[str, list[str]] = {}

    async def scenario():
        sockets = {u.username: (await _connect(path, u))[0] for u in (resident, secretary, social_worker)}
        message = await database_sync_to_async(_send)(resident, on_duty, "楼下的药店几点开门？")
        for name, socket in sockets.items():
            pushed = await _push(socket, "message")
            await socket.send_json_to({"type": "hello", "last_seq": pushed["seq"] - 1})
            caught = await socket.receive_json_from(timeout=5)
            while caught["type"] != "events":
                caught = await socket.receive_json_from(timeout=5)
            received[name] = [pushed["html"], caught["events"][0]["html"]]
            await socket.disconnect()
        return message

    message = async_to_sync(scenario)()
    for user in (resident, secretary, social_worker):
        pushed, caught = (html.strip() for html in received[user.username])
        assert pushed == caught
        assert pushed in _page(client, user, on_duty), user.username
        assert f'id="m{message.pk}"' in pushed
    assert "记录</a>" in received[secretary.username][0] and "删除" in received[social_worker.username][0]
    assert "记录</a>" not in received[resident.username][0]


@pytest.mark.django_db
def test_a_held_message_is_answered_with_the_senders_item_over_http_and_the_socket_alike(client, on_duty, resident):
    """Both transports speak one protocol (sanshe.groups.chat.protocol): a held message's "ack" carries the
    sender's own item, the one their reloaded page shows (awaiting review)."""
    client.force_login(resident)
    answer = client.post(reverse("groups:send", args=[on_duty.pk]), {"body": "听说喝白酒可以预防新冠，大家多喝点",
                                                                      "client_id": "h-1"},
                         HTTP_ACCEPT="application/json").json()
    assert answer["type"] == "ack" and answer["status"] == "held" and answer["client_id"] == "h-1"
    item = answer["html"].strip()
    assert "held" in item and "待群管理员审核" in item
    assert item in _page(client, resident, on_duty)
    # The same request again (a flaky connection) answers with the first message, not a second one.
    again = client.post(reverse("groups:send", args=[on_duty.pk]), {"body": "听说喝白酒可以预防新冠，大家多喝点",
                                                                     "client_id": "h-1"},
                        HTTP_ACCEPT="application/json").json()
    assert again["message_id"] == answer["message_id"]


def test_the_socket_and_the_http_fallback_parse_a_send_alike():
    from django.http import QueryDict

    from sanshe.groups.chat.protocol import SendRequest

    form = QueryDict(mutable=True)
    form.update({"client_id": "c" * 50, "body": "你好", "reply_to": "12", "image_id": "x"})
    socket = {"type": "send", "client_id": "c" * 50, "body": "你好", "reply_to": 12, "image_id": None}
    assert SendRequest.parse(form) == SendRequest.parse(socket) == SendRequest(
        client_id="c" * 40, body="你好", reply_to=12, image_id=None)
