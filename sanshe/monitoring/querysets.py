"""Scoping for screening and monitoring: every model answers `for_actor(actor, action)` over MonitoringScope."""

from __future__ import annotations

from typing import Self

from django.db.models import Q

from sanshe.core.querysets import ScopedQuerySet

from .policies import MonitoringScope, monitoring_scope

URGENT = 2  # sanshe.rules.redflags.Level.URGENT, kept as a number so this module imports no rules


def _or(*conditions: Q | None) -> Q | None:
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    result = present[0]
    for condition in present[1:]:
        result |= condition
    return result


class MonitoringQuerySet(ScopedQuerySet):
    """Like every ScopedQuerySet, but the filter reads the user's MonitoringScope (role-aware grants).

    The core Scope keys grants by the platform's capabilities; health data needs its own, narrower
    grants (medical volunteers, for instance, hold none of the core ones). Subclasses implement
    `scope_filter(scope: MonitoringScope, action)`; deny by default.
    """

    def for_actor(self, actor, action: str = "view") -> Self:
        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        condition = self.scope_filter(monitoring_scope(actor), action)
        if condition is None:
            return self.none()
        return self.filter(condition)

    def scope_filter(self, scope: MonitoringScope, action: str) -> Q | None:  # type: ignore[override]
        return None


def _own(scope: MonitoringScope, path: str = "person_id") -> Q | None:
    return Q(**{path: scope.person_id}) if scope.person_id else None


class QuarantinePeriodQuerySet(MonitoringQuerySet):
    def scope_filter(self, scope, action):
        if action == "view":
            return _or(scope.place_q("monitoring.view"), _own(scope))
        if action == "change":
            return scope.place_q("monitoring.record")
        if action == "shorten":
            return scope.place_q("monitoring.shorten")
        return None


class FollowUpQuerySet(MonitoringQuerySet):
    def scope_filter(self, scope, action):
        if action == "view":
            return _or(scope.place_q("monitoring.view"), _own(scope))
        if action == "record":
            return scope.place_q("monitoring.record")
        return None


class CheckInQuerySet(MonitoringQuerySet):
    def scope_filter(self, scope, action):
        if action != "view":
            return None
        medical = None
        if scope.communities("monitoring.alerts_medical"):
            from .models import Alert

            # Medical volunteers see the readings behind the urgent and emergency alerts they may handle.
            medical = Q(pk__in=Alert.objects.filter(
                community_id__in=scope.communities("monitoring.alerts_medical"), level__gte=URGENT,
                check_in__isnull=False).values("check_in_id"))
        return _or(scope.place_q("monitoring.view"), _own(scope), medical)


class AlertQuerySet(MonitoringQuerySet):
    def scope_filter(self, scope, action):
        if action not in {"view", "handle"}:
            return None
        medical = None
        if scope.communities("monitoring.alerts_medical"):
            medical = Q(community_id__in=scope.communities("monitoring.alerts_medical"), level__gte=URGENT)
        return _or(scope.place_q("monitoring.alerts"), medical)


class ScreeningRoundQuerySet(MonitoringQuerySet):
    def scope_filter(self, scope, action):
        capability = {"view": "monitoring.view", "work": "monitoring.record", "change": "monitoring.record"}.get(action)
        if capability is None:
            return None
        condition = None
        if scope.communities(capability):
            condition = Q(community_id__in=scope.communities(capability))
        buildings = scope.buildings(capability)
        if buildings:
            from sanshe.places.models import Building

            # A steward works their own buildings of a round, and may start or close a round of them.
            steward = Q(building_id__in=buildings)
            if action != "change":
                steward |= Q(building__isnull=True, compound__isnull=True,
                             community_id__in=Building.objects.filter(pk__in=buildings).values("community_id"))
                steward |= Q(building__isnull=True, compound_id__in=Building.objects.filter(
                    pk__in=buildings).values("compound_id"))
            condition = _or(condition, steward)
        return condition


class ScreeningEntryQuerySet(MonitoringQuerySet):
    def scope_filter(self, scope, action):
        capability = {"view": "monitoring.view", "change": "monitoring.record"}.get(action)
        return scope.place_q(capability) if capability else None


class DailyFiguresQuerySet(MonitoringQuerySet):
    def scope_filter(self, scope, action):
        return scope.place_q("monitoring.indicators") if action == "view" else None
