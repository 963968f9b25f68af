"""Home-page (工作台) panel of referrals for social workers."""

from __future__ import annotations

from .policies import can_cases
from .selectors import inbox_counts


def home_social_worker(*, actor) -> dict:
    """New referrals waiting and the ones the social worker took."""
    if not can_cases(actor, "cases.inbox"):
        return {"referrals": None}
    return {"referrals": inbox_counts(actor=actor)}
