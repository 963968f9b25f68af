"""Scoping for groups: members see their groups; coordinators manage the groups of their communities.

Who manages a group (action "manage"): its admin; the organisation admins of its organisation; social
workers covering its community; for tier 1 (resident) groups also community workers covering its
community and building stewards of its building (or of a building in its compound). Who may view it:
everyone who manages it and its active members. Private threads are visible only to their two
participants and the group's admin.
"""

from __future__ import annotations

from django.db.models import Q

from sanshe.accounts.roles import Role
from sanshe.core.querysets import ScopedQuerySet

GROUP_ACTIONS = {"view", "manage"}


def _membership_values(user_id: int, roles: list[str], field: str):
    from sanshe.accounts.responsible import place_values

    return place_values(user_id, roles, field)


def managed_groups_q(scope, prefix: str = "") -> Q:
    """Groups (at `prefix`, e.g. "group__") that the scope's user manages, as one condition with subqueries."""
    from sanshe.places.models import Building

    uid = scope.user_id
    sw_communities = _membership_values(uid, [Role.SOCIAL_WORKER], "communities")
    cw_communities = _membership_values(uid, [Role.COMMUNITY_WORKER], "communities")
    steward_buildings = _membership_values(uid, [Role.COMMUNITY_WORKER], "buildings")
    steward_compounds = Building.objects.filter(pk__in=steward_buildings).values("compound_id")
    admin_orgs = scope.organisation_ids_for("users.manage")
    from .clearance import GROUP_ADMIN_ACCOUNT_ROLES

    # Being a group's admin counts only while the user still holds a role that may administer groups.
    condition = Q(**{f"{prefix}community_id__in": sw_communities})
    if GROUP_ADMIN_ACCOUNT_ROLES & scope.roles:
        condition |= Q(**{f"{prefix}admin_id": uid})
    if admin_orgs:
        condition |= Q(**{f"{prefix}organisation_id__in": admin_orgs})
    condition |= Q(**{f"{prefix}tier": 1}) & (
        Q(**{f"{prefix}community_id__in": cw_communities})
        | Q(**{f"{prefix}building_id__in": steward_buildings})
        | Q(**{f"{prefix}building__isnull": True, f"{prefix}compound_id__in": steward_compounds})
    )
    return condition


def member_groups_q(scope, prefix: str = "", *, cleared_only: bool = True) -> Q:
    """Groups (at `prefix`) in which the scope's user is an active member.

    With `cleared_only` (the default: anything showing clients), memberships in a volunteer role the user is
    not cleared for now do not count (issue 3); the roster passes False so the volunteer still sees their
    shifts and, on claiming, the reason they may not.
    """
    from .models import GroupMember, MemberStatus

    memberships = GroupMember.objects.filter(user_id=scope.user_id, status=MemberStatus.ACTIVE)
    if cleared_only:
        from .clearance import uncleared_member_roles

        uncleared = uncleared_member_roles(scope)
        if uncleared:
            memberships = memberships.exclude(role__in=uncleared)
    return Q(**{f"{prefix}pk__in": memberships.values("group_id")})


class GroupQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        if action == "manage":
            return managed_groups_q(scope)
        if action == "view":
            return managed_groups_q(scope) | member_groups_q(scope)
        return None


class GroupChildQuerySet(ScopedQuerySet):
    """Rows that hang off one group (members, invites, duties, record requests): the group's scope."""

    def scope_filter(self, scope, action):
        if action == "manage":
            return managed_groups_q(scope, "group__")
        if action == "view":
            return managed_groups_q(scope, "group__") | member_groups_q(scope, "group__")
        return None


class GroupMemberQuerySet(GroupChildQuerySet):
    pass


def thread_party_q(scope, prefix: str = "") -> Q:
    """Private threads (at `prefix`) the scope's user is in: as the client, as the group's admin, or as the
    helper — the last only for kinds of duty they are cleared for now (an uncleared volunteer sees no client)."""
    from .clearance import GROUP_ADMIN_ACCOUNT_ROLES, uncleared_member_roles

    uid = scope.user_id
    as_helper = Q(**{f"{prefix}helper_id": uid})
    uncleared = uncleared_member_roles(scope)  # member roles and duty kinds share their codes
    if uncleared:
        as_helper &= ~Q(**{f"{prefix}kind__in": uncleared})
    parties = Q(**{f"{prefix}client_id": uid}) | as_helper
    if GROUP_ADMIN_ACCOUNT_ROLES & scope.roles:  # a former admin whose staff role ended reads no thread
        parties |= Q(**{f"{prefix}group__admin_id": uid})
    return parties


class PrivateThreadQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        if action != "view":
            return None
        return thread_party_q(scope)


class MessageQuerySet(ScopedQuerySet):
    """Messages of the streams the actor may read: their groups' main streams and their own threads."""

    def scope_filter(self, scope, action):
        if action != "view":
            return None
        in_group = managed_groups_q(scope, "group__") | member_groups_q(scope, "group__")
        in_thread = thread_party_q(scope, "thread__")
        return (Q(thread__isnull=True) & in_group) | (Q(thread__isnull=False) & in_thread)


class RiskAlertQuerySet(ScopedQuerySet):
    """Alerts reach their recipients and whoever manages the group."""

    def scope_filter(self, scope, action):
        if action not in ("view", "acknowledge"):
            return None
        from .models import RiskAlertRecipient

        delivered = RiskAlertRecipient.objects.filter(user_id=scope.user_id).values("alert_id")
        return Q(pk__in=delivered) | managed_groups_q(scope, "group__")


class RiskFeedbackQuerySet(ScopedQuerySet):
    """Staff labels on the risk detector: whoever manages the group, the alert's recipients, and the author."""

    def scope_filter(self, scope, action):
        if action != "view":
            return None
        from .models import RiskAlertRecipient

        delivered = RiskAlertRecipient.objects.filter(user_id=scope.user_id).values("alert_id")
        return (managed_groups_q(scope, "group__") | Q(alert_id__in=delivered, alert__isnull=False)
                | Q(created_by_id=scope.user_id))


class OrganisationScopedQuerySet(ScopedQuerySet):
    """Per-organisation settings and records: members view; organisation admins and social workers manage."""

    def scope_filter(self, scope, action):
        if action == "view":
            return Q(organisation_id__in=scope.organisation_ids)
        if action == "manage":
            sw_orgs = _membership_values(scope.user_id, [Role.SOCIAL_WORKER], "organisation_id")
            return Q(organisation_id__in=scope.organisation_ids_for("users.manage")) | Q(organisation_id__in=sw_orgs)
        return None
