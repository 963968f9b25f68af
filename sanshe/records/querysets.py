"""Scoping of records, referrals out and daily summaries (need-to-know; see policies.py and visibility.py)."""

from __future__ import annotations

from typing import Self

from django.db.models import Q

from sanshe.core.querysets import ScopedQuerySet


class _RecordsScoped(ScopedQuerySet):
    def for_actor(self, actor, action: str = "view") -> Self:
        if actor is None or not getattr(actor, "is_authenticated", False):
            return self.none()
        from .policies import records_scope

        condition = self.scope_filter(records_scope(actor), action)
        return self.none() if condition is None else self.filter(condition)


class ServiceRecordQuerySet(_RecordsScoped):
    """`view`: need-to-know (visibility.READ_DOMAINS); `change`: the author, while the record is a draft."""

    def scope_filter(self, scope, action):  # type: ignore[override]
        from .visibility import READ_DOMAINS

        if action == "change":
            return Q(author_id=scope.user_id, status="draft")
        if action != "view":
            return None
        condition = Q(author_id=scope.user_id)
        if scope.sw_communities:
            condition |= Q(community_id__in=scope.sw_communities)
        for role, group_ids in scope.group_roles.items():
            domains = READ_DOMAINS.get(role)
            if group_ids and domains:
                condition |= Q(group_id__in=group_ids, domain__in=domains)
        return condition


class ReferralOutQuerySet(_RecordsScoped):
    """Social workers of the client's community, and the social worker who sent it."""

    def scope_filter(self, scope, action):  # type: ignore[override]
        if action not in ("view", "change"):
            return None
        condition = Q(created_by_id=scope.user_id)
        if scope.sw_communities:
            condition |= Q(community_id__in=scope.sw_communities)
        return condition


class DailySummaryQuerySet(_RecordsScoped):
    """`view`: the group's staff and the community's social workers; `manage`: the secretary and social workers."""

    def scope_filter(self, scope, action):  # type: ignore[override]
        from .policies import GROUP_STAFF_ROLES, SUMMARY_ROLES

        roles = GROUP_STAFF_ROLES if action == "view" else SUMMARY_ROLES if action == "manage" else None
        if roles is None:
            return None
        condition = Q(group_id__in=scope.groups(*roles))
        if scope.sw_communities:
            condition |= Q(community_id__in=scope.sw_communities)
        return condition
