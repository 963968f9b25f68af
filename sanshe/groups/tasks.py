"""Background jobs for groups (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def risk_alerts_escalate() -> int:
    """Every minute: alerts nobody acknowledged in time go to the next person responsible."""
    from .alerts.services import alerts_escalate_overdue

    return alerts_escalate_overdue()
