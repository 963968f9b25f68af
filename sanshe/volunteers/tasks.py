"""Volunteers' periodic jobs (huey)."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="3", minute="20"))
@lock_task("volunteers-purge")
def rejected_applications_purge_task() -> None:
    """Nightly: delete rejected applications past their retention period (VOLUNTEER_REJECTED_RETENTION_DAYS)."""
    from .services import applications_purge_rejected

    count = applications_purge_rejected(now=timezone.now())
    if count:
        logger.info("rejected volunteer applications purged: %s", count)
