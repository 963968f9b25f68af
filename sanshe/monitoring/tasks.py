"""Periodic and background work of monitoring, on the huey task queue (never in requests).

Every job is idempotent and passes the clock to its service, so a late or repeated run does no harm.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="1,31"))
@lock_task("monitoring-followups-generate")
def followups_generate_task() -> None:
    """Owed follow-ups for today (and, after 22:00, tomorrow), every half hour: the first run after midnight
    creates the day, the others catch up periods registered or extended since."""
    from .services import followups_generate, quarantines_complete_due

    now = timezone.now()
    today = timezone.localdate(now)
    quarantines_complete_due(now=now)
    followups_generate(day=today, now=now)
    if timezone.localtime(now).hour >= 22:
        followups_generate(day=today + timedelta(days=1), now=now)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("monitoring-deadlines")
def followups_deadline_task() -> None:
    """Missed check-ins after each deadline: remind the person, then the worker; mark lost people."""
    from .services import followups_pass_deadline

    run = followups_pass_deadline(now=timezone.now())
    if run.missed or run.lost:
        logger.info("follow-up deadlines: %s missed, %s people and %s workers reminded, %s lost",
                    run.missed, run.people_reminded, run.workers_reminded, run.lost)


@db_periodic_task(crontab(minute="*/15"))
@lock_task("monitoring-figures")
def figures_refresh_task() -> None:
    """Today's indicator figures every 15 minutes; yesterday's once more just after midnight."""
    from .services import figures_refresh

    now = timezone.now()
    today = timezone.localdate(now)
    figures_refresh(day=today, now=now)
    if timezone.localtime(now).hour == 0 and timezone.localtime(now).minute < 15:
        figures_refresh(day=today - timedelta(days=1), now=now)


@db_periodic_task(crontab(hour="3", minute="10"))
@lock_task("monitoring-purge")
def health_data_purge_task() -> None:
    """Nightly: delete health data whose retention period has passed (PIPL: deletion when the purpose ends)."""
    from .services import health_data_purge

    counts = health_data_purge(now=timezone.now())
    if any(counts.values()):
        logger.info("health data purged: %s", counts)


@db_periodic_task(crontab(minute="*"))
@lock_task("monitoring-alerts-escalate")
def alerts_escalate_task() -> int:
    """Every minute: urgent and emergency alerts nobody took within 5 minutes reach the next people."""
    from .services import alerts_escalate_overdue

    count = alerts_escalate_overdue(now=timezone.now())
    if count:
        logger.warning("monitoring alerts escalated: %s", count)
    return count
