"""Background jobs for crises (huey)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("crisis-escalate")
def crises_escalate_task() -> int:
    """Every minute: crises nobody acknowledged within 5 minutes reach the next people in the chain."""
    from .services import crises_escalate_overdue

    count = crises_escalate_overdue()
    if count:
        logger.warning("crises escalated: %s", count)
    return count
