"""/ws/notifications/: the user's own notification socket, opened by every signed-in page (notify/live.js).

It forwards the pushes of the user's channel (sanshe.core.notify.fanout.user_channel) and takes two client
messages besides "ping":
  {"type": "delivered", "notification_id": N}   the page received notification N's push: its in-app
                                                delivery becomes "delivered" (only the recipient's own);
  {"type": "viewing", "path": "/groups/3/", "visible": true}
                                                which page is open and in view (sanshe.core.notify.presence).
The socket holds the access a page request would (sanshe.core.consumers.GuardedConsumer): re-checked before
pushes and client messages; a logged-out or deactivated user's socket closes and acknowledges nothing.
"""

from __future__ import annotations

from channels.db import database_sync_to_async

from sanshe.core.consumers import GuardedConsumer
from sanshe.core.errors import ObjectNotFound

from . import presence
from .fanout import user_channel


class NotificationConsumer(GuardedConsumer):
    viewing = ""

    def channel_groups(self) -> list[str]:
        return [user_channel(self.user_id)]

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind not in ("ping", "delivered", "viewing") or not await self.still_allowed():
            return
        if kind == "ping":
            if self.viewing:
                await database_sync_to_async(presence.viewing_set)(self.user_id, self.viewing, visible=True)
            await self.send_json({"type": "pong"})
        elif kind == "delivered":
            await self._delivered(content.get("notification_id"))
        else:
            await self._viewing(presence.clean_path(content.get("path")), bool(content.get("visible")))

    @database_sync_to_async
    def _delivered(self, notification_id) -> None:
        from .services import notification_delivered

        try:
            notification_delivered(actor=self.user, notification_id=int(notification_id))
        except (ObjectNotFound, TypeError, ValueError, OverflowError):
            return  # not theirs, or not a notification: nothing to acknowledge

    @database_sync_to_async
    def _viewing(self, path: str, visible: bool) -> None:
        if self.viewing and self.viewing != path:
            presence.viewing_set(self.user_id, self.viewing, visible=False)
        self.viewing = path if visible else ""
        presence.viewing_set(self.user_id, path, visible=visible)

    async def disconnect(self, code) -> None:
        if self.viewing:
            await database_sync_to_async(presence.viewing_set)(self.user_id, self.viewing, visible=False)
            self.viewing = ""
        await super().disconnect(code)

    async def groups_push(self, event) -> None:  # the user channel's push type (fanout.USER_PUSH)
        if await self.still_allowed():
            await self.send_json({"type": "push", "data": event["data"]})
