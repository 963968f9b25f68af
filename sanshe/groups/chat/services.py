"""Chat writes: pictures, sending (check -> do -> send on commit), read markers, private threads, system messages.

Ordinary chat messages are not copied into the audit log: the message row is itself the append-only record of
who said what when. What a person does *to* someone else's message is audited (see moderation)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.uploads import UntrustedFileError, image_clean, parse_untrusted
from sanshe.rules import chatrisk as risk

from .. import events, rumour_base
from ..duty import ROLE_FOR_KIND, on_duty_helper, on_duty_user_ids
from ..membership.selectors import access_group, group_settings
from ..models import (
    ChatEvent,
    ChatImage,
    DutyKind,
    EventKind,
    Group,
    GroupMember,
    MemberRole,
    MemberStatus,
    Message,
    MessageKind,
    MessageStatus,
    PrivateThread,
)
from ..moderation.selectors import moderation_policy, rulebook_for
from ..posting import CONSULTATION_TIERS, DUTY_BOUND_ROLES, posting_decision
from ..rules import Verdict
from ..service_base import (
    IMAGE_FORMATS,
    MAX_BODY_CHARS,
    MAX_IMAGE_BYTES,
    MAX_IMAGE_SIDE,
    RISK_CONTEXT_MESSAGES,
    RISK_CONTEXT_MINUTES,
    PostingRefused,
    SendResult,
    _managed_group,
    _notify,
    _now,
)
from .mentions import mentions_notify
from .selectors import access_thread, stream_names


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
    mentions_notify(message=message, mentioned=mentioned)  # notifications for those not reading (chat/mentions.py)
    if assessment.alerts:
        from ..alerts.services import (
            _alert_raise,  # imported here: the alert chain reads the chat's own modules
        )

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
        names.update(_stream_name(group, reply_to.sender_id))
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


def _stream_name(group: Group, user_id: int) -> dict[int, str]:
    return stream_names(group=group, user_ids={user_id})[0]


def _is_question(body: str) -> bool:
    from ..rules import is_question

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
    from ..models import RuleCategory

    labels = dict(RuleCategory.choices)
    return [str(labels.get(c, c)) for c in categories]


def read_mark(*, actor, group: Group, seq: int, thread: PrivateThread | None = None) -> None:
    """Remember how far the actor has read (only ever forward)."""
    if thread is not None:
        field = "client_read_seq" if thread.client_id == actor.pk else "helper_read_seq"
        PrivateThread.objects.filter(pk=thread.pk, **{f"{field}__lt": seq}).update(
            **{field: min(seq, thread.last_seq)})
        return
    GroupMember.objects.filter(group=group, user=actor, last_read_seq__lt=seq).update(
        last_read_seq=min(seq, group.last_seq))


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
