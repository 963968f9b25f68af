"""What the crisis page shows: the checklist in order, the people alerted, the timeline, masked phones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sanshe.cases.models import Case
from sanshe.core.pii import mask_phone

from .models import (
    STEP_ORDER,
    CrisisEscalation,
    CrisisNote,
    CrisisOutcome,
    CrisisRecipient,
    CrisisResponse,
    CrisisStep,
    EmergencyCall,
    StepKind,
)
from .policies import crisis_scope


def minutes_between(start: datetime | None, end: datetime) -> int | None:
    if start is None:
        return None
    return max(int((end - start).total_seconds() // 60), 0)


def case_url(case_id: int) -> str:
    """The case page, once the cases feature serves one."""
    try:
        return reverse("cases:case_detail", args=[case_id])
    except NoReverseMatch:
        return ""


def place_of(person) -> str:
    household = person.household
    if household is None:
        return ""
    return f"{household.building.name}-{household.unit.name}-{household.room}" if household.unit_id else household.room


def detail_context(actor, crisis: CrisisResponse, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    case = crisis.case
    person = case.person
    steps = {s.kind: s for s in CrisisStep.objects.filter(crisis=crisis).select_related("done_by")}
    checklist = [{"kind": kind.value, "label": kind.label, "done": steps.get(kind.value),
                  "is_call": kind == StepKind.EMERGENCY_CALL} for kind in STEP_ORDER]
    recipients = list(CrisisRecipient.objects.filter(crisis=crisis).select_related("user"))
    return {
        "crisis": crisis,
        "case": case,
        "person": person,
        "place": place_of(person) if person.household_id else "",
        "person_phone_masked": mask_phone(person.phone),
        "contact_name": case.emergency_contact_name or "",
        "contact_phone_masked": mask_phone(case.emergency_contact_phone),
        "community": crisis.community,
        "checklist": checklist,
        "done_count": len(steps),
        "help_confirmed": StepKind.HELP_CONFIRMED in steps,
        "recipients": recipients,
        "escalations": list(CrisisEscalation.objects.filter(crisis=crisis)),
        "notes": list(CrisisNote.objects.filter(crisis=crisis).select_related("by")),
        "outcomes": CrisisOutcome.choices,
        "calls": EmergencyCall.choices,
        "now": now,
        "minutes_open": minutes_between(crisis.opened_at, crisis.closed_at or now),
        "minutes_since_contact": minutes_between(crisis.last_contact_at, now) if crisis.is_open else None,
        "minutes_to_deadline": (max(int((crisis.ack_deadline - now).total_seconds() // 60), 0)
                                if crisis.ack_deadline and crisis.status == "open" else None),
        # Only those who may open the case (its social workers) get the link: a counsellor would meet a 404.
        "case_url": case_url(case.pk) if Case.objects.for_actor(actor, "view").filter(pk=case.pk).exists() else "",
        "can_open_crisis": crisis_scope(actor).can_open,
        "errors": {},
        "error_form": "",
        "posted": {},
    }
