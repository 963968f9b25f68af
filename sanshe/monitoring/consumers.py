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
from channels.layers import InMemoryChannelLayer

from sanshe.core.consumers import CLOSE_FORBIDDEN, GuardedConsumer

from .notify import building_group, community_group

POLL_SECONDS = 4
URGENT = 2


class AlertConsumer(GuardedConsumer):
    """The reach is `monitoring_scope` of a freshly loaded user, recomputed on connect, before every push and
    every poll (see GuardedConsumer); a socket whose user has no reach left closes with 4403."""

    capabilities = ("monitoring.alerts", "monitoring.alerts_medical")  # the alert page's gate
    communities: frozenset[int] = frozenset()
    buildings: frozenset[int] = frozenset()
    medical: frozenset[int] = frozenset()

    def authorize(self, user) -> int | None:
        reach = self._reach(user)
        if reach is None:
            return CLOSE_FORBIDDEN
        self.communities, self.buildings, self.medical = reach
        if not hasattr(self, "last_id"):  # connecting: alerts before now are on the page already
            self.last_id = self._last_alert_id()
            self.sent: dict[int, int] = {}
        return None

    def _reach_groups(self) -> list[str]:
        return [community_group(c) for c in self.communities | self.medical] + \
            [building_group(b) for b in self.buildings]

    def channel_groups(self) -> list[str]:
        return self._reach_groups()

    async def connected(self) -> None:
        self.poller = None
        if isinstance(self.channel_layer, InMemoryChannelLayer):
            self.poller = asyncio.ensure_future(self._poll())

    async def access_refreshed(self) -> None:
        """Follow a changed reach: join the groups of places newly in reach, leave the others."""
        wanted = {*self._reach_groups()}
        current = set(self.joined[1:])  # the first is the control group
        for group in wanted - current:
            await self.channel_layer.group_add(group, self.channel_name)
        for group in current - wanted:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = [self.joined[0], *sorted(wanted)]

    @staticmethod
    def _reach(user):
        from .policies import monitoring_scope

        scope = monitoring_scope(user)
        communities = scope.communities("monitoring.alerts")
        buildings = scope.buildings("monitoring.alerts")
        medical = scope.communities("monitoring.alerts_medical") - communities
        if not communities and not buildings and not medical:
            return None
        return communities, buildings, medical

    @staticmethod
    def _last_alert_id() -> int:
        from .models import Alert

        return Alert.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

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
        if await self.still_allowed() and self._allowed(alert) and self._fresh(alert):
            await self.send_json(alert)

    async def _poll(self) -> None:
        from .notify import alert_payload
        from .selectors import alerts_after

        def fetch(after: int) -> list[dict]:
            return [alert_payload(a) for a in alerts_after(actor=self.user, after_id=after)]

        while True:
            await asyncio.sleep(POLL_SECONDS)
            if not await self.still_allowed():
                return
            for alert in await database_sync_to_async(fetch)(self.last_id):
                if self._fresh(alert):
                    await self.send_json(alert)

    async def disconnect(self, code) -> None:
        await self._stop_poller()
        await super().disconnect(code)

    async def revoke(self, code: int) -> None:
        await super().revoke(code)
        await self._stop_poller()

    async def _stop_poller(self) -> None:
        poller = getattr(self, "poller", None)
        self.poller = None
        if poller is not None and poller is not asyncio.current_task():
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
