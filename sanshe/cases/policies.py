"""Who may refer people to social workers, and whose inbox a referral lands in."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanshe.accounts.roles import Role
from sanshe.core.errors import ActionForbidden

# Capabilities of this feature per role, within the communities (stewards: buildings) a membership covers.
# Anyone who works with residents may refer; social workers take referrals in their communities (六(二)2).
CASES_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SOCIAL_WORKER: frozenset({"cases.refer", "cases.inbox", "cases.manage"}),
    Role.COMMUNITY_WORKER: frozenset({"cases.refer"}),
    Role.MEDICAL_VOLUNTEER: frozenset({"cases.refer"}),
    Role.COUNSELLOR: frozenset({"cases.refer"}),
    Role.GENERAL_VOLUNTEER: frozenset({"cases.refer"}),
}


@dataclass(frozen=True)
class CasesScope:
    user_id: int
    community_grants: dict[str, frozenset[int]] = field(default_factory=dict)
    building_grants: dict[str, frozenset[int]] = field(default_factory=dict)

    def can(self, capability: str) -> bool:
        return bool(self.community_grants.get(capability) or self.building_grants.get(capability))

    def communities(self, capability: str) -> frozenset[int]:
        return self.community_grants.get(capability, frozenset())

    def buildings(self, capability: str) -> frozenset[int]:
        return self.building_grants.get(capability, frozenset())


def cases_scope(user) -> CasesScope:
    """The user's referral scope, computed once per user object (one request's lifetime)."""
    cached = getattr(user, "_sanshe_cases_scope", None)
    if cached is not None:
        return cached
    from sanshe.accounts.policies import places_for, scope_for

    communities, buildings = places_for(scope_for(user).grants, CASES_CAPABILITIES)
    cached = CasesScope(user_id=user.pk, community_grants=communities, building_grants=buildings)
    user._sanshe_cases_scope = cached
    return cached


def require_cases(user, capability: str) -> CasesScope:
    """The scope if the user holds `capability` somewhere; 403 otherwise."""
    scope = cases_scope(user)
    if not scope.can(capability):
        raise ActionForbidden(capability)
    return scope


def can_cases(user, capability: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return cases_scope(user).can(capability)
