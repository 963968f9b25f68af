"""Membership writes: groups, members, invites and joining, nicknames, moving a client, duty."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound

from .. import events
from ..chat.services import system_message_post
from ..clearance import clearance_problem
from ..config import GroupSettings
from ..duty import ROLE_FOR_KIND
from ..models import (
    DEFAULT_CAPACITY,
    DutyKind,
    EventKind,
    Group,
    GroupMember,
    GroupTier,
    Invite,
    ManualDuty,
    MemberRole,
    MemberStatus,
)
from ..nicknames import suggest
from ..policies import creator_organisation, require_creator
from ..service_base import (
    ACCOUNT_ROLES,
    MAX_CAPACITY,
    _account_roles,
    _is_blacklisted,
    _managed_group,
    _notify,
    _now,
    _staff_nickname,
)
from .selectors import group_settings


@transaction.atomic
def group_create(*, actor, tier: int, community, name: str, compound=None, building=None,
                 capacity: int = DEFAULT_CAPACITY, settings: GroupSettings | None = None) -> Group:
    """Create a group; the creator becomes its admin and first member."""
    require_creator(actor, tier=tier)
    errors: dict[str, str] = {}
    if tier == GroupTier.RESIDENT:
        if compound is None:
            errors["compound"] = _("小区居民群须选择小区。")
        elif compound.community_id != community.pk:
            errors["compound"] = _("该小区不属于所选社区。")
        if building is not None and compound is not None and building.compound_id != compound.pk:
            errors["building"] = _("该楼栋不属于所选小区。")
    elif compound is not None or building is not None:
        errors["compound"] = _("咨询服务群不按小区或楼栋建立。")
    if errors:
        raise ValidationError(errors)
    organisation = creator_organisation(actor, tier=tier, community_id=community.pk,
                                        building_ids={building.pk} if building else None)
    if organisation is None:
        raise ValidationError({"community": _("您不负责该社区（或楼栋），不能在这里建群。")})
    settings = (settings or GroupSettings.for_tier(tier)).validated()
    group = Group(organisation=organisation, community=community, compound=compound, building=building, tier=tier,
                  name=name.strip(), admin=actor, capacity=capacity, settings=settings.to_json())
    group.full_clean()
    if not 2 <= capacity <= MAX_CAPACITY:
        raise ValidationError({"capacity": _("人数上限应在 2 到 2000 之间。")})
    group.save()
    GroupMember.objects.create(
        group=group, user=actor, role=MemberRole.ADMIN, status=MemberStatus.ACTIVE, joined_at=timezone.now(),
        nickname=_staff_nickname(actor, MemberRole.ADMIN, settings.nickname_staff), added_by=actor,
    )
    audit_record(actor=actor, action="groups.group.create", obj=group, detail={"tier": tier},
                 organisation_id=organisation.pk)
    return group


@transaction.atomic
def group_update(*, actor, group: Group, name: str, capacity: int, settings: GroupSettings) -> Group:
    """Rename, resize or change the settings of a group."""
    group = _managed_group(actor=actor, group=group)
    if not 2 <= capacity <= MAX_CAPACITY:
        raise ValidationError({"capacity": _("人数上限应在 2 到 2000 之间。")})
    group.name = name.strip()
    group.capacity = capacity
    group.settings = settings.validated().to_json()
    group.full_clean()
    group.save(update_fields=["name", "capacity", "settings", "updated_at"])
    audit_record(actor=actor, action="groups.group.update", obj=group,
                 detail={"capacity": capacity, "slow_mode_seconds": settings.slow_mode_seconds},
                 organisation_id=group.organisation_id)
    return group


@transaction.atomic
def announcement_set(*, actor, group: Group, text: str) -> Group:
    """Pin (or clear) the group announcement (群公告); every open chat shows it at once."""
    group = _managed_group(actor=actor, group=group)
    text = text.strip()
    if len(text) > 2000:
        raise ValidationError({"announcement": _("群公告最多 2000 字。")})
    group.announcement = text
    group.announcement_at = timezone.now() if text else None
    group.announcement_by = actor if text else None
    group.save(update_fields=["announcement", "announcement_at", "announcement_by", "updated_at"])
    event = events.event_append(group=group, kind=EventKind.ANNOUNCEMENT)
    events.push_event_after_commit(event, group=group)
    audit_record(actor=actor, action="groups.announcement.set", obj=group, organisation_id=group.organisation_id)
    return group


def _activate(member: GroupMember, now: datetime) -> None:
    member.status = MemberStatus.ACTIVE
    member.joined_at = now
    member.left_at = None


def _ensure_room(group: Group) -> None:
    count = GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE).count()
    if count >= group.capacity:
        raise ValidationError(_("本群已满（%(n)d 人）。请改用邀请链接：群满后链接会自动把新成员分到新开的分群。")
                              % {"n": group.capacity})


@transaction.atomic
def member_add(*, actor, group: Group, user, role: str, nickname: str = "") -> GroupMember:
    """A manager adds a staff member or a client to the group."""
    group = _managed_group(actor=actor, group=group)
    if role not in MemberRole.values or role == MemberRole.ADMIN:
        raise ValidationError({"role": _("请选择群内身份。")})
    needed = ACCOUNT_ROLES.get(role)
    if needed and not _account_roles(user) & set(needed):
        raise ValidationError({"role": _("该账号没有“%(role)s”的角色，不能以此身份入群。")
                                       % {"role": MemberRole(role).label}})
    if role == MemberRole.RESIDENT and group.tier != GroupTier.RESIDENT:
        raise ValidationError({"role": _("咨询服务群的居民请以“服务对象”身份加入。")})
    if role == MemberRole.CLIENT and group.tier == GroupTier.RESIDENT:
        raise ValidationError({"role": _("小区居民群的居民以“居民代表”身份加入。")})
    if _is_blacklisted(organisation_id=group.organisation_id, user=user):
        raise ValidationError(_("该用户已被列入本机构黑名单，不能入群。"))
    problem = clearance_problem(user, role)
    if problem:
        raise ValidationError({"role": problem})
    existing = GroupMember.objects.select_for_update().filter(group=group, user=user).first()
    if existing is not None and existing.status == MemberStatus.ACTIVE:
        raise ValidationError(_("该用户已在群中。"))
    _ensure_room(group)
    settings = group_settings(group)
    household = None
    if role == MemberRole.RESIDENT:
        household = _household_of(user)
        if household is None:
            raise ValidationError(_("该居民的账号还没有关联住户，不能加入小区居民群。"))
        _check_household(group, household, user)
    if not nickname:
        if role in (MemberRole.CLIENT, MemberRole.RESIDENT):
            nickname = suggest(settings.nickname_member, building=household.building.name if household else "",
                               room=household.room if household else "", title=user.display_name or "")
        else:
            nickname = _staff_nickname(user, role, settings.nickname_staff)
    member = existing or GroupMember(group=group, user=user)
    member.role = role
    member.nickname = nickname[:40]
    member.household = household
    member.added_by = actor
    member.moved_to = None  # back in this group: their link to it is theirs again
    _activate(member, timezone.now())
    member.full_clean(exclude=["group", "user", "household", "invite", "added_by"])
    member.save()
    audit_record(actor=actor, action="groups.member.add", obj=group, detail={"member": member.pk, "role": role},
                 organisation_id=group.organisation_id)
    _notify(user.pk, {"kind": "membership", "group_id": group.pk, "status": "active"})
    return member


def _household_of(user):
    from sanshe.people.models import Person

    person = Person.objects.filter(user=user).select_related("household__building").first()
    return person.household if person is not None else None


def _group_family(group: Group) -> list[int]:
    """The group and its overflow groups (the same group, split when full)."""
    root = group
    while root.overflow_of_id:
        root = Group.objects.get(pk=root.overflow_of_id)
    ids, frontier = [root.pk], [root.pk]
    while frontier:
        frontier = list(Group.objects.filter(overflow_of_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def _check_household(group: Group, household, user) -> None:
    if group.compound_id and household.compound_id != group.compound_id:
        raise ValidationError(_("本群只接受%(place)s的住户。") % {"place": group.compound.name})
    if group.building_id and household.building_id != group.building_id:
        raise ValidationError(_("本群只接受%(place)s的住户。") % {"place": str(group.building)})
    taken = (GroupMember.objects.filter(group_id__in=_group_family(group), household=household,
                                        status__in=[MemberStatus.ACTIVE, MemberStatus.PENDING])
             .exclude(user=user).exists())
    if taken:
        raise ValidationError(_("您家已有一位代表在群中（每户一名代表）。如需更换代表，请联系群管理员。"))


def _overflow_target(group: Group) -> Group:
    """The first group of the family with room; a new overflow group with the same settings if all are full."""
    family = Group.objects.select_for_update().filter(pk__in=_group_family(group), is_archived=False).order_by("pk")
    for candidate in family:
        active = GroupMember.objects.filter(group=candidate, status=MemberStatus.ACTIVE).count()
        if active < candidate.capacity:
            return candidate
    root = family[0]
    number = len(family) + 1
    overflow = Group.objects.create(
        organisation_id=root.organisation_id, community_id=root.community_id, compound_id=root.compound_id,
        building_id=root.building_id, tier=root.tier, name=f"{root.name}（{number}群）"[:60], admin_id=root.admin_id,
        capacity=root.capacity, overflow_of=root, settings=dict(root.settings), announcement=root.announcement,
        announcement_at=root.announcement_at, announcement_by_id=root.announcement_by_id,
    )
    admin_member = GroupMember.objects.get(group=root, user_id=root.admin_id)
    GroupMember.objects.create(group=overflow, user_id=root.admin_id, role=MemberRole.ADMIN,
                               status=MemberStatus.ACTIVE, joined_at=timezone.now(), nickname=admin_member.nickname,
                               added_by_id=root.admin_id)
    audit_record(actor=None, actor_label="system", action="groups.group.overflow", obj=overflow,
                 detail={"overflow_of": root.pk}, organisation_id=root.organisation_id)
    return overflow


@transaction.atomic
def invite_create(*, actor, group: Group, days: int | None = None, max_uses: int | None = None,
                  requires_approval: bool | None = None) -> Invite:
    """A join link / QR code for the group (7 days by default)."""
    group = _managed_group(actor=actor, group=group)
    settings = group_settings(group)
    days = settings.invite_days if days is None else days
    if not 1 <= days <= 30:
        raise ValidationError({"days": _("有效期应在 1 到 30 天之间。")})
    if max_uses is not None and max_uses < 1:
        raise ValidationError({"max_uses": _("使用次数至少为 1，不限次数请留空。")})
    invite = Invite(group=group, token=secrets.token_urlsafe(24), created_by=actor,
                    expires_at=timezone.now() + timedelta(days=days), max_uses=max_uses,
                    requires_approval=settings.join_requires_approval if requires_approval is None else requires_approval)
    invite.full_clean(exclude=["group", "created_by"])
    invite.save()
    audit_record(actor=actor, action="groups.invite.create", obj=group,
                 detail={"invite": invite.pk, "days": days, "max_uses": max_uses}, organisation_id=group.organisation_id)
    return invite


@transaction.atomic
def invite_revoke(*, actor, invite: Invite) -> Invite:
    """Stop a link from working."""
    _managed_group(actor=actor, group=invite.group_id)
    invite.revoked_at = timezone.now()
    invite.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=actor, action="groups.invite.revoke", obj=invite.group, detail={"invite": invite.pk},
                 organisation_id=invite.group.organisation_id)
    return invite


def invite_problem(invite: Invite | None, *, now: datetime | None = None) -> str:
    """Why a link cannot be used (Chinese), or "" when it can."""
    now = _now(now)
    if invite is None or invite.revoked_at is not None or invite.group.is_archived:
        return _("该入群链接无效或已作废，请向群管理员索取新的链接。")
    if invite.expires_at <= now:
        return _("该入群链接已过期，请向群管理员索取新的链接。")
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return _("该入群链接的使用次数已满，请向群管理员索取新的链接。")
    return ""


@transaction.atomic
def invite_accept(*, actor, token: str, title: str = "", now: datetime | None = None) -> GroupMember:
    """Join through a link: into the group, or its overflow group when full; pending if approval is needed."""
    now = _now(now)
    invite = Invite.objects.select_for_update(of=("self",)).select_related("group__compound", "group__building").filter(
        token=token).first()
    problem = invite_problem(invite, now=now)
    if problem:
        raise ValidationError(problem)
    group = invite.group
    if _is_blacklisted(organisation_id=group.organisation_id, user=actor):
        raise ValidationError(_("您暂时不能加入本机构的群。如有疑问请联系群管理员。"))
    family = _group_family(group)
    existing = (GroupMember.objects.select_for_update().filter(group_id__in=family, user=actor)
                .select_related("group").order_by("pk"))
    for member in existing:
        if member.status in (MemberStatus.ACTIVE, MemberStatus.PENDING):
            return member
        if member.status == MemberStatus.REMOVED:
            raise ValidationError(_("您已被移出该群，不能通过链接重新加入。如有疑问请联系群管理员。"))
    household = None
    title = title.strip()[:10]
    if group.tier == GroupTier.RESIDENT:
        household = _household_of(actor)
        if household is None:
            raise ValidationError(_("小区居民群每户一名代表入群，您的账号还没有关联住户。请联系社区工作者登记后再加入。"))
        _check_household(group, household, actor)
    target = _overflow_target(group)
    settings = group_settings(target)
    pending = invite.requires_approval or settings.join_requires_approval
    nickname = suggest(settings.nickname_member, building=household.building.name if household else "",
                       room=household.room if household else "", title=title or (actor.display_name or ""))
    member = next((m for m in existing if m.group_id == target.pk), None) or GroupMember(group=target, user=actor)
    member.role = MemberRole.RESIDENT if target.tier == GroupTier.RESIDENT else MemberRole.CLIENT
    member.household = household
    member.invite = invite
    member.nickname = (nickname or title or str(actor))[:40]
    if pending:
        member.status = MemberStatus.PENDING
    else:
        _activate(member, now)
    member.full_clean(exclude=["group", "user", "household", "invite", "added_by"])
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:  # a household representative joined a moment earlier
        raise ValidationError(_("您家已有一位代表在群中（每户一名代表）。如需更换代表，请联系群管理员。")) from exc
    Invite.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
    audit_record(actor=actor, action="groups.invite.accept", obj=target,
                 detail={"invite": invite.pk, "member": member.pk, "pending": pending},
                 organisation_id=target.organisation_id)
    if pending:
        _notify(target.admin_id, {"kind": "join_request", "group_id": target.pk})
    return member


@transaction.atomic
def join_decide(*, actor, member: GroupMember, approve: bool) -> GroupMember:
    """Approve or decline a pending join request."""
    group = _managed_group(actor=actor, group=member.group_id)
    member = GroupMember.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.PENDING:
        raise ValidationError(_("该申请已处理。"))
    if approve:
        _ensure_room(group)
        _activate(member, timezone.now())
    else:
        member.status = MemberStatus.DECLINED
    member.save()
    audit_record(actor=actor, action="groups.member.approve" if approve else "groups.member.decline", obj=group,
                 detail={"member": member.pk}, organisation_id=group.organisation_id)
    _notify(member.user_id, {"kind": "membership", "group_id": group.pk, "status": member.status})
    return member


@transaction.atomic
def member_rename(*, actor, member: GroupMember, nickname: str) -> GroupMember:
    """Change a group nickname: the member themself or a manager."""
    if member.user_id != actor.pk:
        _managed_group(actor=actor, group=member.group_id)
    nickname = nickname.strip()
    if not nickname:
        raise ValidationError({"nickname": _("群昵称不能为空。")})
    if len(nickname) > 40:
        raise ValidationError({"nickname": _("群昵称最多 40 个字。")})
    member.nickname = nickname
    member.save(update_fields=["nickname", "updated_at"])
    if member.user_id != actor.pk:
        audit_record(actor=actor, action="groups.member.rename", obj=member.group, detail={"member": member.pk},
                     organisation_id=member.group.organisation_id)
    return member


@transaction.atomic
def member_leave(*, actor, group: Group) -> GroupMember:
    """Leave a group (the admin cannot: hand the group over first)."""
    member = GroupMember.objects.select_for_update().filter(group=group, user=actor,
                                                            status=MemberStatus.ACTIVE).first()
    if member is None:
        raise ObjectNotFound(group.pk)
    if group.admin_id == actor.pk:
        raise ValidationError(_("群管理员不能退群。"))
    member.status = MemberStatus.LEFT
    member.left_at = timezone.now()
    member.save(update_fields=["status", "left_at", "updated_at"])
    audit_record(actor=actor, action="groups.member.leave", obj=group, detail={"member": member.pk},
                 organisation_id=group.organisation_id)
    return member


@transaction.atomic
def duty_set(*, actor, group: Group, user, kind: str, starts_at: datetime, ends_at: datetime) -> ManualDuty:
    """A social worker puts a member on duty by hand for a time window."""
    group = _managed_group(actor=actor, group=group)
    if kind not in DutyKind.values:
        raise ValidationError({"kind": _("请选择值班类别。")})
    member = GroupMember.objects.filter(group=group, user=user, status=MemberStatus.ACTIVE).first()
    if member is None:
        raise ValidationError({"user": _("值班人员须是本群成员。")})
    allowed_roles = {ROLE_FOR_KIND[kind]} | ({MemberRole.ADMIN} if kind == DutyKind.SOCIAL_WORK else set())
    if member.role not in allowed_roles:
        raise ValidationError({"kind": _("该成员在群内是“%(role)s”，不能担任“%(kind)s”。")
                                       % {"role": member.get_role_display(), "kind": DutyKind(kind).label}})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间须晚于开始时间。")})
    if ends_at - starts_at > timedelta(hours=24):
        raise ValidationError({"ends_at": _("一次值班最长 24 小时，请分段设置。")})
    duty = ManualDuty(group=group, user=user, kind=kind, starts_at=starts_at, ends_at=ends_at, set_by=actor)
    duty.full_clean(exclude=["group", "user", "set_by"])
    duty.save()
    audit_record(actor=actor, action="groups.duty.set", obj=group, detail={"duty": duty.pk, "kind": kind},
                 organisation_id=group.organisation_id)
    _notify(user.pk, {"kind": "rights", "group_id": group.pk})
    return duty


@transaction.atomic
def duty_cancel(*, actor, duty: ManualDuty) -> ManualDuty:
    group = _managed_group(actor=actor, group=duty.group_id)
    duty.cancelled_at = timezone.now()
    duty.save(update_fields=["cancelled_at", "updated_at"])
    audit_record(actor=actor, action="groups.duty.cancel", obj=group, detail={"duty": duty.pk},
                 organisation_id=group.organisation_id)
    _notify(duty.user_id, {"kind": "rights", "group_id": group.pk})
    return duty


@transaction.atomic
def member_move(*, actor, member: GroupMember, to_group: Group, reason: str = "") -> GroupMember:
    """Move a client to another consultation group (e.g. a focus-group client at risk into a key group).

    Both groups are told in neutral words (never why: no tier, no diagnosis), and the old membership keeps
    where the client went, so the link they bookmarked forwards them to the new group instead of a 404.
    """
    source = _managed_group(actor=actor, group=member.group_id)
    target = _managed_group(actor=actor, group=to_group)
    if target.tier == GroupTier.RESIDENT or member.role != MemberRole.CLIENT:
        raise ValidationError(_("只能把服务对象转到聚焦服务群或重点陪助群。"))
    if target.pk == source.pk:
        raise ValidationError(_("请选择另一个群。"))
    moved = member_add(actor=actor, group=target, user=member.user, role=MemberRole.CLIENT, nickname=member.nickname) \
        if not GroupMember.objects.filter(group=target, user=member.user, status=MemberStatus.ACTIVE).exists() \
        else GroupMember.objects.get(group=target, user=member.user)
    GroupMember.objects.filter(pk=member.pk).update(status=MemberStatus.LEFT, left_at=timezone.now(),
                                                    moved_to=target)
    name = member.nickname or str(member.user)  # as the group's chat names them
    system_message_post(group=source, body=_("%(name)s 已转入其他群继续交流。") % {"name": name})
    system_message_post(group=target, body=member_welcome_text(moved))
    audit_record(actor=actor, action="groups.member.move", obj=target, reason=reason,
                 detail={"from_group": source.pk, "member": moved.pk}, organisation_id=target.organisation_id)
    _notify(member.user_id, {"kind": "membership", "group_id": target.pk, "status": "active"})
    return moved


def member_welcome_text(member: GroupMember) -> str:
    """The neutral welcome posted when a client is placed in a group (no reason, no tier)."""
    name = member.nickname or str(member.user)  # as the group's chat names them
    return _("欢迎 %(name)s 加入本群，有需要可以随时在群里提问，或私聊值班人员。") % {"name": name}
