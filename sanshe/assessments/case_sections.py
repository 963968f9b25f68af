"""The assessment section of the case page: scales with scores and bands, the latest triage, placement."""

from __future__ import annotations

from typing import Any

from sanshe.cases.policies import can_cases
from sanshe.cases.sections import CaseSection

from .selectors import case_overview


def assessments_for_case(actor, case) -> dict[str, Any] | None:
    """Shown to the case's social workers only (mental-health data, need-to-know), and only with the
    psychological part in sight (an assignee of another part sees none)."""
    from sanshe.cases.selectors import case_parts_for

    if not can_cases(actor, "cases.manage") or "psychological" not in case_parts_for(actor=actor, case=case):
        return None
    return case_overview(actor=actor, case=case)


CASE_SECTIONS = [CaseSection(template="assessments/_case_section.html", context=assessments_for_case, order=20)]
