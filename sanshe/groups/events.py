"""Event streams: sequence numbers, payloads, and the fan-out over the channel layer after commit.

Every group has one stream (its main chat) and every private thread its own. A stream's `last_seq` is
bumped with an UPDATE on its row, which holds the row lock until commit, so sequence numbers of one
stream commit in order; a client that has seen seq N and asks for "everything after N" misses nothing and
receives nothing twice. Pushes go out only from `transaction.on_commit`; a push that is lost (a process
restart, a phone asleep) is repaired by the client's catch-up on its last seq.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from sanshe.core.realtime import channel_name, layer_send

from .models import ChatEvent, EventKind, Group, Message, MessageStatus, PrivateThread

logger = logging.getLogger(__name__)

EXCERPT_CHARS = 60


def group_channel(group_id: int) -> str:
    return channel_name("group", group_id)


def thread_channel(thread_id: int) -> str:
    return channel_name("thread", thread_id)


def user_channel(user_id: int) -> str:
    return channel_name("user", user_id)


def stream_key(message_or_event) -> str:
    """"g12" for a group's main stream, "t5" for a private thread."""
    thread_id = message_or_event.thread_id
    return f"t{thread_id}" if thread_id else f"g{message_or_event.group_id}"


def next_seq(*, group: Group, thread: PrivateThread | None = None) -> int:
    """Reserve the stream's next sequence number (row-locked until the transaction ends)."""
    model, pk = (PrivateThread, thread.pk) if thread is not None else (Group, group.pk)
    if connection.vendor in ("sqlite", "postgresql"):
        # One round trip on the hot path: UPDATE … RETURNING (SQLite ≥ 3.35, PostgreSQL).
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq", [pk])
            seq = cursor.fetchone()[0]
    else:
        model.objects.filter(pk=pk).update(last_seq=F("last_seq") + 1)
        seq = model.objects.filter(pk=pk).values_list("last_seq", flat=True).get()
    if thread is not None:
        thread.last_seq = seq
    else:
        group.last_seq = seq
    return seq


def event_append(*, group: Group, kind: str, thread: PrivateThread | None = None,
                 message: Message | None = None) -> ChatEvent:
    """Add one event to the stream (inside the caller's transaction)."""
    seq = next_seq(group=group, thread=thread)
    return ChatEvent.objects.create(group=group, thread=thread, seq=seq, kind=kind, message=message)


def sender_name(message: Message, nicknames: dict[int, str] | None = None) -> str:
    if message.sender_id is None:
        return "系统消息"
    if nicknames and message.sender_id in nicknames:
        return nicknames[message.sender_id]
    return str(message.sender)


def message_payload(message: Message, *, nicknames: dict[int, str] | None = None,
                    roles: dict[int, str] | None = None, mention_ids: list[int] | None = None) -> dict[str, Any]:
    """What every reader of the stream receives for a message. No risk data: that goes to staff only."""
    created = timezone.localtime(message.published_at or message.created_at)
    payload: dict[str, Any] = {
        "id": message.pk,
        "seq": message.seq,
        "client_id": message.client_id,
        "kind": message.kind,
        "status": message.status,
        "body": message.body,
        "sender_id": message.sender_id,
        "sender": sender_name(message, nicknames),
        "sender_role": (roles or {}).get(message.sender_id, ""),
        "time": f"{created:%H:%M}",
        "date": f"{created:%Y-%m-%d}",
        "mentions": mention_ids if mention_ids is not None else (
            [u.pk for u in message.mentions.all()] if message.pk else []),
        "image": None,
        "reply_to": None,
    }
    if message.status == MessageStatus.HELD:
        from .chat.services import held_label  # what the sender (the only member who sees it) is told

        payload["held_note"] = held_label(message)
        # Private data: the sender may move the text into a private thread with a helper in one tap.
        payload["move_private"] = "private_data" in (message.held_categories or [])
    if message.image_id:
        image = message.image
        payload["image"] = {
            "url": reverse("groups:image", args=[message.group_id, message.image_id]),
            "width": image.width, "height": image.height,
        }
    if message.reply_to_id:
        quoted = message.reply_to
        visible = quoted.status == MessageStatus.PUBLISHED
        payload["reply_to"] = {
            "id": quoted.pk,
            "sender": sender_name(quoted, nicknames),
            "excerpt": (quoted.body[:EXCERPT_CHARS] or "[图片]") if visible else "该消息已被移除",
        }
    return payload


def event_payload(event: ChatEvent, *, group: Group, nicknames: dict[int, str] | None = None,
                  roles: dict[int, str] | None = None, mention_ids: list[int] | None = None) -> dict[str, Any]:
    """One stream event as the client receives it (live or on catch-up)."""
    base = {"stream": stream_key(event), "seq": event.seq}
    message = event.message
    if event.kind == EventKind.MESSAGE and message is not None and message.status == MessageStatus.PUBLISHED:
        return {**base, "kind": "message", "message": message_payload(message, nicknames=nicknames, roles=roles,
                                                                      mention_ids=mention_ids)}
    if event.kind in (EventKind.MESSAGE, EventKind.MESSAGE_REMOVED):
        return {**base, "kind": "message_removed", "message_id": event.message_id}
    if event.kind == EventKind.ANNOUNCEMENT:
        return {**base, "kind": "announcement", "text": group.announcement}
    return {**base, "kind": event.kind}


def _send(channel_group: str, payload: dict[str, Any]) -> None:
    layer_send(channel_group, payload)


def push_after_commit(channel_group: str, data: dict[str, Any]) -> None:
    """Send `data` to everyone listening on `channel_group` once the current transaction commits."""
    transaction.on_commit(lambda: _send(channel_group, {"type": "groups.push", "data": data}))


def push_event_after_commit(event: ChatEvent, *, group: Group, nicknames: dict[int, str] | None = None,
                            roles: dict[int, str] | None = None, mention_ids: list[int] | None = None) -> None:
    """Fan a stream event out after commit, with the payload built now from what the transaction wrote.

    Callers that already hold the sender's nickname and role (a send) pass them in: no extra query.
    """
    if nicknames is None:
        from .chat.selectors import stream_names

        user_ids = set()
        if event.message is not None:
            user_ids.add(event.message.sender_id)
            if event.message.reply_to_id:
                user_ids.add(event.message.reply_to.sender_id)
        nicknames, roles = stream_names(group=group, user_ids=user_ids)
    data = event_payload(event, group=group, nicknames=nicknames, roles=roles, mention_ids=mention_ids)
    channel = thread_channel(event.thread_id) if event.thread_id else group_channel(event.group_id)
    transaction.on_commit(lambda: _send(channel, {"type": "groups.push", "data": data}))
