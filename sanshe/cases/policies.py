"""Who may refer people to social workers, and whose inbox a referral lands in."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanshe.accounts.roles import Role
from sanshe.core import gate

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


def build_cases_scope(user) -> CasesScope:
    from sanshe.accounts.policies import places_for, scope_for

    communities, buildings = places_for(scope_for(user).grants, CASES_CAPABILITIES)
    return CasesScope(user_id=user.pk, community_grants=communities, building_grants=buildings)


def cases_scope(user) -> CasesScope:
    """The user's referral part of the gate's scope (built once per user object: one request)."""
    return gate.scope_for(user).part("cases")


def require_cases(user, capability: str) -> CasesScope:
    """The scope if the user holds `capability` somewhere; 403 otherwise."""
    gate.require(user, capability)
    return cases_scope(user)


def can_cases(user, capability: str) -> bool:
    return gate.can(user, capability)


def is_resident(user) -> bool:
    """Holds a resident record (asks for help through 求助)."""
    return bool(getattr(user, "is_authenticated", False) and gate.scope_for(user).directory.person_id)


def may_see_cases(user) -> bool:
    """Social workers (cases.manage) and anyone holding an open assignment of a part of a case."""
    if can_cases(user, "cases.manage"):
        return True
    memo = gate.scope_for(user).memo
    if "cases.assignee" not in memo:
        from .models import CaseAssignment

        memo["cases.assignee"] = CaseAssignment.objects.filter(assignee=user, ended_at__isnull=True).exists()
    return memo["cases.assignee"]


ALL_PARTS: frozenset[str] = frozenset({"medical", "psychological", "other"})

# Account roles that may hold each part of a case (the assignment form offers these; see services.assignees_for).
ASSIGNABLE_ROLES: dict[str, tuple[str, ...]] = {
    "medical": (Role.MEDICAL_VOLUNTEER, Role.SOCIAL_WORKER),
    "psychological": (Role.COUNSELLOR, Role.SOCIAL_WORKER),
    "other": (Role.SOCIAL_WORKER, Role.COMMUNITY_WORKER, Role.GENERAL_VOLUNTEER, Role.MEDICAL_VOLUNTEER,
              Role.COUNSELLOR),
}


def could_hold_a_part(user) -> bool:
    """Whether the user holds an account role that may be handed some part of some case (see ASSIGNABLE_ROLES)."""
    from sanshe.accounts.policies import scope_for

    assignable = {role for roles in ASSIGNABLE_ROLES.values() for role in roles}
    return bool(scope_for(user).roles & assignable)


def live_assigned_parts(user) -> dict[int, frozenset[str]]:
    """{case id: parts} of the user's open assignments that still hold now.

    An assignment holds while the assignee is an active user with an active role fitting the part in the case's
    community, and — for a volunteer role — is cleared for it (approved, trained, current agreement signed: the
    same gate as groups, sanshe.volunteers.clearance). A lapse hides the case at once; the assignment row stays
    so the social worker sees who had the part. The assignments are read on every call (one indexed query);
    the roles and clearance once per user object (one request).
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    from .models import CaseAssignment

    assignments = list(CaseAssignment.objects.filter(assignee_id=user.pk, ended_at__isnull=True)
                       .values_list("case_id", "part", "case__community_id"))
    if not assignments:
        return {}
    cleared_roles_in = _cleared_roles_by_community(user)
    parts: dict[int, set[str]] = {}
    for case_id, part, community_id in assignments:
        if set(ASSIGNABLE_ROLES.get(part, ())) & cleared_roles_in.get(community_id, set()):
            parts.setdefault(case_id, set()).add(part)
    return {case_id: frozenset(p) for case_id, p in parts.items()}


def _cleared_roles_by_community(user) -> dict[int, set[str]]:
    """{community id: the user's active roles there that are cleared for duty}, once per user object."""
    memo = gate.scope_for(user).memo
    if "cases.cleared_roles" in memo:
        return memo["cases.cleared_roles"]
    from sanshe.accounts.responsible import role_community_pairs

    roles_in: dict[int, set[str]] = {}
    for role, community_id in role_community_pairs(user):
        roles_in.setdefault(community_id, set()).add(role)
    cleared = {role for role in {r for roles in roles_in.values() for r in roles} if _role_cleared(user, role)}
    result = {community_id: roles & cleared for community_id, roles in roles_in.items()}
    memo["cases.cleared_roles"] = result
    return result


def may_hold_part(user, part: str, community_id: int) -> bool:
    """Whether the user may take this part of a case in this community now (role fitting it, and clearance)."""
    if user is None or not user.is_active:
        return False
    from sanshe.accounts.responsible import roles_of

    roles = roles_of(user, community_id=community_id, roles=ASSIGNABLE_ROLES.get(part, ()))
    return any(_role_cleared(user, role) for role in roles)


def _role_cleared(user, role: str) -> bool:
    from sanshe.volunteers.clearance import VOLUNTEER_ROLE_VALUES, volunteer_is_cleared

    return role not in VOLUNTEER_ROLE_VALUES or volunteer_is_cleared(user, role)
