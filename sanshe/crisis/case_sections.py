"""The crisis section of the case page: the open crisis, or a "start crisis protocol" button; past crises. And
where a case's open crisis is, for the referral hand-off and the intake (see sanshe.cases.sections)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sanshe.cases.sections import CaseSection

from .models import CrisisDomain, CrisisResponse
from .pages import minutes_between
from .policies import can_crisis, crisis_scope

PART_OF_CRISIS_DOMAIN = {CrisisDomain.SUICIDE: "psychological", CrisisDomain.MEDICAL: "medical"}


def crisis_section(actor, case) -> dict[str, Any] | None:
    if not can_crisis(actor):
        return None
    from sanshe.cases.selectors import case_parts_for

    crises = list(CrisisResponse.objects.for_actor(actor, "view").filter(case=case)
                  .select_related("acknowledged_by").order_by("-opened_at", "-pk")[:5])
    # An assignee of a part of the case sees the crises of that part only (suicide risk: psychological).
    parts = case_parts_for(actor=actor, case=case)
    crises = [c for c in crises if PART_OF_CRISIS_DOMAIN.get(c.domain) in parts]
    open_crisis = next((c for c in crises if c.is_open), None)
    scope = crisis_scope(actor)
    can_start = case.is_open and (case.community_id in scope.communities_open or case.owner_id == actor.pk)
    if open_crisis is None and not crises and not can_start:
        return None
    now = timezone.now()
    return {
        "open_crisis": open_crisis,
        "open_minutes": minutes_between(open_crisis.opened_at, now) if open_crisis else None,
        "past_crises": [c for c in crises if not c.is_open],
        "can_start": can_start and open_crisis is None,
        "domains": CrisisDomain.choices,
    }


def open_crisis_url(actor, case) -> str:
    """The case's open crisis page, if there is one and the actor may see it; else ""."""
    from .selectors import case_open_crisis, crisis_in_scope
    from .services import crisis_url

    crisis = case_open_crisis(case_id=case.pk)
    if crisis is not None and crisis_in_scope(actor=actor, crisis_id=crisis.pk):
        return crisis_url(crisis.pk)
    return ""


CASE_OPEN_CRISIS_URL = open_crisis_url

CASE_SECTIONS = [CaseSection(template="crisis/_case_section.html", context=crisis_section, order=5)]
