"""Writes for groups: create, join, post, moderate, private threads, duty, alerts, secretary's tools.

Every service takes the acting user, re-checks access through the scoped querysets, validates, writes
in one transaction with its audit event, and pushes to WebSocket clients only after commit.

Ordinary chat messages are not copied into the audit log: the message row is itself the append-only
record of who said what when (100,000 messages a day would otherwise double the log). Everything a
person does *to* someone else's message or membership — hold, review, delete, warn, mute, remove,
blacklist, reading a private thread as admin — is audited.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.accounts.roles import Role
from sanshe.core.audit import audit_record
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.uploads import UntrustedFileError, image_clean, parse_untrusted

from . import events, handover, risk, rumour_base
from .clearance import clearance_problem
from .config import GroupSettings
from .duty import ROLE_FOR_KIND, cleared_for, on_duty_helper, on_duty_user_ids
from .models import (
    DEFAULT_CAPACITY,
    Blacklist,
    ChatEvent,
    ChatImage,
    DutyKind,
    EventKind,
    Group,
    GroupMember,
    GroupTier,
    Invite,
    ManualDuty,
    MemberRole,
    MemberStatus,
    Message,
    MessageKind,
    MessageReport,
    MessageStatus,
    MessageTemplate,
    ModerationAction,
    ModerationActionKind,
    ModerationPolicy,
    PrivateThread,
    RecordRequest,
    RiskAlert,
    RiskAlertRecipient,
    RiskAlertStatus,
    RuleList,
)
from .nicknames import ROLE_WORDS, nickname_problem, suggest
from .policies import creator_organisation, require_creator
from .posting import CONSULTATION_TIERS, DUTY_BOUND_ROLES, posting_decision
from .rules import MIN_TERM_CHARS, Verdict, parse_domains, parse_terms
from .selectors import (
    access_group,
    access_message,
    access_thread,
    can_manage,
    group_settings,
    moderation_policy,
    rulebook_for,
)

MAX_BODY_CHARS = 2000
MAX_CAPACITY = 2000
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 2560
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# Imminent alerts must be acknowledged within 5 minutes; other alerts within 30, or they escalate.
IMMINENT_ACK_MINUTES = 5
# The same person's recent messages read with a new one (risk.assess_context): how far back, how many.
RISK_CONTEXT_MINUTES = 30
RISK_CONTEXT_MESSAGES = 10
ALERT_ACK_MINUTES = 30

# Which account role a member role needs (a medical volunteer's account for a medical member, ...).
ACCOUNT_ROLES: dict[str, tuple[str, ...]] = {
    MemberRole.ADMIN: (Role.SOCIAL_WORKER, Role.ORG_ADMIN, Role.COMMUNITY_WORKER),
    MemberRole.SOCIAL_WORKER: (Role.SOCIAL_WORKER,),
    MemberRole.COMMUNITY_WORKER: (Role.COMMUNITY_WORKER,),
    MemberRole.SECRETARY: (Role.GENERAL_VOLUNTEER,),
    MemberRole.MEDICAL: (Role.MEDICAL_VOLUNTEER,),
    MemberRole.PSYCHOLOGICAL: (Role.COUNSELLOR,),
}


class PostingRefused(ValidationError):
    """The member may not post now (off duty, muted, slow mode): the message says why."""


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool


# ---------------------------------------------------------------------------------------------- helpers

def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _managed_group(*, actor, group: Group | int) -> Group:
    """The group if the actor manages it: 404 if they cannot even see it, 403 if they only see it."""
    group_id = group.pk if isinstance(group, Group) else group
    visible = access_group(actor=actor, group_id=group_id)
    if not can_manage(actor=actor, group=visible):
        raise ActionForbidden(_("只有群管理员和负责的社会工作者可以进行这项操作。"))
    return visible


def _account_roles(user) -> set[str]:
    from sanshe.accounts.models import Membership

    return set(Membership.objects.filter(user=user, is_active=True).values_list("role", flat=True))


def _role_word(role: str) -> str:
    return ROLE_WORDS.get(role, ("",))[0]


def _staff_nickname(user, role: str, convention: str) -> str:
    name = user.display_name or user.username
    if role == MemberRole.ADMIN:
        # A resident group's admin is usually a community worker: "社区-姓名", not "社工-姓名".
        account = _account_roles(user)
        word = "社工" if Role.SOCIAL_WORKER in account else ("社区" if Role.COMMUNITY_WORKER in account else "管理员")
        return suggest(convention, role_word=word, name=name) or f"{word}-{name}"
    return suggest(convention, role_word=_role_word(role), name=name) or f"{_role_word(role)}-{name}".strip("-")


def _is_blacklisted(*, organisation_id: int, user) -> bool:
    return Blacklist.objects.filter(organisation_id=organisation_id, user=user, lifted_at__isnull=True).exists()


def _notify(user_id: int, data: dict) -> None:
    events.push_after_commit(events.user_channel(user_id), data)


def _snapshot(message: Message | None) -> str:
    if message is None:
        return ""
    return message.body + (" [图片]" if message.image_id else "")


def _moderation_record(*, actor, group: Group, kind: str, target=None, message: Message | None = None,
                       category: str = "", reason: str = "", until: datetime | None = None) -> ModerationAction:
    record = ModerationAction(
        organisation_id=group.organisation_id, group=group, actor=actor if getattr(actor, "pk", None) else None,
        target=target, kind=kind, category=category, message=message, message_snapshot=_snapshot(message),
        reason=reason[:300], until=until,
    )
    record.full_clean()
    record.save()
    return record


# ---------------------------------------------------------------------------------------------- groups

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


# ---------------------------------------------------------------------------------------------- members

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


def _remove(*, actor, group: Group, member: GroupMember, reason: str, category: str = "",
            message: Message | None = None, kind: str = ModerationActionKind.REMOVE) -> ModerationAction:
    member.status = MemberStatus.REMOVED
    member.left_at = timezone.now()
    member.save(update_fields=["status", "left_at", "updated_at"])
    record = _moderation_record(actor=actor, group=group, kind=kind, target=member.user, message=message,
                                category=category, reason=reason)
    _notify(member.user_id, {"kind": "removed", "group_id": group.pk, "reason": reason})
    return record


@transaction.atomic
def member_remove(*, actor, member: GroupMember, reason: str) -> list[ModerationAction]:
    """Remove a member from the group (and blacklist after repeated removals)."""
    group = _managed_group(actor=actor, group=member.group_id)
    if member.user_id == group.admin_id:
        raise ValidationError(_("不能移出群管理员。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请写明移出理由。")})
    member = GroupMember.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError(_("该成员已不在群中。"))
    records = [_remove(actor=actor, group=group, member=member, reason=reason)]
    records += _maybe_blacklist(actor=actor, group=group, user=member.user, reason=reason)
    audit_record(actor=actor, action="groups.member.remove", obj=group, reason=reason,
                 detail={"member": member.pk}, organisation_id=group.organisation_id)
    return records


def _maybe_blacklist(*, actor, group: Group, user, reason: str) -> list[ModerationAction]:
    policy = moderation_policy(organisation_id=group.organisation_id)
    removals = ModerationAction.objects.filter(organisation_id=group.organisation_id, target=user,
                                               kind=ModerationActionKind.REMOVE).count()
    if removals < policy.blacklist_after_removals or _is_blacklisted(organisation_id=group.organisation_id, user=user):
        return []
    Blacklist.objects.create(organisation_id=group.organisation_id, user=user, reason=reason[:300] or "多次被移出群",
                             created_by=actor if getattr(actor, "pk", None) else None)
    records = [_moderation_record(actor=actor, group=group, kind=ModerationActionKind.BLACKLIST, target=user,
                                  reason=_("第 %(n)d 次被移出本机构的群") % {"n": removals})]
    # Out of every other group of the organisation as well.
    for other in GroupMember.objects.filter(user=user, status=MemberStatus.ACTIVE,
                                            group__organisation_id=group.organisation_id).select_related("group"):
        if other.group.admin_id != user.pk:
            other.status = MemberStatus.REMOVED
            other.left_at = timezone.now()
            other.save(update_fields=["status", "left_at", "updated_at"])
            _notify(user.pk, {"kind": "removed", "group_id": other.group_id, "reason": reason})
    return records


@transaction.atomic
def member_mute(*, actor, member: GroupMember, minutes: int, reason: str = "") -> ModerationAction:
    """Mute a member for `minutes` (they can still read, and still use private chat)."""
    group = _managed_group(actor=actor, group=member.group_id)
    if not 1 <= minutes <= 60 * 24 * 30:
        raise ValidationError({"minutes": _("禁言时长应在 1 分钟到 30 天之间。")})
    until = timezone.now() + timedelta(minutes=minutes)
    GroupMember.objects.filter(pk=member.pk).update(muted_until=until)
    record = _moderation_record(actor=actor, group=group, kind=ModerationActionKind.MUTE, target=member.user,
                                reason=reason, until=until)
    audit_record(actor=actor, action="groups.member.mute", obj=group, reason=reason,
                 detail={"member": member.pk, "minutes": minutes}, organisation_id=group.organisation_id)
    _notify(member.user_id, {"kind": "muted", "group_id": group.pk, "until": until.isoformat()})
    return record


@transaction.atomic
def member_unmute(*, actor, member: GroupMember) -> ModerationAction:
    group = _managed_group(actor=actor, group=member.group_id)
    GroupMember.objects.filter(pk=member.pk).update(muted_until=None)
    record = _moderation_record(actor=actor, group=group, kind=ModerationActionKind.UNMUTE, target=member.user)
    audit_record(actor=actor, action="groups.member.unmute", obj=group, detail={"member": member.pk},
                 organisation_id=group.organisation_id)
    _notify(member.user_id, {"kind": "muted", "group_id": group.pk, "until": None})
    return record


@transaction.atomic
def member_warn(*, actor, member: GroupMember, category: str = "", message: Message | None = None,
                reason: str = "") -> list[ModerationAction]:
    """Warn a member; the ladder then mutes or removes (and blacklists) at the organisation's thresholds."""
    group = _managed_group(actor=actor, group=member.group_id)
    return _warn(actor=actor, group=group, member=member, category=category, message=message, reason=reason)


def _warn(*, actor, group: Group, member: GroupMember, category: str, message: Message | None,
          reason: str) -> list[ModerationAction]:
    member = GroupMember.objects.select_for_update().get(pk=member.pk)
    if member.user_id == group.admin_id:
        raise ValidationError(_("不能警告群管理员。"))
    policy = moderation_policy(organisation_id=group.organisation_id)
    records = [_moderation_record(actor=actor, group=group, kind=ModerationActionKind.WARN, target=member.user,
                                  message=message, category=category, reason=reason)]
    warnings = ModerationAction.objects.filter(group=group, target=member.user,
                                               kind=ModerationActionKind.WARN).count()
    _notify(member.user_id, {"kind": "warned", "group_id": group.pk, "count": warnings, "reason": reason})
    if warnings >= policy.remove_after_warnings and member.status == MemberStatus.ACTIVE:
        ladder_reason = _("累计警告 %(n)d 次，移出本群") % {"n": warnings}
        records.append(_remove(actor=actor, group=group, member=member, reason=ladder_reason, category=category,
                               message=message))
        records += _maybe_blacklist(actor=actor, group=group, user=member.user, reason=ladder_reason)
    elif warnings >= policy.mute_after_warnings:
        until = timezone.now() + timedelta(minutes=policy.mute_minutes)
        GroupMember.objects.filter(pk=member.pk).update(muted_until=until)
        records.append(_moderation_record(
            actor=actor, group=group, kind=ModerationActionKind.MUTE, target=member.user, message=message,
            category=category, until=until,
            reason=_("累计警告 %(n)d 次，禁言 %(m)d 分钟") % {"n": warnings, "m": policy.mute_minutes}))
        _notify(member.user_id, {"kind": "muted", "group_id": group.pk, "until": until.isoformat()})
    audit_record(actor=actor, action="groups.member.warn", obj=group, reason=reason,
                 detail={"member": member.pk, "category": category, "steps": [r.kind for r in records]},
                 organisation_id=group.organisation_id)
    return records


# ---------------------------------------------------------------------------------------------- duty

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


# ---------------------------------------------------------------------------------------------- images

@transaction.atomic
def image_upload(*, actor, group: Group, data: bytes, filename: str = "") -> ChatImage:
    """Check a picture (type by content, size, pixels before decoding), strip its metadata (GPS!) and keep it.

    Decoding happens in a child process with memory and time limits (sanshe.core.uploads): a picture built to
    explode is refused with a message and cannot take the server down.
    """
    group = access_group(actor=actor, group_id=group.pk)
    if not GroupMember.objects.filter(group=group, user=actor, status=MemberStatus.ACTIVE).exists():
        raise ObjectNotFound(group.pk)
    if not data:
        raise ValidationError({"image": _("没有收到图片，请重新选择。")})
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError({"image": _("图片不能超过 5 MB（这张 %(mb).1f MB）。") % {"mb": len(data) / 1048576}})
    try:
        clean = parse_untrusted(image_clean, data, formats=tuple(IMAGE_FORMATS), max_side=MAX_IMAGE_SIDE,
                                max_pixels=settings.UPLOAD_IMAGE_MAX_PIXELS)
    except UntrustedFileError as exc:
        reasons = {
            "not_image": _("只能发送 JPG、PNG、GIF 或 WebP 图片，这个文件不是有效的图片。"),
            "format": _("只能发送 JPG、PNG、GIF 或 WebP 图片。"),
            "too_large": _("图片尺寸过大，请截图或压缩后再发。"),
        }
        raise ValidationError({"image": reasons.get(exc.code, exc.message)}) from exc
    output, content_type, suffix, width, height = (clean.data, clean.content_type, clean.suffix, clean.width,
                                                   clean.height)
    chat_image = ChatImage(uploaded_by=actor, group=group, content_type=content_type, size=len(output),
                           width=width, height=height)
    chat_image.file.save(f"{secrets.token_hex(16)}.{suffix}", ContentFile(output), save=False)
    chat_image.save()
    return chat_image


# ---------------------------------------------------------------------------------------------- messages

_MENTION = re.compile(r"@([^\s@，,。：:]{1,40})")


def _mentioned_users(group: Group, body: str) -> list[int]:
    if "@" not in body:
        return []
    names = {}
    for user_id, nickname, display_name, username in GroupMember.objects.filter(
            group=group, status=MemberStatus.ACTIVE).values_list("user_id", "nickname", "user__display_name",
                                                                 "user__username"):
        for name in (nickname, display_name, username):
            if name:
                names.setdefault(name, user_id)
    found = []
    for name in sorted(names, key=len, reverse=True):
        if f"@{name}" in body and names[name] not in found:
            found.append(names[name])
    return found


def _publish(message: Message, *, group: Group, thread: PrivateThread | None, now: datetime) -> None:
    message.status = MessageStatus.PUBLISHED
    message.published_at = now
    event = events.event_append(group=group, thread=thread, kind=EventKind.MESSAGE, message=message)
    message.seq = event.seq
    message.save(update_fields=["status", "published_at", "seq", "reviewed_by", "reviewed_at"])
    event.message = message
    events.push_event_after_commit(event, group=group)
    if thread is not None:
        PrivateThread.objects.filter(pk=thread.pk).update(updated_at=now)
        other = thread.helper_id if message.sender_id == thread.client_id else thread.client_id
        _notify(other, {"kind": "thread_message", "thread_id": thread.pk, "group_id": group.pk})


@dataclass(frozen=True)
class CheckedMessage:
    """A message that passed `message_check`: everything `message_do_send` writes, decided before any write."""

    group: Group
    thread: PrivateThread | None
    body: str
    member: GroupMember | None
    image: ChatImage | None
    reply_to: Message | None
    assessment: risk.RiskResult
    risk_from_context: bool  # the sender's earlier messages raised the level above this one alone
    verdict: Verdict | None  # the group rules' verdict (None: not moderated, or nothing held)

    @property
    def held(self) -> bool:
        return bool(self.verdict and self.verdict.holds)


def message_check(*, actor, group: Group, body: str = "", thread: PrivateThread | None = None,
                  image_id: int | None = None, reply_to_id: int | None = None,
                  now: datetime | None = None) -> CheckedMessage:
    """Validate a message without writing anything: the length, the sender's right to post now (duty, mute,
    slow mode, thread participation), the picture and the quoted message; read its risk and the group rules.

    Raises PostingRefused (the member may not post now) or ValidationError (this message cannot be sent).
    """
    now = _now(now)
    body = (body or "").strip()
    if len(body) > MAX_BODY_CHARS:
        raise ValidationError({"body": _("消息太长（最多 %(n)d 字），请分几条发送。") % {"n": MAX_BODY_CHARS}})
    if not body and not image_id:
        raise ValidationError({"body": _("不能发送空消息。")})

    member = GroupMember.objects.filter(group=group, user=actor).first()
    moderated = True
    if thread is None:
        # Ask the duty roster only when it decides anything: a duty-bound member of a consultation group.
        on_duty = (member is not None and member.role in DUTY_BOUND_ROLES and group.tier in CONSULTATION_TIERS
                   and group.admin_id != actor.pk and actor.pk in on_duty_user_ids(group=group, at=now))
        decision = posting_decision(
            tier=group.tier, role=member.role if member else None, status=member.status if member else None,
            is_admin=group.admin_id == actor.pk, on_duty=on_duty,
            muted_until=member.muted_until if member else None, now=now, archived=group.is_archived)
        if not decision:
            raise PostingRefused(decision.reason)
        settings = group_settings(group)
        if settings.slow_mode_seconds and not member.is_staff_role:
            last = (Message.objects.filter(group=group, thread__isnull=True, sender=actor)
                    .exclude(status=MessageStatus.REJECTED).order_by("-created_at").values_list("created_at", flat=True)
                    .first())
            if last is not None and (now - last).total_seconds() < settings.slow_mode_seconds:
                wait = int(settings.slow_mode_seconds - (now - last).total_seconds()) + 1
                raise PostingRefused(_("本群已开启慢速模式，每 %(n)d 秒可发一条，请 %(w)d 秒后再发。")
                                     % {"n": settings.slow_mode_seconds, "w": wait})
        # The admin and the staff who coordinate the group are not held; everyone else follows the rules.
        moderated = group.admin_id != actor.pk and member.role not in (MemberRole.SOCIAL_WORKER,
                                                                         MemberRole.COMMUNITY_WORKER)
    else:
        if actor.pk not in (thread.client_id, thread.helper_id) or thread.group_id != group.pk:
            raise ObjectNotFound(thread.pk)
        moderated = False  # a private conversation with a helper is never held back

    image = None
    if image_id:
        image = ChatImage.objects.filter(pk=image_id, uploaded_by=actor, group=group).first()
        if image is None or Message.objects.filter(image=image).exists():
            raise ValidationError({"image": _("图片已失效，请重新选择。")})
    reply_to = None
    if reply_to_id:
        reply_to = Message.objects.filter(pk=reply_to_id, group=group, thread=thread,
                                          status=MessageStatus.PUBLISHED).select_related("sender").first()
        if reply_to is None:
            raise ValidationError({"reply_to": _("被回复的消息已不存在。")})

    assessment, from_context = _risk_in_context(actor=actor, group=group, thread=thread, body=body, now=now)
    verdict = None
    if moderated and (body or image is not None):
        probation_minutes = moderation_policy(organisation_id=group.organisation_id).probation_minutes
        probation = bool(member and member.joined_at and now - member.joined_at < timedelta(minutes=probation_minutes))
        verdict = rulebook_for(organisation_id=group.organisation_id).check(
            body, probation=probation, rumours=rumour_base.rumour_index() if body else None)
        # A person in crisis is not "negative content": risk never hides a message.
        if verdict.holds and assessment.alerts and set(verdict.categories) == {"negative"}:
            verdict = None
    return CheckedMessage(group=group, thread=thread, body=body, member=member, image=image, reply_to=reply_to,
                          assessment=assessment, risk_from_context=from_context,
                          verdict=verdict if verdict and verdict.holds else None)


def message_do_send(*, actor, checked: CheckedMessage, client_id: str = "", mention_ids: list[int] | None = None,
                    now: datetime | None = None) -> SendResult:
    """Write a checked message (inside the caller's transaction): published with the stream's next seq, or held
    for review; its mentions, audit event and risk alert; then `_message_send_on_commit` queues what goes out."""
    now = _now(now)
    group, thread, body, held, verdict = checked.group, checked.thread, checked.body, checked.held, checked.verdict
    image, reply_to, assessment = checked.image, checked.reply_to, checked.assessment
    seq = None
    if not held:
        # Reserve the stream's seq first: the message is inserted published, in one write.
        seq = events.next_seq(group=group, thread=thread)
    message = Message(
        group=group, thread=thread, sender=actor, kind=MessageKind.IMAGE if image else MessageKind.TEXT, body=body,
        seq=seq, published_at=now if seq else None,
        image=image, reply_to=reply_to, client_id=client_id,
        status=MessageStatus.HELD if held else MessageStatus.PUBLISHED,
        held_categories=verdict.categories if held else [],
        held_reason=(_("命中群规：%(terms)s") % {"terms": "、".join(_held_term(m.term) for m in verdict.matches)})[:200]
        if held else "",
        held_rumour=verdict.rumour.rumour.snapshot(verdict.rumour.score) if held and verdict.rumour else {},
        risk_level=assessment.level, risk_signals=assessment.codes, is_question=_is_question(body),
    )
    # Field values are validated here; foreign keys were fetched above and uniqueness is the database's job
    # (skipping the per-field existence queries keeps a send at a few queries).
    message.full_clean(exclude=["group", "thread", "sender", "image", "reply_to"], validate_unique=False,
                       validate_constraints=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # the same client_id raced in on another connection
        # Undo this transaction (the reserved seq too: a stream never has a hole) and answer with the first.
        transaction.set_rollback(True)
        return SendResult(Message.objects.get(sender=actor, client_id=client_id), False)
    mentioned = list(mention_ids or []) + ([] if thread else _mentioned_users(group, body))
    mentioned = [u for u in dict.fromkeys(mentioned) if u != actor.pk]
    if mentioned:
        message.mentions.set(mentioned)
    event = None
    if held:
        audit_record(actor=actor, action="groups.message.held", obj=message,
                     detail={"group": group.pk, "categories": message.held_categories},
                     community_id=group.community_id, organisation_id=group.organisation_id)
    else:
        event = ChatEvent.objects.create(group=group, thread=thread, seq=seq, kind=EventKind.MESSAGE, message=message)
        if thread is not None:
            PrivateThread.objects.filter(pk=thread.pk).update(updated_at=now)
    _message_send_on_commit(actor=actor, checked=checked, message=message, event=event, mentioned=mentioned)
    if assessment.alerts:
        _alert_raise(message=message, group=group, thread=thread, assessment=assessment, now=now,
                     raise_open=checked.risk_from_context)
    return SendResult(message, True)


def _message_send_on_commit(*, actor, checked: CheckedMessage, message: Message, event: ChatEvent | None,
                            mentioned: list[int]) -> None:
    """Queue everything a sent message sends out, delivered only once the transaction commits: the stream event
    to its readers, or the held notices (sender, admin); the private thread's other side; the mentioned."""
    group, thread, member = checked.group, checked.thread, checked.member
    if event is None:
        _notify(actor.pk, {"kind": "held", "group_id": group.pk, "client_id": message.client_id,
                           "message_id": message.pk, "reason": held_notice(message)})
        _notify(group.admin_id, {"kind": "held_count", "group_id": group.pk})
        return
    names = {actor.pk: (member.nickname if member and member.nickname else str(actor))}
    roles = {actor.pk: member.get_role_display() if member else ""}
    reply_to = checked.reply_to
    if reply_to is not None and reply_to.sender_id and reply_to.sender_id not in names:
        names.update(selectors_stream_names(group, reply_to.sender_id))
    events.push_event_after_commit(event, group=group, nicknames=names, roles=roles, mention_ids=mentioned)
    if thread is not None:
        other = thread.helper_id if actor.pk == thread.client_id else thread.client_id
        _notify(other, {"kind": "thread_message", "thread_id": thread.pk, "group_id": group.pk})
    if mentioned and thread is None:
        for user_id in mentioned:
            _notify(user_id, {"kind": "mention", "group_id": group.pk, "message_id": message.pk})


@transaction.atomic
def message_send(*, actor, group: Group, body: str = "", thread: PrivateThread | None = None,
                 image_id: int | None = None, reply_to_id: int | None = None, client_id: str = "",
                 mention_ids: list[int] | None = None, now: datetime | None = None) -> SendResult:
    """Save a message (published, or held for review by the group rules) and push it after commit:
    `message_check`, then `message_do_send` (as Zulip's check_send_message / do_send_messages).

    A resend with the same `client_id` returns the first message: a flaky connection never doubles it.
    """
    now = _now(now)
    client_id = (client_id or "")[:40]
    if client_id:
        existing = Message.objects.filter(sender=actor, client_id=client_id).first()
        if existing is not None:
            return SendResult(existing, False)
    checked = message_check(actor=actor, group=group, body=body, thread=thread, image_id=image_id,
                            reply_to_id=reply_to_id, now=now)
    return message_do_send(actor=actor, checked=checked, client_id=client_id, mention_ids=mention_ids, now=now)


def _risk_in_context(*, actor, group: Group, thread: PrivateThread | None, body: str,
                     now: datetime) -> tuple[risk.RiskResult, bool]:
    """The message's risk read with the sender's own messages in the same stream over the last 30 minutes
    (published or held; one query). True when the earlier messages raised the level above the message alone."""
    alone = risk.assess(body)
    if not body or not risk.mentions_risk(body):
        return alone, False
    # The body is encrypted at rest: read through the model field, never compared in SQL.
    earlier = list(Message.objects.filter(
        group=group, thread=thread, sender=actor, kind=MessageKind.TEXT,
        status__in=[MessageStatus.PUBLISHED, MessageStatus.HELD],
        created_at__gte=now - timedelta(minutes=RISK_CONTEXT_MINUTES),
    ).order_by("-created_at", "-id").values_list("body", flat=True)[:RISK_CONTEXT_MESSAGES])
    if not earlier:
        return alone, False
    combined = risk.assess_context([b or "" for b in reversed(earlier)] + [body])
    if combined.level > alone.level:
        return combined, True
    return alone, False


def _held_term(term: str) -> str:
    """A matched rule term as the reviewer reads it; the statistical second opinion's "model:0.97" in words."""
    if term.startswith("model:"):
        return _("统计模型判断（把握 %(score)s）") % {"score": term.partition(":")[2]}
    return term


def selectors_stream_names(group: Group, user_id: int) -> dict[int, str]:
    from .selectors import stream_names

    return stream_names(group=group, user_ids={user_id})[0]


def _is_question(body: str) -> bool:
    from .rules import is_question

    return is_question(body)


def held_label(message: Message) -> str:
    """What the sender of a held message is told: the rule categories, not the matched words."""
    if message.status != MessageStatus.HELD:
        return ""
    label = "、".join(_category_labels(message.held_categories)) or message.held_reason
    if "private_data" in (message.held_categories or []):
        label += _("。身份证号、手机号、病情等个人信息请不要发在群里；需要工作人员帮忙的，请改用私聊发给值班员"
                   "（本页上方“私聊医务值班员”“私聊心理值班员”）")
    return label


def held_notice(message: Message) -> str:
    """The sentence the sender sees under a held message."""
    return _("消息需群管理员审核后显示（%(why)s）。") % {"why": held_label(message)}


def _category_labels(categories: list[str]) -> list[str]:
    from .models import RuleCategory

    labels = dict(RuleCategory.choices)
    return [str(labels.get(c, c)) for c in categories]


@transaction.atomic
def message_review(*, actor, message: Message, approve: bool, reason: str = "", warn: bool = False) -> Message:
    """The admin approves a held message (it is published) or rejects it (deleted, optionally with a warning)."""
    group = _managed_group(actor=actor, group=message.group_id)
    message = Message.objects.select_for_update(of=("self",)).select_related("sender", "image", "reply_to").get(
        pk=message.pk)
    if message.status != MessageStatus.HELD:
        raise ValidationError(_("这条消息已经处理过了。"))
    now = timezone.now()
    message.reviewed_by = actor
    message.reviewed_at = now
    category = (message.held_categories or [""])[0]
    category = category if category in dict(ModerationAction._meta.get_field("category").choices) else ""
    if approve:
        was_published = message.seq is not None
        _moderation_record(actor=actor, group=group, kind=ModerationActionKind.APPROVE, target=message.sender,
                           message=message, category=category, reason=reason)
        if was_published:  # held after reports: show it again with a new event
            message.status = MessageStatus.PUBLISHED
            message.save(update_fields=["status", "reviewed_by", "reviewed_at"])
            event = events.event_append(group=group, thread=message.thread, kind=EventKind.MESSAGE, message=message)
            events.push_event_after_commit(event, group=group)
        else:
            _publish(message, group=group, thread=message.thread, now=now)
    else:
        message.status = MessageStatus.REJECTED
        message.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        _moderation_record(actor=actor, group=group, kind=ModerationActionKind.REJECT, target=message.sender,
                           message=message, category=category, reason=reason)
        if warn and message.sender_id:
            member = GroupMember.objects.filter(group=group, user_id=message.sender_id).first()
            if member is not None:
                _warn(actor=actor, group=group, member=member, category=category, message=message, reason=reason)
    audit_record(actor=actor, action="groups.message.approve" if approve else "groups.message.reject", obj=message,
                 reason=reason, detail={"group": group.pk, "warn": warn}, organisation_id=group.organisation_id)
    if message.sender_id:
        _notify(message.sender_id, {"kind": "reviewed", "group_id": group.pk, "message_id": message.pk,
                                    "approved": approve, "client_id": message.client_id})
    return message


def debunk_text(snapshot: dict) -> str:
    """The reply the admin sends for a held rumour: the claim named as a rumour, the debunk and its source."""
    source = snapshot.get("source") or ""
    link = snapshot.get("link") or ""
    lines = [_("【辟谣】网传“%(claim)s”，不实。") % {"claim": snapshot.get("claim", "")}, snapshot.get("debunk", "")]
    if source or link:
        lines.append(_("来源：%(source)s") % {"source": " ".join(p for p in (source, link) if p)})
    return "\n".join(line for line in lines if line)[:MAX_BODY_CHARS]


@transaction.atomic
def message_debunk_reply(*, actor, message: Message) -> Message:
    """One tap on a held rumour: reject it and publish the matched entry's debunk into the group as the admin.

    The held message was never shown, so the debunk replies to nothing; it names the rumour instead.
    """
    group = _managed_group(actor=actor, group=message.group_id)
    snapshot = Message.objects.filter(pk=message.pk).values_list("held_rumour", flat=True).first() or {}
    if not snapshot.get("debunk"):
        raise ValidationError(_("这条消息没有对应的辟谣条目。"))
    rejected = message_review(actor=actor, message=message, approve=False, reason=_("谣言，已在群里发送辟谣"))
    sent = message_send(actor=actor, group=group, body=debunk_text(snapshot)).message
    audit_record(actor=actor, action="groups.message.debunk", obj=rejected,
                 detail={"group": group.pk, "entry": snapshot.get("entry_id"), "reply": sent.pk},
                 organisation_id=group.organisation_id)
    provider = rumour_base.provider()
    if provider is not None and snapshot.get("entry_id"):
        provider.debunk_sent(entry_id=snapshot["entry_id"])
    return sent


@transaction.atomic
def message_delete(*, actor, message: Message, reason: str) -> Message:
    """A manager removes a published message from the chat (kept, marked deleted, with the reason)."""
    group = _managed_group(actor=actor, group=message.group_id)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status != MessageStatus.PUBLISHED:
        raise ValidationError(_("这条消息已不在群里显示。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请写明删除理由。")})
    message.status = MessageStatus.DELETED
    message.reviewed_by = actor
    message.reviewed_at = timezone.now()
    message.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    event = events.event_append(group=group, thread=message.thread, kind=EventKind.MESSAGE_REMOVED, message=message)
    events.push_event_after_commit(event, group=group)
    _moderation_record(actor=actor, group=group, kind=ModerationActionKind.DELETE, target=message.sender,
                       message=message, reason=reason)
    audit_record(actor=actor, action="groups.message.delete", obj=message, reason=reason,
                 detail={"group": group.pk}, organisation_id=group.organisation_id)
    return message


@transaction.atomic
def message_report(*, actor, message: Message, reason: str = "") -> Message:
    """A member reports a message; enough different reporters (or one staff member) hold it for review."""
    message = access_message(actor=actor, message_id=message.pk)
    group = message.group
    if message.thread_id is not None:
        raise ValidationError(_("私聊消息不能举报，请直接联系群管理员。"))
    reporter = GroupMember.objects.filter(group=group, user=actor, status=MemberStatus.ACTIVE).first()
    if reporter is None:
        raise ObjectNotFound(message.pk)
    if message.sender_id == actor.pk:
        raise ValidationError(_("不能举报自己的消息。"))
    if message.status != MessageStatus.PUBLISHED:
        raise ValidationError(_("这条消息已在审核中或已被移除，谢谢您的提醒。"))
    report = MessageReport(message=message, reporter=actor, reason=reason.strip()[:200])
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise ValidationError(_("您已举报过这条消息，群管理员会尽快处理。")) from exc
    count = MessageReport.objects.filter(message=message).count()
    Message.objects.filter(pk=message.pk).update(report_count=count)
    message.report_count = count
    threshold = moderation_policy(organisation_id=group.organisation_id).report_threshold
    trusted = reporter.is_staff_role
    if count >= threshold or trusted:
        message.status = MessageStatus.HELD
        message.held_reason = (_("工作人员举报") if trusted else _("%(n)d 位成员举报") % {"n": count})
        message.save(update_fields=["status", "held_reason", "report_count"])
        event = events.event_append(group=group, kind=EventKind.MESSAGE_REMOVED, message=message)
        events.push_event_after_commit(event, group=group)
        _moderation_record(actor=None, group=group, kind=ModerationActionKind.HOLD_REPORTS, target=message.sender,
                           message=message, reason=message.held_reason)
        _notify(group.admin_id, {"kind": "held_count", "group_id": group.pk})
    audit_record(actor=actor, action="groups.message.report", obj=message,
                 detail={"group": group.pk, "reports": count}, organisation_id=group.organisation_id)
    return message


def read_mark(*, actor, group: Group, seq: int, thread: PrivateThread | None = None) -> None:
    """Remember how far the actor has read (only ever forward)."""
    if thread is not None:
        field = "client_read_seq" if thread.client_id == actor.pk else "helper_read_seq"
        PrivateThread.objects.filter(pk=thread.pk, **{f"{field}__lt": seq}).update(
            **{field: min(seq, thread.last_seq)})
        return
    GroupMember.objects.filter(group=group, user=actor, last_read_seq__lt=seq).update(
        last_read_seq=min(seq, group.last_seq))


# ---------------------------------------------------------------------------------------------- threads

@transaction.atomic
def thread_open(*, actor, group: Group, kind: str, now: datetime | None = None) -> PrivateThread:
    """私聊值班员: a member opens a one-to-one thread with the on-duty helper of `kind`."""
    now = _now(now)
    group = access_group(actor=actor, group_id=group.pk)
    member = GroupMember.objects.filter(group=group, user=actor, status=MemberStatus.ACTIVE).first()
    if member is None:
        raise ObjectNotFound(group.pk)
    if kind not in (DutyKind.MEDICAL, DutyKind.PSYCHOLOGICAL):
        raise ValidationError({"kind": _("请选择医务或心理值班员。")})
    helper = on_duty_helper(group=group, kind=kind, at=now)
    if helper is None:
        raise ValidationError(_("现在没有值班的%(kind)s。请在群里留言，或稍后再试；紧急情况请拨打 120。")
                              % {"kind": MemberRole(ROLE_FOR_KIND[kind]).label})
    if helper.pk == actor.pk:
        raise ValidationError(_("您就是当前的值班人员。"))
    thread, created = PrivateThread.objects.get_or_create(group=group, client=actor, helper=helper,
                                                          defaults={"kind": kind})
    if created:
        audit_record(actor=actor, action="groups.thread.open", obj=thread, detail={"group": group.pk, "kind": kind},
                     community_id=group.community_id, organisation_id=group.organisation_id)
        _notify(helper.pk, {"kind": "thread", "thread_id": thread.pk, "group_id": group.pk})
    return thread


@transaction.atomic
def thread_open_with(*, actor, group: Group, client, now: datetime | None = None) -> PrivateThread:
    """A helper on duty (or the group's admin) opens a private thread with a member, e.g. from a risk alert."""
    now = _now(now)
    group = access_group(actor=actor, group_id=group.pk)
    me = GroupMember.objects.filter(group=group, user=actor, status=MemberStatus.ACTIVE).first()
    if me is None or not me.is_staff_role:
        raise ActionForbidden(_("只有群内工作人员可以发起私聊。"))
    if group.admin_id != actor.pk and actor.pk not in on_duty_user_ids(group=group, at=now):
        raise ValidationError(_("非值班时间不能以值班身份发起私聊，请联系群管理员。"))
    if not GroupMember.objects.filter(group=group, user=client).exists():
        raise ObjectNotFound(client.pk)
    kind = {MemberRole.MEDICAL: DutyKind.MEDICAL, MemberRole.PSYCHOLOGICAL: DutyKind.PSYCHOLOGICAL,
            MemberRole.SECRETARY: DutyKind.SECRETARY}.get(me.role, DutyKind.SOCIAL_WORK)
    thread, created = PrivateThread.objects.get_or_create(group=group, client=client, helper=actor,
                                                          defaults={"kind": kind})
    if created:
        audit_record(actor=actor, action="groups.thread.open", obj=thread, detail={"group": group.pk, "kind": kind},
                     community_id=group.community_id, organisation_id=group.organisation_id)
        _notify(client.pk, {"kind": "thread", "thread_id": thread.pk, "group_id": group.pk})
    return thread


@transaction.atomic
def thread_read_by_admin(*, actor, thread: PrivateThread) -> None:
    """The group's admin opens a private thread they do not take part in: always audited."""
    thread = access_thread(actor=actor, thread_id=thread.pk)
    if actor.pk in (thread.client_id, thread.helper_id):
        return
    audit_record(actor=actor, action="groups.thread.read", obj=thread, reason=_("群管理员查看私聊"),
                 detail={"group": thread.group_id}, community_id=thread.group.community_id,
                 organisation_id=thread.group.organisation_id)


# ---------------------------------------------------------------------------------------------- risk alerts

def _on_duty_members(group: Group, roles: set[str], now: datetime) -> set[int]:
    on_duty = on_duty_user_ids(group=group, at=now)
    if not on_duty:
        return set()
    by_role: dict[str, set[int]] = {}
    for user_id, role in GroupMember.objects.filter(group=group, user_id__in=on_duty, role__in=roles,
                                                    status=MemberStatus.ACTIVE).values_list("user_id", "role"):
        by_role.setdefault(role, set()).add(user_id)
    # Alerts go to volunteers cleared for duty only: the others cannot open the group (issue 3).
    return set().union(*(cleared_for(ids, role) for role, ids in by_role.items()))


def _community_staff(group: Group, roles: list[str]) -> set[int]:
    from sanshe.accounts.models import Membership

    ids = set(Membership.objects.filter(is_active=True, role__in=[r for r in roles if r != Role.ORG_ADMIN],
                                        communities=group.community_id).values_list("user_id", flat=True))
    if Role.ORG_ADMIN in roles:
        ids |= set(Membership.objects.filter(is_active=True, role=Role.ORG_ADMIN,
                                             organisation_id=group.organisation_id).values_list("user_id", flat=True))
    return ids


def _escalation_chain(group: Group, domain: str, now: datetime) -> list[set[int]]:
    """Who an alert reaches first, then at each escalation step."""
    first = {group.admin_id} | _on_duty_members(
        group, {MemberRole.PSYCHOLOGICAL} if domain == "suicide" else {MemberRole.MEDICAL}, now)
    return [
        first,
        _on_duty_members(group, {MemberRole.PSYCHOLOGICAL, MemberRole.MEDICAL, MemberRole.SECRETARY,
                                 MemberRole.SOCIAL_WORKER}, now) | _community_staff(group, [Role.SOCIAL_WORKER]),
        _community_staff(group, [Role.ORG_ADMIN]),
        _community_staff(group, [Role.COMMUNITY_WORKER]),
    ]


def _alert_data(alert: RiskAlert) -> dict:
    return {"kind": "alert", "alert_id": alert.pk, "group_id": alert.group_id, "thread_id": alert.thread_id,
            "level": alert.level, "signals": [risk.label(c) for c in alert.signals],
            "imminent": alert.level >= risk.IMMINENT_LEVEL, "message_id": alert.message_id}


def _deliver(alert: RiskAlert, user_ids: set[int], step: int, exclude: set[int]) -> set[int]:
    already = set(RiskAlertRecipient.objects.filter(alert=alert).values_list("user_id", flat=True))
    new = {u for u in user_ids if u and u not in already and u not in exclude}
    RiskAlertRecipient.objects.bulk_create([RiskAlertRecipient(alert=alert, user_id=u, step=step) for u in new])
    data = _alert_data(alert)
    for user_id in new:
        _notify(user_id, data)
    return new


def _alert_raise(*, message: Message, group: Group, thread: PrivateThread | None, assessment: risk.RiskResult,
                 now: datetime, raise_open: bool = False) -> RiskAlert:
    """A new alert for the message; or, when the sender's earlier messages raised the level (`raise_open`) and
    an alert of theirs in this stream is still open, that alert raised: one person, one alert, the latest level.

    An alert a crisis already carries is not raised: the new alert is handed to that crisis by the crisis
    feature (sanshe.groups.handover), which keeps its own chain."""
    imminent = assessment.level >= risk.IMMINENT_LEVEL
    alert = None
    if raise_open and message.sender_id:
        alert = (RiskAlert.objects.select_for_update()
                 .filter(group=group, thread=thread, subject_id=message.sender_id, status=RiskAlertStatus.OPEN,
                         crisis_id__isnull=True)
                 .order_by("-created_at", "-id").first())
    if alert is not None and assessment.level <= alert.level:
        # The episode goes on at the level already raised: the new signals are added, nobody is told twice.
        alert.signals = list(dict.fromkeys(list(alert.signals) + assessment.codes))[:24]
        alert.save(update_fields=["signals"])
        return alert
    if alert is not None:
        was_imminent, previous = alert.level >= risk.IMMINENT_LEVEL, alert.level
        alert.level = max(alert.level, assessment.level)
        alert.signals = list(dict.fromkeys(assessment.codes + list(alert.signals)))[:24]
        imminent = alert.level >= risk.IMMINENT_LEVEL
        if imminent and not was_imminent:
            deadline = now + timedelta(minutes=IMMINENT_ACK_MINUTES)
            alert.ack_deadline = min(alert.ack_deadline, deadline) if alert.ack_deadline else deadline
        alert.save(update_fields=["level", "signals", "ack_deadline"])
        refer = imminent and not was_imminent
        audit_action, detail = "groups.risk_alert.raise_level", {"from": previous, "level": alert.level,
                                                                 "message": message.pk, "group": group.pk,
                                                                 "domain": assessment.domain}
    else:
        alert = RiskAlert.objects.create(
            organisation_id=group.organisation_id, group=group, thread=thread, message=message,
            subject_id=message.sender_id, level=assessment.level, signals=assessment.codes,
            ack_deadline=now + timedelta(minutes=IMMINENT_ACK_MINUTES if imminent else ALERT_ACK_MINUTES),
        )
        refer = imminent
        audit_action, detail = "groups.risk_alert.raise", {"level": assessment.level, "group": group.pk,
                                                           "domain": assessment.domain}
    chain = _escalation_chain(group, assessment.domain, now)
    # Imminent: everyone responsible at once, not one by one.
    first = set().union(*chain[:2]) if imminent else chain[0]
    told = set(RiskAlertRecipient.objects.filter(alert=alert).values_list("user_id", flat=True))
    _deliver(alert, first, alert.escalation_step, exclude={message.sender_id})
    if told:  # those already told of a raised alert hear it again, at its new level
        data = {**_alert_data(alert), "raised": True}
        for user_id in told:
            _notify(user_id, data)
    if refer and message.sender_id and apps.is_installed("sanshe.cases"):
        from sanshe.cases.services import referral_from_alert_on_commit

        # Imminent risk also lands in the social workers' inbox at once (issue 6).
        referral_from_alert_on_commit(source="chat", alert_id=alert.pk)
    audit_record(actor=None, actor_label="system", action=audit_action, obj=alert, detail=detail,
                 community_id=group.community_id, organisation_id=group.organisation_id)
    return alert


@transaction.atomic
def alert_acknowledge(*, actor, alert: RiskAlert, note: str = "", now: datetime | None = None) -> RiskAlert:
    """Someone responsible takes the alert; the time to acknowledgement is recorded."""
    now = _now(now)
    alert = RiskAlert.objects.for_actor(actor, "acknowledge").select_for_update().filter(pk=alert.pk).first()
    if alert is None:
        raise ObjectNotFound("alert")
    if alert.status != RiskAlertStatus.OPEN:
        return alert
    crisis_handler = handover.handler() if alert.crisis_id else None
    if crisis_handler is not None:
        # One acknowledgement: the crisis carrying this alert is acknowledged, and it acknowledges every alert
        # it carries (this one included) through alerts_follow_crisis, in this transaction.
        crisis_handler.acknowledge(actor=actor, crisis_id=alert.crisis_id, alert_id=alert.pk, now=now)
        alert.refresh_from_db()
        if note.strip() and alert.acknowledged_by_id == actor.pk:
            alert.note = note.strip()[:2000]
            alert.save(update_fields=["note"])
        if alert.status != RiskAlertStatus.OPEN:
            return alert
    _alert_ack(alert, actor=actor, now=now, note=note.strip())
    return alert


def _alert_ack(alert: RiskAlert, *, actor, now: datetime, note: str = "", crisis_id: int | None = None) -> None:
    alert.status = RiskAlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = now
    alert.acknowledged_by = actor
    alert.ack_seconds = max(int((now - alert.created_at).total_seconds()), 0)
    alert.ack_deadline = None
    alert.note = note[:2000]
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "ack_seconds", "ack_deadline", "note"])
    detail = {"ack_seconds": alert.ack_seconds, "level": alert.level}
    if crisis_id:
        detail["crisis"] = crisis_id
    audit_record(actor=actor, action="groups.risk_alert.acknowledge", obj=alert, detail=detail,
                 community_id=alert.group.community_id, organisation_id=alert.organisation_id)
    for user_id in RiskAlertRecipient.objects.filter(alert=alert).values_list("user_id", flat=True):
        _notify(user_id, {"kind": "alert_ack", "alert_id": alert.pk, "by": str(actor)})


@transaction.atomic
def alert_hand_over(*, actor, alert_id: int, crisis_id: int, now: datetime | None = None) -> RiskAlert:
    """A crisis (sanshe.crisis) takes the alert over: the alert's own deadline and escalation stop, the crisis's
    chain carries it, and the alert's state is the crisis's from now on (sanshe.groups.handover).

    Called by the crisis feature after it checked that the actor may see the alert and open the crisis; the
    crisis then tells the alert its state (`alerts_follow_crisis`) if it is already acknowledged or closed.
    """
    now = _now(now)
    alert = RiskAlert.objects.select_for_update().select_related("group").filter(pk=alert_id).first()
    if alert is None:
        raise ObjectNotFound("alert")
    if alert.crisis_id == crisis_id:
        return alert
    previous = alert.crisis_id
    alert.crisis_id = crisis_id
    if alert.status == RiskAlertStatus.OPEN:
        alert.ack_deadline = None
    alert.save(update_fields=["crisis_id", "ack_deadline"])
    audit_record(actor=actor, action="groups.risk_alert.handover", obj=alert,
                 detail={"crisis": crisis_id, "previous": previous, "status": alert.status},
                 community_id=alert.group.community_id, organisation_id=alert.organisation_id)
    return alert


@transaction.atomic
def alerts_follow_crisis(*, crisis_id: int, status: str, actor=None, note: str = "",
                         now: datetime | None = None) -> int:
    """The alerts a crisis carries take its state: acknowledged (by the same person, at the same time) or closed.

    Called by the crisis feature in the transaction that acknowledges or closes the crisis. Returns how many
    alerts changed.
    """
    now = _now(now)
    alerts = list(RiskAlert.objects.select_for_update().select_related("group")
                  .filter(crisis_id=crisis_id).exclude(status=RiskAlertStatus.CLOSED).order_by("pk"))
    changed = 0
    for alert in alerts:
        if alert.status == RiskAlertStatus.OPEN and status in (RiskAlertStatus.ACKNOWLEDGED, RiskAlertStatus.CLOSED):
            _alert_ack(alert, actor=actor, now=now, note=note, crisis_id=crisis_id)
            changed += 1
        if status == RiskAlertStatus.CLOSED:
            alert.status = RiskAlertStatus.CLOSED
            alert.ack_deadline = None
            alert.save(update_fields=["status", "ack_deadline"])
            audit_record(actor=actor, actor_label="" if actor else "system", action="groups.risk_alert.close",
                         obj=alert, detail={"crisis": crisis_id},
                         community_id=alert.group.community_id, organisation_id=alert.organisation_id)
            changed += 1
    return changed


@transaction.atomic
def alerts_escalate_overdue(*, now: datetime | None = None) -> int:
    """Alerts past their deadline reach the next people in the chain; returns how many escalated."""
    now = _now(now)
    count = 0
    # An alert a crisis carries escalates on the crisis's chain only (sanshe.groups.handover).
    overdue = (RiskAlert.objects.select_for_update().select_related("group")
               .filter(status=RiskAlertStatus.OPEN, ack_deadline__lte=now, crisis_id__isnull=True))
    for alert in overdue:
        chain = _escalation_chain(alert.group, "suicide" if any(
            c.split(":")[0] in risk.LABELS and c.split(":")[0] not in risk.MEDICAL_KINDS
            for c in alert.signals) else "medical", now)
        delivered: set[int] = set()
        step = alert.escalation_step
        while not delivered and step + 1 < len(chain):
            step += 1
            delivered = _deliver(alert, chain[step], step, exclude={alert.subject_id})
        if not delivered:  # nobody new left: remind everyone already told
            data = _alert_data(alert)
            for user_id in RiskAlertRecipient.objects.filter(alert=alert).values_list("user_id", flat=True):
                _notify(user_id, {**data, "reminder": True})
        alert.escalation_step = step
        alert.escalated_at = now
        alert.ack_deadline = now + timedelta(minutes=IMMINENT_ACK_MINUTES)
        alert.save(update_fields=["escalation_step", "escalated_at", "ack_deadline"])
        audit_record(actor=None, actor_label="system", action="groups.risk_alert.escalate", obj=alert,
                     detail={"step": step, "new_recipients": len(delivered)},
                     community_id=alert.group.community_id, organisation_id=alert.organisation_id)
        count += 1
    return count


@transaction.atomic
def alert_refer(*, actor, alert: RiskAlert, note: str = ""):
    """Start a crisis case: refer the alert's subject to the social workers' inbox (the cases feature)."""
    from django.apps import apps as django_apps

    if not django_apps.is_installed("sanshe.cases"):
        raise ValidationError(_("转介功能尚未安装。"))
    from sanshe.cases.models import ReferralUrgency
    from sanshe.cases.services import referral_create
    from sanshe.people.models import Person

    alert = RiskAlert.objects.for_actor(actor, "view").select_related("group").filter(pk=alert.pk).first()
    if alert is None:
        raise ObjectNotFound("alert")
    person = Person.objects.filter(user_id=alert.subject_id).first() if alert.subject_id else None
    if person is None:
        raise ValidationError(_("该成员还没有登记人员信息，无法转介。请先由社区工作者在人员名册中登记，并电话联系本人。"))
    signals = "、".join(risk.label(code) for code in alert.signals[:6])
    reason = _("线上群“%(group)s”风险预警 %(level)d 级：%(signals)s。%(note)s") % {
        "group": alert.group.name, "level": alert.level, "signals": signals, "note": note.strip()}
    urgency = ReferralUrgency.IMMEDIATE if alert.level >= risk.IMMINENT_LEVEL else ReferralUrgency.WITHIN_24H
    referral, _created = referral_create(actor=actor, person_id=person.pk, source_kind="chat", source_id=alert.pk,
                                         reason=reason[:2000], urgency=urgency)
    return referral


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


@transaction.atomic
def thread_arrange(*, actor, group: Group, client, kind: str = DutyKind.PSYCHOLOGICAL,
                   now: datetime | None = None) -> PrivateThread:
    """A manager of the group opens a private thread between a client member and the helper of `kind` on duty now
    (placement: when the group the client needs has nobody on duty, they are not left waiting alone).

    Both are told; the thread opens with a neutral system line so the client sees who will answer.
    """
    now = _now(now)
    group = _managed_group(actor=actor, group=group)
    if not GroupMember.objects.filter(group=group, user=client, status=MemberStatus.ACTIVE,
                                      role=MemberRole.CLIENT).exists():
        raise ObjectNotFound(getattr(client, "pk", client))
    helper = on_duty_helper(group=group, kind=kind, at=now)
    if helper is None:
        raise ValidationError(_("“%(group)s”现在没有值班的%(kind)s，无法开通私聊。") % {
            "group": group.name, "kind": MemberRole(ROLE_FOR_KIND[kind]).label})
    thread, created = PrivateThread.objects.get_or_create(group=group, client=client, helper=helper,
                                                          defaults={"kind": kind})
    helper_member = GroupMember.objects.filter(group=group, user=helper).first()
    body = _("值班%(role)s %(name)s 会在这里和您单独交流，有什么想法都可以直接说。") % {
        "role": MemberRole(ROLE_FOR_KIND[kind]).label, "name": str(helper_member or helper)}
    message = Message(group=group, thread=thread, sender=None, kind=MessageKind.SYSTEM, body=body[:MAX_BODY_CHARS])
    message.save()
    _publish(message, group=group, thread=thread, now=now)
    audit_record(actor=actor, action="groups.thread.arrange", obj=thread,
                 detail={"group": group.pk, "kind": kind, "client": client.pk, "helper": helper.pk,
                         "created": created},
                 community_id=group.community_id, organisation_id=group.organisation_id)
    for user_id in (helper.pk, client.pk):
        _notify(user_id, {"kind": "thread", "thread_id": thread.pk, "group_id": group.pk})
    return thread


def system_message_post(*, group: Group, body: str, now: datetime | None = None) -> Message:
    """A notice from the system (no sender) in the group's main chat, published at once and pushed after commit.

    Callers pass neutral wording: every member of the group reads it.
    """
    now = _now(now)
    seq = events.next_seq(group=group)
    message = Message.objects.create(group=group, sender=None, kind=MessageKind.SYSTEM, body=body[:MAX_BODY_CHARS],
                                     status=MessageStatus.PUBLISHED, seq=seq, published_at=now)
    event = ChatEvent.objects.create(group=group, seq=seq, kind=EventKind.MESSAGE, message=message)
    events.push_event_after_commit(event, group=group, nicknames={}, roles={}, mention_ids=[])
    return message


# ---------------------------------------------------------------------------------------------- secretary

@transaction.atomic
def record_request_create(*, actor, group: Group, message_ids: list[int], note: str = "",
                          consult_kind: str = "") -> RecordRequest:
    """"Record this": keep the quoted messages for a consultation record (tool 3, made by sanshe.records).

    The consultation records themselves belong to the cases feature; until it is installed the request
    waits here, with its quote, for that feature to turn into a record.
    """
    group = access_group(actor=actor, group_id=group.pk)
    me = GroupMember.objects.filter(group=group, user=actor, status=MemberStatus.ACTIVE).first()
    if not can_manage(actor=actor, group=group) and (me is None or not me.is_staff_role):
        raise ActionForbidden(_("只有群内工作人员可以记录咨询。"))
    if not message_ids:
        raise ValidationError(_("请先选择要记录的消息。"))
    if consult_kind and consult_kind not in ("medical", "psychological", "other"):
        raise ValidationError({"consult_kind": _("请选择咨询类别。")})
    messages = list(Message.objects.for_actor(actor, "view").filter(
        group=group, pk__in=message_ids[:50], status=MessageStatus.PUBLISHED).select_related("sender", "image")
        .order_by("seq", "pk"))
    if not messages:
        raise ValidationError(_("所选消息已不存在。"))
    from .selectors import stream_names

    nicknames, _roles = stream_names(group=group, user_ids={m.sender_id for m in messages})
    lines = []
    for message in messages:
        at = timezone.localtime(message.published_at or message.created_at)
        text = message.body + (" [图片]" if message.image_id else "")
        lines.append(f"{at:%m-%d %H:%M} {events.sender_name(message, nicknames)}：{text}")
    staff_ids = set(GroupMember.objects.filter(group=group).exclude(
        role__in=[MemberRole.CLIENT, MemberRole.RESIDENT]).values_list("user_id", flat=True))
    client_id = next((m.sender_id for m in messages if m.sender_id and m.sender_id not in staff_ids), None)
    record = RecordRequest(group=group, requested_by=actor, client_id=client_id, quoted_text="\n".join(lines),
                           consult_kind=consult_kind, note=note.strip()[:2000])
    record.full_clean(exclude=["group", "requested_by", "client"])
    record.save()
    record.messages.set(messages)
    audit_record(actor=actor, action="groups.record_request.create", obj=record,
                 detail={"group": group.pk, "messages": len(messages), "cases_installed":
                         apps.is_installed("sanshe.cases")},
                 community_id=group.community_id, organisation_id=group.organisation_id)
    return record


def nickname_problems(*, group: Group) -> list[tuple[GroupMember, str]]:
    """Active members whose nickname does not follow the group's convention, with why."""
    settings = group_settings(group)
    found = []
    for member in GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE).select_related("user"):
        convention = settings.nickname_staff if member.is_staff_role else settings.nickname_member
        problem = nickname_problem(member.nickname, convention, role=member.role)
        if problem:
            found.append((member, problem))
    return found


@transaction.atomic
def nickname_remind(*, actor, group: Group) -> SendResult | None:
    """The secretary reminds, in the group, everyone whose nickname breaks the convention (@-mentioned)."""
    group = access_group(actor=actor, group_id=group.pk)
    problems = nickname_problems(group=group)
    if not problems:
        return None
    settings = group_settings(group)
    names = " ".join(f"@{m.nickname or m.user}" for m, _p in problems[:30])
    body = _("温馨提示：请以下成员按群规范修改群昵称（居民：%(member)s；工作人员：%(staff)s），方便大家称呼与服务。"
             "谢谢配合！%(names)s") % {"member": settings.nickname_member or _("不限"),
                                  "staff": settings.nickname_staff or _("不限"), "names": names}
    result = message_send(actor=actor, group=group, body=body, mention_ids=[m.user_id for m, _p in problems])
    GroupMember.objects.filter(pk__in=[m.pk for m, _p in problems]).update(nickname_reminded_at=timezone.now())
    return result


DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    "introduce": ("介绍值班志愿者", "大家好！今天（{date}）在群里值班的是：{on_duty}。身体不适请@医务志愿者，"
                              "心里难受请@心理咨询志愿者；涉及个人隐私的问题请点“私聊值班员”。"),
    "open": ("服务开始提醒", "各位群友好，{group}今天的线上服务现在开始（{time}）。请按顺序提问，一次说清一个问题，"
                         "值班志愿者会逐一解答。"),
    "order": ("有序提问提醒", "为了让每个问题都得到解答，请大家先简单说明情况（年龄、症状、持续时间），再提出问题，"
                          "一次一个问题，谢谢配合！"),
    "close": ("服务结束致谢", "今天的线上服务到此结束。衷心感谢{on_duty}的辛勤付出，也感谢大家的信任与配合！"
                          "如遇紧急情况请拨打 120，或私聊群管理员。明天见！"),
}


def template_render(*, group: Group, key: str, now: datetime | None = None) -> str:
    """A secretary's message template filled in for this group now (the organisation's wording if it has one)."""
    now = _now(now)
    custom = MessageTemplate.objects.filter(organisation_id=group.organisation_id, key=key).first()
    if custom is None and key not in DEFAULT_TEMPLATES:
        raise ValidationError({"key": _("没有这个模板。")})
    body = custom.body if custom else DEFAULT_TEMPLATES[key][1]
    on_duty = on_duty_user_ids(group=group, at=now)
    helpers = (GroupMember.objects.filter(group=group, user_id__in=on_duty, status=MemberStatus.ACTIVE)
               .select_related("user").order_by("role"))
    names = "、".join(f"{m.get_role_display()}{m.nickname or m.user}" for m in helpers) or _("各位值班志愿者")
    local = timezone.localtime(now)
    values = {"date": f"{local:%m月%d日}", "time": f"{local:%H:%M}", "group": group.name, "on_duty": names}
    return re.sub(r"\{(date|time|group|on_duty)\}", lambda m: values[m.group(1)], body)


# ---------------------------------------------------------------------------------------------- rules

@transaction.atomic
def rulelist_save(*, actor, organisation, category: str, terms: str, is_active: bool = True) -> RuleList:
    """Save an organisation's word list for one category."""
    from .models import RuleCategory

    if not _can_manage_org(actor, organisation):
        raise ObjectNotFound(organisation.pk)
    if category not in RuleCategory.values:
        raise ValidationError({"category": _("没有这个规则类别。")})
    short = [line.strip() for line in terms.splitlines()
             if line.strip() and not line.strip().startswith("#") and len(line.strip().replace("*", "")) < MIN_TERM_CHARS]
    if short:
        raise ValidationError({"terms": _("关键词至少两个字，否则会误拦大量正常消息：%(t)s") % {"t": "、".join(short[:5])}})
    parsed = parse_terms(terms)
    row, _created = RuleList.objects.get_or_create(organisation=organisation, category=category,
                                                   defaults={"updated_by": actor})
    row.terms = "\n".join(line.strip() for line in terms.splitlines() if line.strip())
    row.is_active = is_active
    row.updated_by = actor
    row.full_clean(exclude=["organisation", "updated_by"])
    row.save()
    audit_record(actor=actor, action="groups.rules.save", obj=row,
                 detail={"category": category, "terms": len(parsed), "active": is_active},
                 organisation_id=organisation.pk)
    return row


def _can_manage_org(actor, organisation) -> bool:
    from .policies import rule_organisations

    return rule_organisations(actor).filter(pk=organisation.pk).exists()


@transaction.atomic
def policy_save(*, actor, organisation, values: dict) -> ModerationPolicy:
    """Save an organisation's ladder thresholds, report threshold, probation and approved sources."""
    if not _can_manage_org(actor, organisation):
        raise ObjectNotFound(organisation.pk)
    policy = ModerationPolicy.objects.filter(organisation=organisation).first() or ModerationPolicy(
        organisation=organisation)
    for name in ("mute_after_warnings", "mute_minutes", "remove_after_warnings", "blacklist_after_removals",
                 "report_threshold", "probation_minutes"):
        if name in values:
            setattr(policy, name, values[name])
    if "approved_domains" in values:
        policy.approved_domains = "\n".join(parse_domains(values["approved_domains"] or ""))
    if policy.remove_after_warnings < policy.mute_after_warnings:
        raise ValidationError({"remove_after_warnings": _("移出群的警告次数不能少于禁言的警告次数。")})
    policy.updated_by = actor
    policy.full_clean(exclude=["organisation", "updated_by"])
    policy.save()
    audit_record(actor=actor, action="groups.policy.save", obj=policy,
                 detail={k: v for k, v in values.items() if k != "approved_domains"}, organisation_id=organisation.pk)
    return policy
