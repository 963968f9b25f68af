"""Background roster work on huey: reminders before shifts, closing forgotten check-outs, text messages."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger("sanshe.rosters")
REMINDER_HORIZON = timedelta(hours=24)


def sms_queue(user_ids: list[int], text: str) -> int:
    """Text each active user with a phone on file through the notify layer's outbox (in the caller's
    transaction; sent after commit). Returns how many texts were queued."""
    from sanshe.core.notify.models import Channel, Delivery
    from sanshe.core.notify.services import notify_send

    notes = notify_send(recipients=user_ids, kind="rosters.notice", title=text.removeprefix("【三社】"),
                        sms_text=text, channels=(Channel.SMS,))
    return Delivery.objects.filter(notification__in=notes, channel=Channel.SMS).count()


@db_task()
def sms_send(user_ids: list[int], text: str) -> int:
    """Kept for tasks queued before the notify layer: queue the texts through it."""
    return sms_queue(user_ids, text)


def send_shift_reminders(*, now=None) -> int:
    """Remind everyone whose shift starts within their organisation's reminder time (once per assignment)."""
    from .models import Assignment, AssignmentStatus, RosterPolicy, ShiftStatus
    from .services import _notify, _shift_label

    now = now or timezone.now()
    rows = list(Assignment.objects.filter(status=AssignmentStatus.ACTIVE, reminded_at__isnull=True,
                                          shift__status=ShiftStatus.OPEN, shift__starts_at__gt=now,
                                          shift__starts_at__lte=now + REMINDER_HORIZON)
                .select_related("shift__group"))
    minutes = dict(RosterPolicy.objects.filter(organisation_id__in={a.shift.group.organisation_id for a in rows})
                   .values_list("organisation_id", "reminder_minutes"))
    due = [a for a in rows
           if a.shift.starts_at <= now + timedelta(minutes=minutes.get(a.shift.group.organisation_id, 60))]
    for assignment in due:
        with transaction.atomic():
            claimed = Assignment.objects.filter(pk=assignment.pk, reminded_at__isnull=True).update(reminded_at=now)
            if not claimed:
                continue  # another worker reminded them already
            text = _("值班提醒：%(shift)s，请提前上线并签到。") % {"shift": _shift_label(assignment.shift)}
            _notify([assignment.user_id], text, kind="reminder", shift=assignment.shift,
                    url=reverse("rosters:shift_detail", args=[assignment.shift_id]), sms=True)
    return len(due)


@db_periodic_task(crontab(minute="*/5"))
def shift_reminders_periodic() -> None:
    """Every five minutes: reminders for shifts about to begin."""
    sent = send_shift_reminders()
    if sent:
        logger.info("shift reminders sent: %d", sent)


@db_periodic_task(crontab(minute="*/15"))
def forgotten_check_outs_periodic() -> None:
    """Every quarter hour: close check-ins left open an hour past the shift's end (hours then await approval)."""
    from .services import close_forgotten_check_outs

    closed = close_forgotten_check_outs()
    if closed:
        logger.info("forgotten check-outs closed: %d", closed)
