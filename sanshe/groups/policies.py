"""Who may create and run groups: functions over the user's role memberships."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sanshe.accounts.policies import scope_for
from sanshe.accounts.roles import Role
from sanshe.core.errors import ActionForbidden

# Roles that may create groups of each tier in a community they cover.
CREATOR_ROLES: dict[int, tuple[str, ...]] = {
    1: (Role.ORG_ADMIN, Role.SOCIAL_WORKER, Role.COMMUNITY_WORKER),
    2: (Role.ORG_ADMIN, Role.SOCIAL_WORKER),
    3: (Role.ORG_ADMIN, Role.SOCIAL_WORKER),
}
# Roles whose holders see the group pages at all (everyone who can be a member may: residents too).
STAFF_COORDINATORS = (Role.ORG_ADMIN, Role.SOCIAL_WORKER, Role.COMMUNITY_WORKER)


def _memberships(user, roles):
    from sanshe.accounts.responsible import memberships_of

    # Ordered: a user with roles in two organisations gets a new group in the same one every time (the lowest id,
    # as for their audit events), not whichever row the database returns first (PostgreSQL has no fixed order).
    return (memberships_of(user, roles=roles).order_by("organisation_id", "pk")
            .select_related("organisation").prefetch_related("communities", "buildings", "organisation__communities"))


def creator_organisation(user, *, tier: int, community_id: int, building_ids: set[int] | None = None):
    """The organisation a new group of `tier` in the community would belong to, or None if `user` may not."""
    for membership in _memberships(user, CREATOR_ROLES.get(tier, ())):
        if membership.role == Role.ORG_ADMIN:
            covered = {c.pk for c in membership.organisation.communities.all()}
        else:
            covered = {c.pk for c in membership.communities.all()}
        if community_id in covered:
            return membership.organisation
        # A building steward may create the resident group of their own building.
        if tier == 1 and building_ids and membership.role == Role.COMMUNITY_WORKER:
            if building_ids & {b.pk for b in membership.buildings.all()}:
                return membership.organisation
    return None


def creatable_tiers(user) -> list[int]:
    """The tiers this user could create a group of somewhere (for showing the buttons)."""
    roles = scope_for(user).roles
    return [tier for tier, allowed in CREATOR_ROLES.items() if roles & set(allowed)]


def require_creator(user, *, tier: int) -> None:
    """403 when the user's roles cannot create groups of `tier` anywhere."""
    if tier not in creatable_tiers(user):
        raise ActionForbidden(_("您的角色不能创建这类群。"))


def can_manage_rules(user) -> bool:
    """Organisation admins and social workers edit their organisation's rule lists."""
    return bool(scope_for(user).roles & {Role.ORG_ADMIN, Role.SOCIAL_WORKER})


def rule_organisations(user):
    """Organisations whose rule lists the user may edit."""
    from sanshe.accounts.models import Organisation

    ids = {m.organisation_id for m in _memberships(user, (Role.ORG_ADMIN, Role.SOCIAL_WORKER))}
    return Organisation.objects.filter(pk__in=ids).order_by("name")
