"""WebSocket consumers: a group's or a private thread's live stream, and a user's own notifications.

The messages both ways, and their answers, are sanshe.groups.chat.protocol's (the HTTP fallback speaks the
same). Close codes: 4401 no live session (logged out, idle, deactivated), 4404 the stream is not (or no
longer) accessible. The client does not reconnect after either.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sanshe.core.consumers import CLOSE_NOT_FOUND, GuardedConsumer

from . import events
from .chat import protocol
from .chat import render as chat_render
from .chat import selectors as chat_selectors
from .chat import services as chat_services
from .membership import selectors as membership_selectors

# Client actions checked afresh: they return the stream's content or write to it. "read" (sent by every open
# page after each message, so as many as pushes) only moves the reader's own marker: the push's check serves.
_FRESH_ACTIONS = ("hello", "send", "rights")


class ChatConsumer(GuardedConsumer):
    """One stream: /ws/groups/<group_id>/ or /ws/groups/threads/<thread_id>/.

    Access is the chat page's (`access_group` / `access_thread`), re-checked on connect, on every client
    action and before every push; a socket that lost it closes with 4404 (4401 without a live session).
    """

    group = None
    thread = None

    def authorize(self, user) -> int | None:
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            if kwargs.get("thread_id") is not None:
                thread = chat_selectors.access_thread(actor=user, thread_id=int(kwargs["thread_id"]))
                group = thread.group
            else:
                group, thread = membership_selectors.access_group(actor=user, group_id=int(kwargs["group_id"])), None
        except (Http404, PermissionDenied):
            return CLOSE_NOT_FOUND
        self.group, self.thread = group, thread
        return None

    def _refresh_viewer(self) -> None:
        """What the reader's page shows on each message (their own, staff's, manager's actions): pushes are
        rendered for this reader (chat.render.pushed_message_html). Read once connected and again on the
        client's catch-up and rights requests, not in every access re-check (those cost what they did)."""
        if getattr(self, "language", None) is None:
            self.language = chat_render.socket_language(self.scope)
        self.viewer = chat_render.chat_viewer(user=self.user, group=self.group, thread=self.thread,
                                              language=self.language)

    def channel_groups(self) -> list[str]:
        self.stream = (events.thread_channel(self.thread.pk) if self.thread
                       else events.group_channel(self.group.pk))
        return [self.stream, events.user_channel(self.user_id)]

    async def connected(self) -> None:
        if self.thread is not None:
            # Whoever is not a participant reads the thread live from now on: audited like the page.
            await database_sync_to_async(self._audit_thread_read)()
        # Before any push is handled: Channels runs this consumer's handlers one at a time, connect first.
        await database_sync_to_async(self._refresh_viewer)()

    def _audit_thread_read(self) -> None:
        chat_services.thread_read_by_admin(actor=self.user, thread=self.thread)

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            if await self.still_allowed():
                await self.send_json({"type": "pong"})
            return
        if kind not in (*_FRESH_ACTIONS, "read") or not await self.still_allowed(fresh=kind in _FRESH_ACTIONS):
            return
        if kind == "hello":
            await self.send_json(await self._catch_up(protocol.int_field(content.get("last_seq"))))
        elif kind == "send":
            await self.touch_session()
            await self.send_json(await self._send(content))
        elif kind == "read":
            await self._read(protocol.int_field(content.get("seq")))
        elif kind == "rights":
            await self.send_json(await self._rights())

    @database_sync_to_async
    def _catch_up(self, after: int) -> dict:
        group = type(self.group).objects.get(pk=self.group.pk)  # the current announcement
        self._refresh_viewer()
        return {"type": "events", **protocol.catch_up(self.user, group=group, thread=self.thread, after_seq=after,
                                                       viewer=self.viewer)}

    @database_sync_to_async
    def _send(self, content: dict) -> dict:
        return protocol.send(self.user, group=type(self.group).objects.get(pk=self.group.pk), thread=self.thread,
                             request=protocol.SendRequest.parse(content), viewer=self.viewer)

    @database_sync_to_async
    def _read(self, seq: int) -> None:
        if seq <= 0:
            return
        group = type(self.group).objects.get(pk=self.group.pk)
        thread = type(self.thread).objects.get(pk=self.thread.pk) if self.thread else None
        protocol.read(self.user, group=group, thread=thread, seq=seq)

    @database_sync_to_async
    def _rights(self) -> dict:
        self._refresh_viewer()
        return protocol.rights(self.user, group=type(self.group).objects.get(pk=self.group.pk), thread=self.thread)

    async def groups_push(self, event) -> None:
        data = event["data"]
        removed = data.get("kind") == "removed"
        if removed and data.get("group_id") == self.group.pk and self.thread is None:
            if not self.revoked:  # tell the member why, then close
                await self.send_json({"type": "push", "data": data})
            await self.revoke(CLOSE_NOT_FOUND)
            return
        if await self.still_allowed(fresh=removed):
            if data.get("kind") == "message" and "message" in data:
                data = {**data, "html": chat_render.pushed_message_html(data, group=self.group, thread=self.thread,
                                                                         viewer=self.viewer)}
            await self.send_json({"type": "push", "data": data})
