"""Home-page (工作台) panel: open crises in scope, shown first when there are any."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from .models import OPEN_CRISIS_STATUSES, CrisisResponse, CrisisStatus
from .policies import can_crisis


def home_crises(user) -> dict[str, Any] | None:
    """None (no panel) when nothing is open: a quiet home page stays quiet."""
    if not can_crisis(user):
        return None
    counts = {row["status"]: row["n"] for row in CrisisResponse.objects.for_actor(user, "view")
              .filter(status__in=OPEN_CRISIS_STATUSES).values("status").annotate(n=Count("pk")).order_by()}
    total = sum(counts.values())
    if not total:
        return None
    return {"crisis_total": total, "crisis_unacked": counts.get(CrisisStatus.OPEN, 0)}
