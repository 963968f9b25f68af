"""Roster policy: which account roles can use which roster pages at all (403 otherwise)."""

from __future__ import annotations

from sanshe.accounts.policies import scope_for
from sanshe.accounts.roles import Role
from sanshe.core import gate

# Who arranges shifts: the group's social workers and organisation admins, and general volunteers (secretaries).
ROSTER_MANAGER_ROLES = frozenset({Role.ORG_ADMIN, Role.SOCIAL_WORKER, Role.GENERAL_VOLUNTEER})
# Who serves on shifts.
ROSTER_MEMBER_ROLES = frozenset({Role.SOCIAL_WORKER, Role.GENERAL_VOLUNTEER, Role.MEDICAL_VOLUNTEER,
                                 Role.COUNSELLOR})
# Coordinators who may put someone on a shift despite the rest rules, with a written reason (never
# despite clearance, group role or overlap): social workers and organisation admins, not secretaries.
REST_OVERRIDE_ROLES = frozenset({Role.ORG_ADMIN, Role.SOCIAL_WORKER})
# Who certifies hours and lifts no-show blocks.
HOURS_MANAGER_ROLES = frozenset({Role.ORG_ADMIN, Role.SOCIAL_WORKER})


# The capability each page family needs → the roles holding it (checked by the gate: rosters/capabilities.py).
ROSTER_CAPABILITY_ROLES: dict[str, frozenset[str]] = {
    "rosters.manage": ROSTER_MANAGER_ROLES,
    "rosters.view": ROSTER_MEMBER_ROLES | ROSTER_MANAGER_ROLES,
    "rosters.hours": HOURS_MANAGER_ROLES,
}


def _require(user, roles: frozenset[str], capability: str):
    gate.require(user, capability)
    return scope_for(user)


def require_roster_manager(user):
    """403 unless the user holds a role that may arrange shifts somewhere."""
    return _require(user, ROSTER_MANAGER_ROLES, "rosters.manage")


def require_roster_member(user):
    """403 unless the user holds a role that serves on shifts (or arranges them)."""
    return _require(user, ROSTER_MEMBER_ROLES | ROSTER_MANAGER_ROLES, "rosters.view")


def require_hours_manager(user):
    return _require(user, HOURS_MANAGER_ROLES, "rosters.hours")


def is_roster_manager(user) -> bool:
    return bool(scope_for(user).roles & ROSTER_MANAGER_ROLES)


def is_hours_manager(user) -> bool:
    return bool(scope_for(user).roles & HOURS_MANAGER_ROLES)


def can_override_rest(user) -> bool:
    """Whether the user may assign someone despite the rest / 24-hour rules (with a reason)."""
    return bool(scope_for(user).roles & REST_OVERRIDE_ROLES)
