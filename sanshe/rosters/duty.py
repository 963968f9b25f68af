"""Who the roster puts on duty: the groups app asks this to decide who may post in a consultation group."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from .models import Assignment, AssignmentStatus, ShiftStatus

EARLY_CHECK_IN = timedelta(minutes=30)
CHECK_OUT_GRACE = timedelta(hours=1)


def roster_on_duty_user_ids(*, group_id: int, at: datetime) -> set[int]:
    """Users scheduled on a shift of the group covering `at`, or checked in for one (from 30 minutes early
    until they check out, at most an hour past its end); nobody after checking out."""
    rows = Assignment.objects.filter(
        Q(shift__starts_at__lte=at, shift__ends_at__gt=at)
        | Q(checked_in_at__lte=at, shift__starts_at__lte=at + EARLY_CHECK_IN, shift__ends_at__gt=at - CHECK_OUT_GRACE),
        Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=at),
        shift__group_id=group_id, shift__status=ShiftStatus.OPEN, status=AssignmentStatus.ACTIVE,
    )
    return set(rows.values_list("user_id", flat=True))
