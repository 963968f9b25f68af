"""The notify layer's work on the task queue: deliver after commit, retry what failed or waited."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

logger = logging.getLogger(__name__)


@db_task()
def deliver_task(delivery_ids: list[int]) -> int:
    """Send the deliveries a committed transaction queued (SMS, WeCom); returns how many went out."""
    from .models import DeliveryStatus
    from .services import delivery_attempt

    return sum(delivery_attempt(pk) == DeliveryStatus.SENT for pk in delivery_ids)


@db_periodic_task(crontab(minute="*"))
@lock_task("notify-retry")
def deliveries_retry_task() -> int:
    """Every minute: retry failed attempts whose back-off passed and texts the rate limit held back."""
    from .services import deliveries_retry_due

    sent = deliveries_retry_due()
    if sent:
        logger.info("deliveries retried and sent: %s", sent)
    return sent
