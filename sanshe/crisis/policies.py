"""Who may see and act on crises.

- Social workers of the case's community (and the case's owner): see, respond, and start a crisis.
- Organisation admins of the organisations serving the community: see and respond (they are alerted).
- Anyone a crisis alert reached (the on-duty counsellor or medic, community workers at escalation): that
  crisis only, to acknowledge it and work the checklist — while it is open, and while the role they were
  alerted for still holds (active; a volunteer also cleared for duty). After it closes, or once their role is
  deactivated or their clearance lapses, the crisis page and the phone reveal are gone (404).
Everyone else (secretaries, residents) has no crisis pages at all (403).
"""

from __future__ import annotations

from dataclasses import dataclass

from sanshe.accounts.roles import Role
from sanshe.core import gate

# Roles that may hold crisis pages; which crises each sees is decided by `CrisisQuerySet`.
CRISIS_ROLES = frozenset({Role.SOCIAL_WORKER, Role.ORG_ADMIN, Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR,
                          Role.COMMUNITY_WORKER})

# Capabilities per role over the communities a membership covers (org admins: their organisation's).
CRISIS_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SOCIAL_WORKER: frozenset({"crisis.view", "crisis.open"}),
    Role.ORG_ADMIN: frozenset({"crisis.view"}),
}


@dataclass(frozen=True)
class CrisisScope:
    user_id: int
    roles: frozenset[str]
    communities_view: frozenset[int]
    buildings_view: frozenset[int]
    communities_open: frozenset[int]

    @property
    def allowed(self) -> bool:
        return bool(self.roles & CRISIS_ROLES)

    @property
    def can_open(self) -> bool:
        return bool(self.communities_open)


def build_crisis_scope(user) -> CrisisScope:
    from sanshe.accounts.policies import places_for, scope_for

    scope = scope_for(user)
    communities, buildings = places_for(scope.grants, CRISIS_CAPABILITIES)
    return CrisisScope(user_id=user.pk, roles=scope.roles,
                       communities_view=communities.get("crisis.view", frozenset()),
                       buildings_view=buildings.get("crisis.view", frozenset()),
                       communities_open=communities.get("crisis.open", frozenset()))


def crisis_scope(user) -> CrisisScope:
    """The user's crisis part of the gate's scope (built once per user object: one request)."""
    return gate.scope_for(user).part("crisis")


def can_crisis(user) -> bool:
    return gate.can(user, "crisis.pages")


def require_crisis(user) -> CrisisScope:
    """The scope if the user's role may work on crises at all; 403 otherwise."""
    gate.require(user, "crisis.pages")
    return crisis_scope(user)


# Why a recipient was alerted → the roles that keep that recipient on the crisis (any one of them, active and,
# for a volunteer role, cleared for duty by sanshe.volunteers.clearance).
RECIPIENT_ROLES: dict[str, frozenset[str]] = {
    "on_duty_counsellor": frozenset({Role.COUNSELLOR}),
    "on_duty_medic": frozenset({Role.MEDICAL_VOLUNTEER}),
    "on_duty_helper": frozenset({Role.COUNSELLOR, Role.MEDICAL_VOLUNTEER}),
    "owner": frozenset({Role.SOCIAL_WORKER}),
    "social_worker": frozenset({Role.SOCIAL_WORKER}),
    "group_admin": frozenset({Role.SOCIAL_WORKER}),
    "org_admin": frozenset({Role.ORG_ADMIN}),
    "community_worker": frozenset({Role.COMMUNITY_WORKER}),
}
VOLUNTEER_CRISIS_ROLES = frozenset({Role.COUNSELLOR, Role.MEDICAL_VOLUNTEER})


def live_recipient_reasons(user, scope: CrisisScope) -> frozenset[str]:
    """The recipient reasons under which this user may still hold an open crisis they were alerted to.

    The scope's roles are the user's active ones; volunteer roles count only while cleared (computed once per
    user object, i.e. one request).
    """
    if not user.is_active or not scope.allowed:
        return frozenset()
    memo = gate.scope_for(user).memo
    if "crisis.reasons" in memo:
        return memo["crisis.reasons"]
    held = set(scope.roles & CRISIS_ROLES)
    volunteer_roles = held & VOLUNTEER_CRISIS_ROLES
    if volunteer_roles:
        from sanshe.volunteers.clearance import volunteer_is_cleared

        held -= {role for role in volunteer_roles if not volunteer_is_cleared(user, role)}
    cached = frozenset(reason for reason, roles in RECIPIENT_ROLES.items() if roles & held)
    memo["crisis.reasons"] = cached
    return cached


def recipient_still_reachable(user, reason: str) -> bool:
    """Whether a reminder of an open crisis may still go to someone alerted under `reason`.

    The same rule as holding the crisis (an active account, the role they were alerted for, cleared if it is a
    volunteer role), except that an on-duty secretary, who is texted to help reach the person but never holds
    the crisis page, counts too while their cleared general-volunteer role holds.
    """
    if user is None or not user.is_active:
        return False
    from sanshe.accounts.policies import scope_for

    roles = RECIPIENT_ROLES.get(reason, frozenset())
    if reason == "on_duty_helper":
        roles = roles | {Role.GENERAL_VOLUNTEER}
    held = set(scope_for(user).roles & roles)
    if held & (VOLUNTEER_CRISIS_ROLES | {Role.GENERAL_VOLUNTEER}):
        from sanshe.volunteers.clearance import volunteer_is_cleared

        held = {role for role in held if role not in (VOLUNTEER_CRISIS_ROLES | {Role.GENERAL_VOLUNTEER})
                or volunteer_is_cleared(user, role)}
    return bool(held)
