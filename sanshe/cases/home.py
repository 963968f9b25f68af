"""Home-page (工作台) panels: referrals and cases for social workers, 求助 for residents."""

from __future__ import annotations

from .policies import can_cases
from .selectors import case_counts, inbox_counts


def home_social_worker(*, actor) -> dict:
    """New referrals waiting and the ones the social worker took."""
    if not can_cases(actor, "cases.inbox"):
        return {"referrals": None}
    return {"referrals": inbox_counts(actor=actor)}


def home_cases(*, actor) -> dict | None:
    """The social worker's open cases and overdue follow-ups."""
    if not can_cases(actor, "cases.manage"):
        return None
    return {"cases": case_counts(actor=actor)}


def home_resident(*, actor) -> dict | None:
    """The 求助 button and the state of the resident's latest request (one query)."""
    from sanshe.accounts.policies import scope_for

    from .models import HelpRequest

    if scope_for(actor).person_id is None:
        return None
    latest = HelpRequest.objects.filter(user=actor).select_related("referral").order_by("-created_at", "-pk").first()
    return {"latest": latest}
