"""Who may see and change which people."""

from __future__ import annotations

from django.db.models import Q

from sanshe.core.querysets import ScopedQuerySet

PEOPLE_ACTIONS = {
    "view": "people.view",
    "change": "people.change",
    "reveal": "people.reveal",
    "export": "people.export",
    "export_unmasked": "people.export_unmasked",
}


class PersonQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        capability = PEOPLE_ACTIONS.get(action)
        if capability is None:
            return None
        condition = Q(community_id__in=scope.community_ids(capability))
        buildings = scope.building_ids(capability)
        if buildings:
            condition |= Q(building_id__in=buildings)
        # Residents see themselves and their household, and may reveal their own data.
        if scope.person_id and action in {"view", "reveal"}:
            condition |= Q(pk=scope.person_id)
            if action == "view" and scope.household_id:
                condition |= Q(household_id=scope.household_id)
        return condition
