"""The social worker's 工作台 panel: what in assessments is waiting for a person to act."""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef, Q, Subquery

from sanshe.cases.models import OPEN_CASE_STATUSES, Case
from sanshe.cases.policies import can_cases

from .models import (
    Administration,
    AdministrationMode,
    AdministrationStatus,
    DecisionStatus,
    PlacementStatus,
    TriageDecision,
)

PANEL_LIMIT = 8


def home_assessments(*, actor) -> dict[str, Any] | None:
    """Self-fills answered since the last triage, proposals not yet decided, tier 2/3 clients not in a group."""
    if not can_cases(actor, "cases.manage"):
        return None
    last_run = (TriageDecision.objects.filter(case=OuterRef("case")).order_by("-run_at").values("run_at")[:1])
    answered = list(
        Administration.objects.for_actor(actor, "change")
        .filter(mode=AdministrationMode.SELF, status=AdministrationStatus.COMPLETED,
                case__status__in=OPEN_CASE_STATUSES)
        .annotate(last_run=Subquery(last_run))
        .filter(Q(last_run__isnull=True) | Q(last_run__lt=F("completed_at")))
        .select_related("case__person").order_by("-completed_at")[:PANEL_LIMIT])
    proposed = list(TriageDecision.objects.for_actor(actor, "change")
                    .filter(status=DecisionStatus.PROPOSED, case__status__in=OPEN_CASE_STATUSES)
                    .select_related("case__person").order_by("-engine_crisis", "-run_at")[:PANEL_LIMIT])
    unplaced = list(Case.objects.for_actor(actor, "change")
                    .filter(status__in=OPEN_CASE_STATUSES, tier__in=[2, 3])
                    .exclude(placements__status__in=[PlacementStatus.INVITED, PlacementStatus.ADDED])
                    .select_related("person").order_by("-urgency_rank", "opened_at")[:PANEL_LIMIT])
    if not (answered or proposed or unplaced):
        return None
    return {"answered": answered, "proposed": proposed, "unplaced": unplaced}
