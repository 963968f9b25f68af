"""Roster scoping: group managers and the group's secretaries manage; group members see; volunteers see their own."""

from __future__ import annotations

from django.db.models import Q

from sanshe.core.querysets import ScopedQuerySet
from sanshe.groups.querysets import managed_groups_q, member_groups_q


def secretary_groups_q(scope, prefix: str = "") -> Q:
    """Groups (at `prefix`) where the scope's user is an active secretary (群秘书: arranges the shifts)."""
    from sanshe.groups.models import GroupMember, MemberRole, MemberStatus

    ids = GroupMember.objects.filter(user_id=scope.user_id, status=MemberStatus.ACTIVE,
                                     role=MemberRole.SECRETARY).values("group_id")
    return Q(**{f"{prefix}pk__in": ids})


def roster_managed_q(scope, prefix: str = "") -> Q:
    """Groups whose roster the user runs: the group's managers (admin, social workers, org admins) and secretaries."""
    return managed_groups_q(scope, prefix) | secretary_groups_q(scope, prefix)


def _group_rows(scope, action: str, prefix: str) -> Q | None:
    if action == "manage":
        return roster_managed_q(scope, prefix)
    if action == "view":
        return roster_managed_q(scope, prefix) | member_groups_q(scope, prefix, cleared_only=False)
    return None


class ShiftTemplateQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        return _group_rows(scope, action, "group__")


class ShiftQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        return _group_rows(scope, action, "group__")


class ShiftNeedQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        return _group_rows(scope, action, "shift__group__")


class AssignmentQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        condition = _group_rows(scope, action, "shift__group__")
        if action == "own":
            return Q(user_id=scope.user_id)
        if action == "view" and condition is not None:
            condition |= Q(user_id=scope.user_id)
        return condition


class HoursRecordQuerySet(ScopedQuerySet):
    """Own records; the recording organisation's admins and social workers, and those managing the group, certify."""

    def scope_filter(self, scope, action):
        from sanshe.accounts.responsible import place_values
        from sanshe.accounts.roles import Role

        certifying = place_values(scope.user_id, [Role.ORG_ADMIN, Role.SOCIAL_WORKER], "organisation_id")
        manage = Q(organisation_id__in=certifying) | (Q(group__isnull=False) & managed_groups_q(scope, "group__"))
        if action == "view":
            return manage | Q(user_id=scope.user_id)
        if action == "manage":
            return manage
        return None
