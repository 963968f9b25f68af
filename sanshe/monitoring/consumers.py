"""Alerts in real time: /ws/monitoring/alerts/ pushes each new or escalated alert to the staff in reach.

Alerts arrive pushed through the one fan-out (sanshe.core.notify.fanout: the channel-layer groups of the
alert's community and building, after commit); nothing here polls the database. A page that was away (a
phone asleep, a dropped socket) connects with `?after=<last alert id it shows>` and gets the alerts raised
since, once, on connect (catch-up); the HTTP feed (`monitoring:alert_feed`) stays the page's fallback when
WebSockets are unavailable.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from sanshe.core.consumers import CLOSE_FORBIDDEN, GuardedConsumer

from .notify import building_group, community_group

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
        if not hasattr(self, "last_id"):  # connecting: catch up from the page's last alert, else from now
            after = self._after()
            self.catch_up_from = after
            self.last_id = after if after is not None else self._last_alert_id()
            self.sent: dict[int, int] = {}
        return None

    def _after(self) -> int | None:
        values = parse_qs(self.scope.get("query_string", b"").decode()).get("after")
        try:
            return max(int(values[0]), 0) if values else None
        except ValueError:
            return None

    def _reach_groups(self) -> list[str]:
        return [community_group(c) for c in self.communities | self.medical] + \
            [building_group(b) for b in self.buildings]

    def channel_groups(self) -> list[str]:
        return self._reach_groups()

    async def connected(self) -> None:
        """Catch-up once: the alerts in reach raised after the id the page showed last."""
        if self.catch_up_from is None:
            return
        from .notify import alert_payload
        from .selectors import alerts_after

        def fetch(after: int) -> list[dict]:
            return [alert_payload(a) for a in alerts_after(actor=self.user, after_id=after)]

        for alert in await database_sync_to_async(fetch)(self.catch_up_from):
            if self._allowed(alert) and self._fresh(alert):
                await self.send_json(alert)

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
