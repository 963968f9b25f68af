"""Scoping for the library: what a staff member may see, edit and review (see policies.py for why)."""

from __future__ import annotations

from django.db.models import Q

from sanshe.accounts.roles import STAFF_ROLES
from sanshe.core.querysets import ScopedQuerySet

VISIBLE_TO_ALL_STAFF = ("published", "retired", "merged")


def reviewable_q(scope) -> Q | None:
    """Entries in the fields the scope reviews, or None when it reviews nothing."""
    from .policies import review_fields

    fields = review_fields(scope)
    if not fields:
        return None
    named = [f for f in fields if f is not None]
    condition = Q(category__field__in=named)
    if None in fields:
        condition |= Q(category__isnull=True)
    return condition


class EntryQuerySet(ScopedQuerySet):
    """Actions: "view" (read), "edit" (change the text), "review" (publish, retire, merge, edit anything)."""

    def scope_filter(self, scope, action):
        if not scope.roles & STAFF_ROLES:
            return None
        review = reviewable_q(scope)
        own_draft = Q(created_by_id=scope.user_id, status="draft")
        if action == "view":
            condition = Q(status__in=VISIBLE_TO_ALL_STAFF) | own_draft
            return condition | review if review is not None else condition
        if action == "edit":
            return own_draft | review if review is not None else own_draft
        if action == "review":
            return review
        return None

    def published(self, *, today) -> EntryQuerySet:
        """Published and still valid on `today` (what residents and suggestions may see)."""
        return self.filter(status="published", valid_until__gte=today)
