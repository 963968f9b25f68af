"""Background jobs for cases (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/15"))
def case_followups_remind() -> int:
    """Every 15 minutes: owners of cases with overdue follow-ups are reminded (at most daily per entry)."""
    from .services import followups_remind_overdue

    return followups_remind_overdue()
