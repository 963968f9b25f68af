"""Periodic kernel work on huey: the audit log's retention purge."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(hour="3", minute="40"))
@lock_task("audit-purge")
def audit_purge_task() -> int:
    """Daily: delete audit events past AUDIT_RETENTION_DAYS (at least 183 days are always kept)."""
    from .audit import audit_purge

    return audit_purge()
