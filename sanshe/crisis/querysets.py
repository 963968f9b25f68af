"""Scoping for crises: the community's social workers, the serving organisations' admins, the alerted."""

from __future__ import annotations

from typing import Self

from django.db.models import Exists, OuterRef, Q

from sanshe.core.querysets import ScopedQuerySet

from .policies import CrisisScope, crisis_scope


class CrisisQuerySet(ScopedQuerySet):
    """Actions: `view` (the crisis page and list) and `respond` (acknowledge, checklist, notes, close)."""

    def for_actor(self, actor, action: str = "view") -> Self:
        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        condition = self.scope_filter(crisis_scope(actor), action)
        return self.none() if condition is None else self.filter(condition)

    def scope_filter(self, scope: CrisisScope, action: str) -> Q | None:  # type: ignore[override]
        if action not in {"view", "respond"} or not scope.allowed:
            return None
        from .models import CrisisRecipient

        condition = Q(Exists(CrisisRecipient.objects.filter(crisis=OuterRef("pk"), user_id=scope.user_id)))
        condition |= Q(case__owner_id=scope.user_id)
        if scope.communities_view:
            condition |= Q(community_id__in=scope.communities_view)
        if scope.buildings_view:
            condition |= Q(building_id__in=scope.buildings_view)
        return condition
