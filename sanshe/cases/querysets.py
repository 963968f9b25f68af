"""Scoping for referrals: the social workers of the person's community, and the person who referred."""

from __future__ import annotations

from typing import Self

from django.db.models import Q

from sanshe.core.querysets import ScopedQuerySet

from .policies import CasesScope, cases_scope, live_assigned_parts


class ReferralQuerySet(ScopedQuerySet):
    """`view` also covers the referrer (to follow what became of it); `take`/`close` only the inbox."""

    def for_actor(self, actor, action: str = "view") -> Self:
        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        condition = self.scope_filter(cases_scope(actor), action)
        return self.none() if condition is None else self.filter(condition)

    def scope_filter(self, scope: CasesScope, action: str) -> Q | None:  # type: ignore[override]
        if action not in {"view", "take", "close"}:
            return None
        condition = None
        if scope.communities("cases.inbox"):
            condition = Q(community_id__in=scope.communities("cases.inbox"))
        if scope.buildings("cases.inbox"):
            inbox = Q(building_id__in=scope.buildings("cases.inbox"))
            condition = inbox if condition is None else condition | inbox
        if action == "view":
            mine = Q(created_by_id=scope.user_id)
            condition = mine if condition is None else condition | mine
        return condition


class CaseQuerySet(ScopedQuerySet):
    """Cases: the social workers of the client's community (`cases.manage`) and the case's owner.

    Actions: `view` (read the case page), `change` (intake, plan, status, transfer, assignment) and
    `follow_up` (add follow-up entries). Assignees of a part of the case (CaseAssignment) may view it and
    follow it up — only while their assignment holds (active role fitting the part, volunteer clearance:
    policies.live_assigned_parts), and only their part's entries (selectors.case_parts_for); everything else
    stays with the social workers (need-to-know, 六(四)).
    """

    def for_actor(self, actor, action: str = "view") -> Self:
        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        condition = self.scope_filter(cases_scope(actor), action)
        if condition is not None and action in {"view", "follow_up"}:
            # An assignee of a part (医疗/心理/其他, CaseAssignment) sees the case and writes its follow-ups.
            assigned = live_assigned_parts(actor)
            if assigned:
                condition |= Q(pk__in=sorted(assigned))
        return self.none() if condition is None else self.filter(condition)

    def scope_filter(self, scope: CasesScope, action: str) -> Q | None:  # type: ignore[override]
        if action not in {"view", "change", "follow_up"}:
            return None
        condition = Q(owner_id=scope.user_id)
        if scope.communities("cases.manage"):
            condition |= Q(community_id__in=scope.communities("cases.manage"))
        if scope.buildings("cases.manage"):
            condition |= Q(building_id__in=scope.buildings("cases.manage"))
        return condition
