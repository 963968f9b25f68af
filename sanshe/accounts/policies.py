"""Who may do what where: the directory's part of the user's scope (roles and places), from their memberships.

This is one part of the one `sanshe.core.gate.Scope` (registered in `accounts/capabilities.py`); it is
cached there with every other app's part, once per user object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanshe.core import gate

from .roles import CAPABILITIES, HOME_ORDER, STAFF_ROLES, Role


@dataclass(frozen=True)
class RoleGrant:
    """One active membership as plain data: a role over communities and buildings in an organisation.

    Organisation admins' communities are their organisation's. Feature apps with capability maps of
    their own derive their scopes from these (see `places_for`) instead of querying memberships again.
    """

    role: str
    worker_kind: str
    organisation_id: int
    communities: frozenset[int]
    buildings: frozenset[int]


def places_for(grants, capabilities: dict[str, frozenset[str]],
               worker_kind_capabilities: dict[str, frozenset[str]] | None = None,
               ) -> tuple[dict[str, frozenset[int]], dict[str, frozenset[int]]]:
    """(capability → community ids, capability → building ids) for a feature's own role → capability map."""
    communities: dict[str, set[int]] = {}
    buildings: dict[str, set[int]] = {}
    for grant in grants:
        held = set(capabilities.get(grant.role, frozenset()))
        if worker_kind_capabilities and grant.role == Role.COMMUNITY_WORKER:
            held |= worker_kind_capabilities.get(grant.worker_kind, frozenset())
        for capability in held:
            communities.setdefault(capability, set()).update(grant.communities)
            buildings.setdefault(capability, set()).update(grant.buildings)
    return ({k: frozenset(v) for k, v in communities.items() if v},
            {k: frozenset(v) for k, v in buildings.items() if v})


@dataclass(frozen=True)
class RoleScope:
    """The user's roles, organisations and places per capability, as plain data (the gate's "accounts" part)."""

    user_id: int
    roles: frozenset[str]
    organisation_ids: frozenset[int]
    # capability → organisation ids / community ids / building ids where the user holds it
    org_grants: dict[str, frozenset[int]] = field(default_factory=dict)
    community_grants: dict[str, frozenset[int]] = field(default_factory=dict)
    building_grants: dict[str, frozenset[int]] = field(default_factory=dict)
    person_id: int | None = None
    household_id: int | None = None
    grants: tuple[RoleGrant, ...] = ()
    # Per-request answers other features derive from this scope (e.g. volunteer clearance), filled lazily.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def can(self, capability: str) -> bool:
        """Holds the capability somewhere (in at least one community, building or organisation)."""
        return bool(
            self.org_grants.get(capability) or self.community_grants.get(capability)
            or self.building_grants.get(capability)
        )

    def community_ids(self, capability: str) -> frozenset[int]:
        return self.community_grants.get(capability, frozenset())

    def building_ids(self, capability: str) -> frozenset[int]:
        return self.building_grants.get(capability, frozenset())

    def organisation_ids_for(self, capability: str) -> frozenset[int]:
        return self.org_grants.get(capability, frozenset())

    @property
    def is_staff_member(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def home_role(self) -> str | None:
        for role in HOME_ORDER:
            if role in self.roles:
                return role
        return None


# The name the features and ScopedQuerySet.scope_filter know it by.
Scope = RoleScope


def build_role_scope(user) -> RoleScope:
    from .resident_link import person_of_user
    from .responsible import memberships_of

    memberships = (
        memberships_of(user)
        .select_related("organisation")
        .prefetch_related("communities", "buildings", "organisation__communities")
    )
    roles: set[str] = set()
    org_ids: set[int] = set()
    org_grants: dict[str, set[int]] = {}
    community_grants: dict[str, set[int]] = {}
    building_grants: dict[str, set[int]] = {}
    grants: list[RoleGrant] = []
    for membership in memberships:
        roles.add(membership.role)
        org_ids.add(membership.organisation_id)
        capabilities = CAPABILITIES.get(membership.role, frozenset())
        if membership.role == Role.ORG_ADMIN:
            communities = {c.pk for c in membership.organisation.communities.all()}
        else:
            communities = {c.pk for c in membership.communities.all()}
        buildings = {b.pk for b in membership.buildings.all()}
        grants.append(RoleGrant(role=membership.role, worker_kind=membership.worker_kind,
                                organisation_id=membership.organisation_id,
                                communities=frozenset(communities), buildings=frozenset(buildings)))
        for capability in capabilities:
            community_grants.setdefault(capability, set()).update(communities)
            building_grants.setdefault(capability, set()).update(buildings)
            if membership.role == Role.ORG_ADMIN:
                org_grants.setdefault(capability, set()).add(membership.organisation_id)
    person = person_of_user(user.pk)
    if person is not None:
        roles.add(Role.RESIDENT)
    return RoleScope(
        user_id=user.pk,
        roles=frozenset(roles),
        organisation_ids=frozenset(org_ids),
        org_grants={k: frozenset(v) for k, v in org_grants.items()},
        community_grants={k: frozenset(v) for k, v in community_grants.items()},
        building_grants={k: frozenset(v) for k, v in building_grants.items()},
        person_id=person[0] if person else None,
        household_id=person[1] if person else None,
        grants=tuple(grants),
    )


def scope_for(user) -> RoleScope:
    """The user's roles and places: the directory part of the gate's scope (once per user object)."""
    return gate.scope_for(user).directory


def forget_scope(user) -> None:
    """Drop the user's cached scope (every app's part) after a membership change in the same request."""
    gate.forget_scope(user)


def require(user, capability: str) -> RoleScope:
    """The user's roles and places if they hold `capability` anywhere; 403 otherwise (through the gate)."""
    gate.require(user, capability)
    return scope_for(user)


def primary_organisation_id(user) -> int | None:
    scope = scope_for(user)
    return min(scope.organisation_ids) if scope.organisation_ids else None
