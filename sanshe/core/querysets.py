"""Scoping in one place: every scoped model's queryset answers `for_actor(actor, action)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from .gate import DirectoryScope as Scope


class ScopedQuerySet(models.QuerySet):
    """Subclasses say which rows a scope may touch by implementing `scope_filter`; they cannot skip it.

    `for_actor` is the only public way to read scoped data: it asks the one gate (sanshe.core.gate) for
    the actor's roles and places (its directory part, cached once per user object) and applies the
    subclass's filter. A subclass that forgets
    to implement `scope_filter` gets nothing back (deny by default), never everything.
    """

    def for_actor(self, actor, action: str = "view") -> Self:
        from .gate import scope_for

        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        scope = scope_for(actor).directory
        condition = self.scope_filter(scope, action)
        if condition is None:
            return self.none()
        return self.filter(condition)

    def scope_filter(self, scope: Scope, action: str) -> Q | None:
        """The rows `scope` may act on with `action`; None means none."""
        return None
