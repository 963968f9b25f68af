"""The roster as a duty provider of the groups feature: who a shift puts on duty in a chat group.

Groups is built below the roster, so it never imports it; the roster registers this provider in
RostersConfig.ready (`sanshe.groups.duty.register_duty_provider`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q

from sanshe.groups.duty import DutyPeriod, register_duty_provider

from .duty import roster_on_duty_user_ids
from .models import Assignment, AssignmentStatus, ShiftStatus


class RosterDuty:
    """Roster shifts as group duty (sanshe.groups.duty.DutyProvider)."""

    def on_duty_user_ids(self, *, group_id: int, at: datetime) -> set[int]:
        return set(roster_on_duty_user_ids(group_id=group_id, at=at))

    def duty_periods(self, *, group_id: int, kinds: tuple[str, ...], start: datetime,
                     end: datetime) -> Iterable[DutyPeriod]:
        """Open shifts with an active assignment of `kinds` not checked out before `start`."""
        rows = Assignment.objects.filter(
            Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=start),
            shift__group_id=group_id, shift__status=ShiftStatus.OPEN, status=AssignmentStatus.ACTIVE,
            kind__in=kinds, shift__starts_at__lt=end, shift__ends_at__gt=start,
        ).values_list("user_id", "kind", "shift__starts_at", "shift__ends_at")
        return [DutyPeriod(*row) for row in rows]


def register() -> None:
    register_duty_provider("rosters", RosterDuty())
