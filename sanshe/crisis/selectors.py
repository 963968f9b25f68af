"""Reads of crises: the open-crisis list (most urgent, oldest first), one crisis with its response."""

from __future__ import annotations

from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When

from sanshe.core.errors import ObjectNotFound

from .models import OPEN_CRISIS_STATUSES, CrisisResponse, CrisisStatus


def access_crisis(*, actor, id: int, action: str = "view") -> CrisisResponse:
    """The crisis if the actor may `action` it; 404 for missing and out-of-scope alike."""
    crisis = (CrisisResponse.objects.for_actor(actor, action)
              .select_related("case__person__household__unit", "case__owner", "building__compound", "community",
                              "opened_by", "acknowledged_by", "closed_by")
              .filter(pk=id).first())
    if crisis is None:
        raise ObjectNotFound()
    return crisis


def crisis_in_scope(*, actor, crisis_id: int, action: str = "view") -> bool:
    return CrisisResponse.objects.for_actor(actor, action).filter(pk=crisis_id).exists()


def crisis_open_list(*, actor, limit: int = 200) -> list[CrisisResponse]:
    """Open crises in scope: unacknowledged first (then the longest overdue), then the oldest."""
    unacked_first = When_(When(status=CrisisStatus.OPEN, then=Value(0)), default=Value(1),
                          output_field=IntegerField())
    return list(CrisisResponse.objects.for_actor(actor, "view")
                .filter(status__in=OPEN_CRISIS_STATUSES)
                .select_related("case__person", "case__owner", "building", "community", "acknowledged_by")
                .annotate(unacked_first=unacked_first)
                .order_by("unacked_first", "opened_at", "pk")[:limit])


def case_open_crisis(*, case_id: int) -> CrisisResponse | None:
    """The case's open crisis, if any (for other features: e.g. a case is not closed while its crisis is open)."""
    return CrisisResponse.objects.filter(case_id=case_id, status__in=OPEN_CRISIS_STATUSES).first()
