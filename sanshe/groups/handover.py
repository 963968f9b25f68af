"""Alerts handed over to a crisis: one acknowledgement, one escalation chain, one state shown everywhere.

When a crisis is started from a chat risk alert (sanshe.crisis), the alert is linked to it
(`RiskAlert.crisis_id`). From then on the alert has no acknowledgement or escalation of its own:
  - the crisis's chain escalates; the alert's chain stops (its deadline is cleared);
  - acknowledging the crisis acknowledges the alert (sanshe.crisis calls `alerts.services.alerts_follow_crisis`),
    and acknowledging the alert acknowledges the crisis (through the handler registered here), in one
    transaction, each audited;
  - the alerts page, the chat marker and the crisis page show the crisis's own status label.
The crisis feature registers its handler in its AppConfig.ready, so groups never imports it (the crisis
feature is built on groups); without it installed, no alert is ever linked and every alert keeps its own state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class CrisisState:
    """What an alert's reader is shown of the crisis that carries it."""

    crisis_id: int
    status: str              # "open" | "acknowledged" | "closed" (the crisis's own codes)
    status_label: str        # the crisis page's own words: 待确认 / 处置中 / 已结束
    escalation_step: int
    acknowledged_by: str
    url: str | None          # the crisis page, when the reader may open it


class CrisisHandler(Protocol):
    def acknowledge(self, *, actor, crisis_id: int, alert_id: int, now: datetime) -> None:
        """Acknowledge the crisis because `actor` acknowledged one of its alerts."""

    def states(self, *, actor, crisis_ids: set[int]) -> dict[int, CrisisState]:
        """The state of each crisis, with its page's URL when `actor` may open it."""


_handler: CrisisHandler | None = None


def register(handler: CrisisHandler) -> None:
    global _handler
    _handler = handler


def handler() -> CrisisHandler | None:
    return _handler


def crisis_states(*, actor, alerts) -> dict[int, CrisisState]:
    """Alert id → the state of the crisis carrying it, for the linked ones among `alerts`."""
    linked = {a.pk: a.crisis_id for a in alerts if a.crisis_id}
    if not linked or _handler is None:
        return {}
    states = _handler.states(actor=actor, crisis_ids=set(linked.values()))
    return {alert_id: states[crisis_id] for alert_id, crisis_id in linked.items() if crisis_id in states}
