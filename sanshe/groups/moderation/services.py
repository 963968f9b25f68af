"""Moderation writes: reviewing held messages, deleting and reporting, warning, muting, removing and
blacklisting members, the organisation's rule lists and policy."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound

from .. import events, rumour_base
from ..chat.selectors import access_message
from ..chat.services import _publish, message_send
from ..models import (
    Blacklist,
    EventKind,
    Group,
    GroupMember,
    MemberStatus,
    Message,
    MessageReport,
    MessageStatus,
    ModerationAction,
    ModerationActionKind,
    ModerationPolicy,
    RuleList,
)
from ..rules import MIN_TERM_CHARS, parse_domains, parse_terms
from ..service_base import (
    MAX_BODY_CHARS,
    _is_blacklisted,
    _managed_group,
    _moderation_record,
    _notify,
)
from .selectors import moderation_policy


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


@transaction.atomic
def rulelist_save(*, actor, organisation, category: str, terms: str, is_active: bool = True) -> RuleList:
    """Save an organisation's word list for one category."""
    from ..models import RuleCategory

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
    from ..policies import rule_organisations

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
