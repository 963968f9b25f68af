"""Reads about groups and their members: scoped fetch, the group list with unread counts, members, invites,
manual duty, settings, the home-page panel."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from sanshe.core.errors import ObjectNotFound

from ..alerts.selectors import open_alert_count
from ..config import GroupSettings
from ..models import (
    Group,
    GroupMember,
    Invite,
    ManualDuty,
    MemberStatus,
    Message,
    MessageStatus,
)


def access_group(*, actor, group_id: int, action: str = "view") -> Group:
    """The group if the actor may `action` it; 404 for missing and out-of-scope alike."""
    group = (Group.objects.for_actor(actor, action).select_related("organisation", "community", "compound",
                                                                   "building", "admin")
             .filter(pk=group_id).first())
    if group is None:
        raise ObjectNotFound(group_id)
    return group


def membership_of(*, group: Group, user) -> GroupMember | None:
    return GroupMember.objects.filter(group=group, user=user).first()


def moved_to_group(*, actor, group_id: int, hops: int = 5) -> Group | None:
    """Where a client who was moved out of `group_id` is now: the group they may open (following later moves).

    None for anyone who never was in the group, or who left it on their own or was removed.
    """
    for _hop in range(hops):
        target_id = (GroupMember.objects.filter(group_id=group_id, user=actor, status=MemberStatus.LEFT,
                                                moved_to__isnull=False)
                     .values_list("moved_to_id", flat=True).first())
        if target_id is None:
            return None
        target = Group.objects.for_actor(actor, "view").filter(pk=target_id, is_archived=False).first()
        if target is not None:
            return target
        group_id = target_id
    return None


def can_manage(*, actor, group: Group) -> bool:
    return Group.objects.for_actor(actor, "manage").filter(pk=group.pk).exists()


def group_list(*, actor) -> list[Group]:
    """The actor's groups (member or manager) with member counts, held counts and the actor's unread count."""
    me = GroupMember.objects.filter(group=OuterRef("pk"), user=actor)
    members = (GroupMember.objects.filter(group=OuterRef("pk"), status=MemberStatus.ACTIVE).order_by()
               .values("group").annotate(n=Count("pk")).values("n"))
    held = (Message.objects.filter(group=OuterRef("pk"), status=MessageStatus.HELD).order_by()
            .values("group").annotate(n=Count("pk")).values("n"))
    groups = list(
        Group.objects.for_actor(actor, "view").filter(is_archived=False)
        .select_related("community", "compound", "building")
        .annotate(
            member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
            held_count=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)),
            my_role=Subquery(me.values("role")[:1]),
            my_status=Subquery(me.values("status")[:1]),
        )
        .order_by("tier", "name", "pk")
    )
    # One join: each message against the actor's own membership row of the same group.
    unread = dict(
        Message.objects.filter(
            thread__isnull=True, status=MessageStatus.PUBLISHED, group__members__user=actor,
            group__members__status=MemberStatus.ACTIVE, seq__gt=F("group__members__last_read_seq"),
        ).exclude(sender=actor).order_by().values("group_id").annotate(n=Count("pk")).values_list("group_id", "n")
    )
    from ..labels import label_for

    for group in groups:
        group.unread = unread.get(group.pk, 0)
        group.shown_name, group.show_tier = label_for(group, group.my_role)
    return groups


def member_list(*, group: Group) -> list[GroupMember]:
    return list(GroupMember.objects.filter(group=group).select_related("user", "household__building")
                .order_by("status", "role", "nickname", "pk"))


def active_member_count(*, group: Group) -> int:
    return GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE).count()


def invite_list(*, group: Group) -> list[Invite]:
    return list(Invite.objects.filter(group=group).select_related("created_by").order_by("-created_at")[:20])


def duty_list(*, group: Group, now: datetime) -> list[ManualDuty]:
    return list(ManualDuty.objects.filter(group=group, ends_at__gt=now, cancelled_at__isnull=True)
                .select_related("user", "set_by").order_by("starts_at"))


def group_settings(group: Group) -> GroupSettings:
    return GroupSettings.from_json(group.settings, tier=group.tier)


def last_activity(*, group: Group):
    return Message.objects.filter(group=group, thread__isnull=True, status=MessageStatus.PUBLISHED).aggregate(
        last=Max("published_at"))["last"]


def home_groups(*, user, limit: int = 5) -> dict:
    """The home-page panel: groups with unread messages first, and open risk alerts for staff."""
    from sanshe.accounts.policies import scope_for

    rows = sorted(group_list(actor=user), key=lambda g: (-g.unread, -(g.held_count or 0), g.tier, g.name))
    return {
        "groups_rows": rows[:limit],
        "groups_open_alerts": open_alert_count(actor=user) if scope_for(user).is_staff_member else 0,
    }
