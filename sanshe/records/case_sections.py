"""The case page's section of records and referrals out (contract: sanshe.cases.sections.CaseSection)."""

from __future__ import annotations

from sanshe.cases.sections import CaseSection

from .policies import records_scope
from .selectors import records_for_case


def case_records_context(actor, case) -> dict | None:
    """The case's records (those the viewer may read) and referrals out, with links to add one."""
    scope = records_scope(actor)
    records, referrals = records_for_case(actor=actor, case=case)
    if not (records or referrals or scope.sw_communities):
        return None
    can_sw = case.community_id in scope.sw_communities
    return {"case": case, "records": records, "referrals": referrals, "can_write": can_sw, "can_refer": can_sw}


CASE_SECTIONS = [CaseSection(template="records/_case_section.html", context=case_records_context, order=40)]
