"""Scoping for crises: the community's social workers, the serving organisations' admins, the alerted."""

from __future__ import annotations

from typing import Self

from django.db.models import Exists, OuterRef, Q

from sanshe.core.querysets import ScopedQuerySet

from .policies import CrisisScope, crisis_scope, live_recipient_reasons


class CrisisQuerySet(ScopedQuerySet):
    """Actions: `view` (the crisis page and list) and `respond` (acknowledge, checklist, notes, close).

    Those responsible for the case — its owner, the community's social workers, the serving organisations'
    admins — keep the crisis after it closes. Anyone else reached by the alert (an on-duty counsellor or medic,
    a community worker at escalation) holds it only while it is open and only while the role they were alerted
    for still holds (active, and cleared for a volunteer role): policies.live_recipient_reasons.
    """

    def for_actor(self, actor, action: str = "view") -> Self:
        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        scope = crisis_scope(actor)
        condition = self.scope_filter(scope, action)
        if condition is not None:
            reasons = live_recipient_reasons(actor, scope)
            if reasons:
                from .models import OPEN_CRISIS_STATUSES, CrisisRecipient

                condition |= Q(Exists(CrisisRecipient.objects.filter(crisis=OuterRef("pk"), user_id=scope.user_id,
                                                                     reason__in=sorted(reasons))),
                               status__in=OPEN_CRISIS_STATUSES)
        return self.none() if condition is None else self.filter(condition)

    def scope_filter(self, scope: CrisisScope, action: str) -> Q | None:  # type: ignore[override]
        """The crises `scope` holds as responsible for the case (recipients are added by `for_actor`)."""
        if action not in {"view", "respond"} or not scope.allowed:
            return None
        condition = Q(case__owner_id=scope.user_id)
        if scope.communities_view:
            condition |= Q(community_id__in=scope.communities_view)
        if scope.buildings_view:
            condition |= Q(building_id__in=scope.buildings_view)
        return condition
