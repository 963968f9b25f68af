"""Background jobs for people: checking and importing uploaded household sheets, deleting forgotten uploads."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger(__name__)


def _job_and_actor(job_id: int, actor_id: int):
    from sanshe.accounts.models import User

    from .models import ImportJob

    # The task acts for the user who asked; the services re-check that user's scope on the job.
    return (ImportJob.objects.filter(pk=job_id).first(),
            User.objects.filter(pk=actor_id, is_active=True).first())


@db_task()
def household_sheet_validate_task(job_id: int, actor_id: int) -> None:
    """Dry run of an uploaded household sheet, with progress for the page."""
    from .household_sheet_services import cache_progress, household_sheet_validate

    job, actor = _job_and_actor(job_id, actor_id)
    if job is None or actor is None:
        logger.warning("household_sheet check %s skipped: job or user is gone", job_id)
        return
    household_sheet_validate(actor=actor, job=job, progress=cache_progress(job_id))


@db_task()
def household_sheet_import_task(job_id: int, actor_id: int, mode: str) -> None:
    """Import a checked household sheet the way the user chose."""
    from .household_sheet_services import cache_progress, household_sheet_import

    job, actor = _job_and_actor(job_id, actor_id)
    if job is None or actor is None:
        logger.warning("household_sheet import %s skipped: job or user is gone", job_id)
        return
    household_sheet_import(actor=actor, job=job, mode=mode, progress=cache_progress(job_id))


@db_periodic_task(crontab(minute="*/15"))
def household_sheet_files_purge_task() -> None:
    """Uploaded household sheets hold ID and phone numbers: delete those nobody imported within a day."""
    from .household_sheet_services import household_sheet_files_purge

    household_sheet_files_purge()
