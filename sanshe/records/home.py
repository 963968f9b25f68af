"""Home panel data for staff who keep records (the secretary's "record this" queue and today's summaries)."""

from __future__ import annotations

from django.utils import timezone

from .policies import can_records, records_scope


def home_records(*, actor) -> dict | None:
    """Open "record this" requests and today's summary per group the user runs; None when not a records user."""
    if not can_records(actor):
        return None
    from sanshe.groups.models import Group, RecordRequest, RecordRequestStatus

    scope = records_scope(actor)
    summary_groups = sorted(scope.summary_groups())
    waiting = (RecordRequest.objects.filter(group_id__in=scope.groups("secretary", "admin", "social_worker"),
                                            status=RecordRequestStatus.OPEN).count()
               if summary_groups else 0)
    groups = list(Group.objects.filter(pk__in=summary_groups, is_archived=False).order_by("pk")[:5])
    if not groups and not waiting:
        return None
    return {"records_waiting": waiting, "records_groups": groups, "records_today": timezone.localdate()}
