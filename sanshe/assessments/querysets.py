"""Scoping: an administration, decision or placement is reachable exactly when its case is."""

from __future__ import annotations

from typing import Self

from sanshe.core.querysets import ScopedQuerySet


class CaseChildQuerySet(ScopedQuerySet):
    """Rows hanging off a case follow the case's scope (`view`, `change`: sanshe.cases.querysets)."""

    def for_actor(self, actor, action: str = "view") -> Self:
        from sanshe.cases.models import Case

        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        return self.filter(case__in=Case.objects.for_actor(actor, action).values("pk"))
