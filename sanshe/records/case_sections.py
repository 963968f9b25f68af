"""The case page's section of records and referrals out (contract: sanshe.cases.sections.CaseSection)."""

from __future__ import annotations

from sanshe.cases.sections import CaseSection

from .policies import records_scope
from .selectors import records_for_case

# Case part (sanshe.cases.CasePart) each record domain and referral-out kind belongs to; social-work records
# belong to no part (the responsible social workers see every part, assignees not those).
PART_OF_DOMAIN = {"medical": "medical", "psychological": "psychological", "general": "other"}
PART_OF_REFERRAL_KIND = {"hospital": "medical", "mental_health": "psychological", "community": "other",
                         "civil_affairs": "other"}


def case_records_context(actor, case) -> dict | None:
    """The case's records (those the viewer may read) and referrals out, with links to add one."""
    from sanshe.cases.policies import ALL_PARTS
    from sanshe.cases.selectors import case_parts_for

    scope = records_scope(actor)
    records, referrals = records_for_case(actor=actor, case=case)
    # An assignee of a part of the case sees that part's records and referrals out only.
    parts = case_parts_for(actor=actor, case=case)
    if parts != ALL_PARTS:
        records = [r for r in records if PART_OF_DOMAIN.get(r.domain) in parts]
        referrals = [r for r in referrals if PART_OF_REFERRAL_KIND.get(r.kind) in parts]
    if not (records or referrals or scope.sw_communities):
        return None
    can_sw = case.community_id in scope.sw_communities
    return {"case": case, "records": records, "referrals": referrals, "can_write": can_sw, "can_refer": can_sw}


CASE_SECTIONS = [CaseSection(template="records/_case_section.html", context=case_records_context, order=40)]
