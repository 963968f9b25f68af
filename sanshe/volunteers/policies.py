"""Volunteer-management policy: who reviews which organisation's volunteers. Plain functions over Scope."""

from __future__ import annotations

from django.db.models import Q

from sanshe.accounts.policies import scope_for
from sanshe.accounts.roles import Role
from sanshe.core import gate

REVIEWER_ROLES = frozenset({Role.SOCIAL_WORKER, Role.ORG_ADMIN})


def reviewer_organisation_ids(scope) -> frozenset[int]:
    """The organisations where the actor holds an active reviewer role (social worker, organisation admin)."""
    return frozenset(g.organisation_id for g in scope.grants if g.role in REVIEWER_ROLES)


def reviewer_community_ids(scope, organisation_id: int) -> frozenset[int]:
    """The communities the actor reviews for in one organisation: a social worker's own communities there,
    an organisation admin's organisation's communities."""
    ids: set[int] = set()
    for grant in scope.grants:
        if grant.role in REVIEWER_ROLES and grant.organisation_id == organisation_id:
            ids |= grant.communities
    return frozenset(ids)


def reviewable_organisations_q(scope, *, field: str = "organisation_id") -> Q:
    """Rows of organisations the actor reviews volunteers for: only their own.

    Per the guide (六(二)7) social workers recruit, vet and admit volunteers, for the organisation they work
    for: a reviewer never opens a recruitment, reads an application or grants a role for another
    organisation, even one serving the same communities (issue 11). Roles granted on approval cover only
    the reviewer's own communities in that organisation (see `reviewer_community_ids`).
    """
    return Q(**{f"{field}__in": reviewer_organisation_ids(scope)})


def require_reviewer(user):
    """403 unless the user is a social worker or an organisation admin."""
    gate.require(user, "volunteers.review")
    return scope_for(user)


def is_reviewer(user) -> bool:
    return bool(user.is_authenticated and scope_for(user).roles & REVIEWER_ROLES)


def require_org_admin(user):
    """403 unless the user administers an organisation (publishing agreement versions)."""
    gate.require(user, "volunteers.agreement_publish")
    return scope_for(user)
