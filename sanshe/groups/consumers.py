"""WebSocket consumers: a group's or a private thread's live stream, and a user's own notifications.

Protocol (JSON both ways):
  client → {"type": "hello", "last_seq": N}      server → {"type": "events", "events": [...], "more": bool}
  client → {"type": "send", "client_id", "body", "reply_to", "image_id"}
                                                 server → {"type": "ack", ...} or {"type": "refused", ...}
  client → {"type": "read", "seq": N}            (no answer)
  client → {"type": "rights"}                    server → {"type": "rights", "can_post", "reason"}
  client → {"type": "ping"}                      server → {"type": "pong"}
  server → {"type": "push", "data": {...}}       a stream event (with "stream" and "seq") or a personal notice
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from . import events, selectors, services

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404


def _first_error(error: ValidationError) -> str:
    return error.messages[0] if error.messages else "发送失败"


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """One stream: /ws/groups/<group_id>/ or /ws/groups/threads/<thread_id>/."""

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            self.group, self.thread = await self._open(kwargs.get("group_id"), kwargs.get("thread_id"))
        except (Http404, PermissionDenied):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.stream = (events.thread_channel(self.thread.pk) if self.thread
                       else events.group_channel(self.group.pk))
        self.personal = events.user_channel(self.user.pk)
        await self.channel_layer.group_add(self.stream, self.channel_name)
        await self.channel_layer.group_add(self.personal, self.channel_name)
        await self.accept()

    async def disconnect(self, code) -> None:
        if getattr(self, "stream", None):
            await self.channel_layer.group_discard(self.stream, self.channel_name)
            await self.channel_layer.group_discard(self.personal, self.channel_name)

    @database_sync_to_async
    def _open(self, group_id, thread_id):
        if thread_id is not None:
            thread = selectors.access_thread(actor=self.user, thread_id=int(thread_id))
            return thread.group, thread
        return selectors.access_group(actor=self.user, group_id=int(group_id)), None

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "hello":
            await self.send_json(await self._catch_up(_int(content.get("last_seq"))))
        elif kind == "send":
            await self.send_json(await self._send(content))
        elif kind == "read":
            await self._read(_int(content.get("seq")))
        elif kind == "rights":
            await self.send_json(await self._rights())

    @database_sync_to_async
    def _catch_up(self, after: int) -> dict:
        rows = selectors.stream_events_after(group=self.group, thread=self.thread, after_seq=after)
        user_ids = {r.message.sender_id for r in rows if r.message_id} | {
            r.message.reply_to.sender_id for r in rows if r.message_id and r.message.reply_to_id}
        group = type(self.group).objects.get(pk=self.group.pk)  # the current announcement
        nicknames, roles = selectors.stream_names(group=group, user_ids=user_ids)
        payloads = [events.event_payload(r, group=group, nicknames=nicknames, roles=roles) for r in rows]
        return {"type": "events", "events": payloads, "more": len(rows) >= selectors.CATCH_UP_LIMIT}

    @database_sync_to_async
    def _send(self, content: dict) -> dict:
        client_id = str(content.get("client_id") or "")[:40]
        try:
            result = services.message_send(
                actor=self.user, group=type(self.group).objects.get(pk=self.group.pk), thread=self.thread,
                body=str(content.get("body") or ""), image_id=_int(content.get("image_id")) or None,
                reply_to_id=_int(content.get("reply_to")) or None, client_id=client_id,
            )
        except services.PostingRefused as error:
            return {"type": "refused", "client_id": client_id, "error": _first_error(error), "posting": True}
        except ValidationError as error:
            return {"type": "refused", "client_id": client_id, "error": _first_error(error)}
        except Http404:
            return {"type": "refused", "client_id": client_id, "error": "您已不在该群中。"}
        message = result.message
        return {"type": "ack", "client_id": client_id, "message_id": message.pk, "status": message.status,
                "seq": message.seq, "held_reason": services.held_label(message)}

    @database_sync_to_async
    def _read(self, seq: int) -> None:
        if seq > 0:
            group = type(self.group).objects.get(pk=self.group.pk)
            thread = type(self.thread).objects.get(pk=self.thread.pk) if self.thread else None
            services.read_mark(actor=self.user, group=group, seq=seq, thread=thread)

    @database_sync_to_async
    def _rights(self) -> dict:
        if self.thread is not None:
            return {"type": "rights", "can_post": True, "reason": ""}
        rights = selectors.chat_rights(actor=self.user, group=type(self.group).objects.get(pk=self.group.pk))
        return {"type": "rights", "can_post": rights.posting.allowed, "reason": rights.posting.reason}

    async def groups_push(self, event) -> None:
        data = event["data"]
        if data.get("kind") == "removed" and data.get("group_id") == self.group.pk and self.thread is None:
            await self.send_json({"type": "push", "data": data})
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.send_json({"type": "push", "data": data})


class NoticeConsumer(AsyncJsonWebsocketConsumer):
    """/ws/groups/me/: the user's own notices (risk alerts, mentions, unread changes) on any page."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.personal = events.user_channel(user.pk)
        await self.channel_layer.group_add(self.personal, self.channel_name)
        await self.accept()

    async def disconnect(self, code) -> None:
        if getattr(self, "personal", None):
            await self.channel_layer.group_discard(self.personal, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def groups_push(self, event) -> None:
        await self.send_json({"type": "push", "data": event["data"]})


def _int(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0
