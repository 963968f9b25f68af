"""Who may do what in screening and monitoring, and where: capabilities per role over memberships.

Health data is need-to-know. Community workers (including stewards, group leaders, property staff) and
social workers screen and follow people up in the communities or buildings they cover (the guide,
六(一)2 and 六(二)1); medical volunteers see the urgent and emergency alerts of the communities they
serve, with the readings behind them; organisation admins see only figures and set the epidemic profile;
residents see their own check-ins. Shortening a quarantine needs the community's own staff.

A volunteer role reaches health data only in the organisations where the volunteer is cleared for it now
(approved, trained in the current version, current confidentiality agreement signed: sanshe.volunteers
clearance, the same gate groups use). Until then the role's capabilities are "awaiting clearance": the
pages open (the role may do this) but every list is empty and every object is out of reach (404), and
the alert socket, which reads its reach from this scope, joins nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from sanshe.accounts.roles import Role, WorkerKind
from sanshe.core import gate

# Capabilities of this feature per role; a capability applies in the communities (and, for stewards, the
# buildings) the membership covers; for organisation admins, in their organisation's communities.
MONITORING_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COMMUNITY_WORKER: frozenset({
        "monitoring.view", "monitoring.record", "monitoring.alerts", "monitoring.indicators",
    }),
    Role.SOCIAL_WORKER: frozenset({
        "monitoring.view", "monitoring.record", "monitoring.alerts", "monitoring.indicators",
    }),
    Role.MEDICAL_VOLUNTEER: frozenset({"monitoring.alerts_medical"}),
    Role.ORG_ADMIN: frozenset({"monitoring.indicators", "monitoring.profile"}),
}
# Extra capabilities by community-worker kind: the community's own staff may shorten a quarantine.
WORKER_KIND_CAPABILITIES: dict[str, frozenset[str]] = {
    WorkerKind.COMMUNITY_STAFF: frozenset({"monitoring.shorten"}),
}


@dataclass(frozen=True)
class MonitoringScope:
    """What one user may do in monitoring, as plain data (one per request, cached on the user)."""

    user_id: int
    community_grants: dict[str, frozenset[int]] = field(default_factory=dict)
    building_grants: dict[str, frozenset[int]] = field(default_factory=dict)
    person_id: int | None = None
    is_superuser: bool = False
    # Capabilities a volunteer role of the user carries but which reach nothing until they are cleared.
    awaiting_clearance: frozenset[str] = frozenset()

    def can(self, capability: str) -> bool:
        """The role may do this somewhere (awaiting clearance included: pages open, nothing is in reach)."""
        return bool(self.community_grants.get(capability) or self.building_grants.get(capability)
                    or capability in self.awaiting_clearance)

    def waits_for_clearance(self, capability: str) -> bool:
        """The user holds `capability` only through a volunteer role they are not cleared for yet."""
        return capability in self.awaiting_clearance and not (
            self.community_grants.get(capability) or self.building_grants.get(capability))

    def communities(self, capability: str) -> frozenset[int]:
        return self.community_grants.get(capability, frozenset())

    def buildings(self, capability: str) -> frozenset[int]:
        return self.building_grants.get(capability, frozenset())

    def place_q(self, capability: str, *, community: str = "community_id", building: str = "building_id") -> Q | None:
        """Rows in the communities or buildings where the user holds `capability`; None when nowhere."""
        communities, buildings = self.communities(capability), self.buildings(capability)
        if not communities and not buildings:
            return None
        condition = Q(**{f"{community}__in": communities}) if communities else Q(pk__in=[])
        if buildings:
            condition |= Q(**{f"{building}__in": buildings})
        return condition

    def covers(self, capability: str, *, community_id: int | None, building_id: int | None) -> bool:
        """Whether one place is in the user's reach for `capability` (for objects already loaded)."""
        return community_id in self.communities(capability) or (
            building_id is not None and building_id in self.buildings(capability))


def _cleared_grants(user_id: int, grants) -> tuple[tuple, frozenset[str]]:
    """The grants that count now, and the capabilities of volunteer grants dropped for want of clearance.

    A volunteer grant counts only in an organisation where its holder is cleared for that role there.
    """
    from sanshe.volunteers.clearance import VOLUNTEER_ROLE_VALUES, clearances

    roles = {g.role for g in grants if g.role in VOLUNTEER_ROLE_VALUES and MONITORING_CAPABILITIES.get(g.role)}
    if not roles:
        return tuple(grants), frozenset()
    cleared = {(role, c.organisation_id) for role in roles
               for c in clearances([user_id], role).get(user_id, []) if c.cleared}
    kept, awaiting = [], set()
    for grant in grants:
        if grant.role in roles and (grant.role, grant.organisation_id) not in cleared:
            if grant.communities or grant.buildings:
                awaiting |= MONITORING_CAPABILITIES[grant.role]
            continue
        kept.append(grant)
    return tuple(kept), frozenset(awaiting)


def build_monitoring_scope(user) -> MonitoringScope:
    from sanshe.accounts.policies import places_for, scope_for

    scope = scope_for(user)
    grants, awaiting = _cleared_grants(user.pk, scope.grants)
    communities, buildings = places_for(grants, MONITORING_CAPABILITIES, WORKER_KIND_CAPABILITIES)
    return MonitoringScope(
        user_id=user.pk,
        community_grants=communities,
        building_grants=buildings,
        person_id=scope.person_id,
        is_superuser=bool(user.is_superuser),
        awaiting_clearance=awaiting,
    )


def monitoring_scope(user) -> MonitoringScope:
    """The user's monitoring part of the gate's scope (built once per user object: one request)."""
    return gate.scope_for(user).part("monitoring")


def forget_monitoring_scope(user) -> None:
    """Drop the cached scope after a membership change in the same request (tests, admin pages)."""
    gate.forget_scope(user)


def require_monitoring(user, capability: str) -> MonitoringScope:
    """The scope if the user holds `capability` somewhere; 403 otherwise (the role cannot do this at all)."""
    gate.require(user, capability)
    return monitoring_scope(user)


def can_monitor(user, capability: str) -> bool:
    """For templates and navigation: does the user hold `capability` anywhere?"""
    return gate.can(user, capability)


def can_profile(user) -> bool:
    """Reading the deployment's epidemic profile: organisation admins and superusers (see can_edit_profile)."""
    return bool(getattr(user, "is_superuser", False)) or can_monitor(user, "monitoring.profile")


def can_edit_profile(user) -> bool:
    """Changing it: platform admins (superusers) only — one profile serves every organisation and community of
    the deployment, and its retention purges everyone's health data."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active
                and getattr(user, "is_superuser", False))
