"""Scoping for the places tree: by community, or by stewarded building."""

from __future__ import annotations

from django.db.models import Q

from sanshe.core.querysets import ScopedQuerySet

# The capability each action on places needs.
PLACE_ACTIONS = {"view": "places.view", "change": "places.change"}


class PlaceQuerySet(ScopedQuerySet):
    community_path = "community_id"
    building_path: str | None = None

    def scope_filter(self, scope, action):
        capability = PLACE_ACTIONS.get(action)
        if capability is None:
            return None
        condition = Q(**{f"{self.community_path}__in": scope.community_ids(capability)})
        buildings = scope.building_ids(capability)
        if buildings and self.building_path:
            condition |= Q(**{f"{self.building_path}__in": buildings})
        if action == "view" and scope.household_id and self.household_path:
            condition |= Q(**{self.household_path: scope.household_id})
        return condition

    household_path: str | None = None


class CommunityQuerySet(PlaceQuerySet):
    community_path = "pk"


class CompoundQuerySet(PlaceQuerySet):
    community_path = "community_id"


class BuildingQuerySet(PlaceQuerySet):
    community_path = "community_id"
    building_path = "pk"


class UnitQuerySet(PlaceQuerySet):
    community_path = "building__community_id"
    building_path = "building_id"


class HouseholdQuerySet(PlaceQuerySet):
    community_path = "community_id"
    building_path = "building_id"
    household_path = "pk"
