"""Alerts in real time: /ws/monitoring/alerts/ pushes each new or escalated alert to the staff in reach.

With Redis (REDIS_URL) the pub/sub channel layer carries alerts from the HTTP workers to this ASGI process.
Without Redis, `manage.py serve` runs HTTP and WebSockets in one process and the in-memory layer carries
them; because an in-memory layer cannot reach other processes (SERVE_MODE=split without Redis, a separate
huey worker), the consumer then also looks for new alerts in the database every few seconds. An alert
delivered both ways is sent once (the consumer remembers the last id it sent).
"""

from __future__ import annotations

import asyncio
import contextlib

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import InMemoryChannelLayer

from .notify import building_group, community_group

POLL_SECONDS = 4
URGENT = 2


class AlertConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        reach = await database_sync_to_async(self._reach)(user)
        if reach is None:
            await self.close(code=4403)
            return
        self.user = user
        self.communities, self.buildings, self.medical, self.last_id = reach
        self.sent: dict[int, int] = {}
        self.groups_joined = [community_group(c) for c in self.communities | self.medical] + \
            [building_group(b) for b in self.buildings]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.poller = None
        if isinstance(self.channel_layer, InMemoryChannelLayer):
            self.poller = asyncio.ensure_future(self._poll())

    @staticmethod
    def _reach(user):
        from .models import Alert
        from .policies import monitoring_scope

        scope = monitoring_scope(user)
        communities = scope.communities("monitoring.alerts")
        buildings = scope.buildings("monitoring.alerts")
        medical = scope.communities("monitoring.alerts_medical") - communities
        if not communities and not buildings and not medical:
            return None
        last = Alert.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return communities, buildings, medical, last

    def _allowed(self, alert: dict) -> bool:
        if alert["community_id"] in self.communities or alert["building_id"] in self.buildings:
            return True
        return alert["community_id"] in self.medical and alert["level"] >= URGENT

    def _fresh(self, alert: dict) -> bool:
        """New to this socket, or more severe than when it was last sent (an escalation)."""
        if self.sent.get(alert["id"], 0) >= alert["level"]:
            return False
        self.sent[alert["id"]] = alert["level"]
        self.last_id = max(self.last_id, alert["id"])
        return True

    async def alert_message(self, event: dict) -> None:
        alert = event["alert"]
        if self._allowed(alert) and self._fresh(alert):
            await self.send_json(alert)

    async def _poll(self) -> None:
        from .notify import alert_payload
        from .selectors import alerts_after

        def fetch(after: int) -> list[dict]:
            return [alert_payload(a) for a in alerts_after(actor=self.user, after_id=after)]

        while True:
            await asyncio.sleep(POLL_SECONDS)
            for alert in await database_sync_to_async(fetch)(self.last_id):
                if self._fresh(alert):
                    await self.send_json(alert)

    async def disconnect(self, code) -> None:
        poller = getattr(self, "poller", None)
        if poller is not None:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
