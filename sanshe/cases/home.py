"""Home-page (工作台) panels: referrals and cases for social workers, 求助 for residents."""

from __future__ import annotations

from .policies import can_cases
from .selectors import case_counts, inbox_counts


def home_social_worker(*, actor) -> dict:
    """New referrals waiting, the ones the social worker took, their open cases and overdue follow-ups."""
    if not can_cases(actor, "cases.inbox"):
        return {"referrals": None}
    data = {"referrals": inbox_counts(actor=actor)}
    if can_cases(actor, "cases.manage"):
        data["cases"] = case_counts(actor=actor)
    return data


def home_resident(*, actor) -> dict | None:
    """The 求助 button and the state of the resident's latest request (one query)."""
    from sanshe.accounts.policies import scope_for

    from .models import HelpRequest

    if scope_for(actor).person_id is None:
        return None
    latest = HelpRequest.objects.filter(user=actor).select_related("referral").order_by("-created_at", "-pk").first()
    return {"latest": latest}
