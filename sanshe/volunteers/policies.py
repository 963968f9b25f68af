"""Volunteer-management policy: who reviews which organisation's volunteers. Plain functions over Scope."""

from __future__ import annotations

from django.db.models import Q

from sanshe.accounts.policies import scope_for
from sanshe.accounts.roles import Role
from sanshe.core.errors import ActionForbidden

REVIEWER_ROLES = frozenset({Role.SOCIAL_WORKER, Role.ORG_ADMIN})


def reviewable_organisations_q(scope, *, field: str = "organisation_id") -> Q:
    """Rows of organisations the actor reviews volunteers for.

    Per the guide (六(二)7) social workers recruit, vet and admit volunteers: a social worker reviews for
    every organisation that serves one of the social worker's communities; an organisation admin for
    their own organisations and for organisations serving the communities their organisation serves.
    Subqueries, not joins: one row per record whatever the number of matching communities.
    """
    from sanshe.accounts.models import Membership, Organisation

    if not scope.roles & REVIEWER_ROLES:
        return Q(pk__in=[])
    social_worker_communities = Membership.communities.through.objects.filter(
        membership__user_id=scope.user_id, membership__is_active=True, membership__role=Role.SOCIAL_WORKER,
    ).values("community_id")
    serving = Organisation.communities.through.objects.filter(
        Q(community_id__in=social_worker_communities) | Q(community_id__in=scope.community_ids("users.manage"))
    ).values("organisation_id")
    lookup = f"{field}__in"
    return Q(**{lookup: serving}) | Q(**{lookup: scope.organisation_ids_for("users.manage")})


def require_reviewer(user):
    """403 unless the user is a social worker or an organisation admin."""
    scope = scope_for(user)
    if not scope.roles & REVIEWER_ROLES:
        raise ActionForbidden("volunteers.review")
    return scope


def is_reviewer(user) -> bool:
    return bool(user.is_authenticated and scope_for(user).roles & REVIEWER_ROLES)


def require_org_admin(user):
    """403 unless the user administers an organisation (publishing agreement versions)."""
    scope = scope_for(user)
    if not scope.organisation_ids_for("users.manage"):
        raise ActionForbidden("volunteers.agreement_publish")
    return scope
