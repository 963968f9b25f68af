"""Reads of the chat: scoped fetch of threads and messages, streams, catch-up events, private threads, the
flag markers on alerting messages, and what the actor may do on a chat page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from sanshe.core.errors import ObjectNotFound
from sanshe.rules.chatrisk import IMMINENT_LEVEL

from ..duty import on_duty_user_ids
from ..membership.selectors import can_manage, membership_of
from ..models import (
    ChatEvent,
    Group,
    GroupMember,
    Message,
    MessageStatus,
    PrivateThread,
    RiskAlert,
)
from ..posting import PostingDecision, posting_decision

PAGE_SIZE = 50


CATCH_UP_LIMIT = 500


def access_thread(*, actor, thread_id: int) -> PrivateThread:
    """A private thread the actor takes part in (or administers the group of); 404 otherwise."""
    thread = (PrivateThread.objects.for_actor(actor, "view").select_related("group", "client", "helper",
                                                                            "group__admin")
              .filter(pk=thread_id).first())
    if thread is None:
        raise ObjectNotFound(thread_id)
    return thread


def access_message(*, actor, message_id: int, group: Group | None = None) -> Message:
    """A message of a stream the actor may read (whatever its status); 404 otherwise."""
    queryset = Message.objects.for_actor(actor, "view").select_related("group", "thread", "sender", "image")
    if group is not None:
        queryset = queryset.filter(group=group)
    message = queryset.filter(pk=message_id).first()
    if message is None:
        raise ObjectNotFound(message_id)
    return message


def stream_names(*, group: Group, user_ids: set[int] | None = None) -> tuple[dict[int, str], dict[int, str]]:
    """Nicknames (falling back to account names) and role labels of a group's members."""
    queryset = GroupMember.objects.filter(group=group).select_related("user")
    if user_ids is not None:
        queryset = queryset.filter(user_id__in=[u for u in user_ids if u])
    nicknames, roles = {}, {}
    for member in queryset:
        nicknames[member.user_id] = member.nickname or str(member.user)
        roles[member.user_id] = member.get_role_display()
    return nicknames, roles


def _messages_base():
    return Message.objects.select_related("sender", "image", "reply_to__sender").prefetch_related("mentions")


def stream_messages(*, actor, group: Group, thread: PrivateThread | None = None, before_seq: int | None = None,
                    limit: int = PAGE_SIZE) -> list[Message]:
    """The latest published messages of a stream (older than `before_seq`), oldest first; the actor's own
    held messages are included so they can see what awaits review."""
    queryset = _messages_base().filter(group=group, thread=thread)
    visible = Q(status=MessageStatus.PUBLISHED)
    if before_seq is not None:
        visible &= Q(seq__lt=before_seq)
    rows = list(queryset.filter(visible).order_by("-seq")[:limit])
    rows.reverse()
    if before_seq is None:
        own_held = list(queryset.filter(sender=actor, status=MessageStatus.HELD).order_by("id")[:20])
        rows += own_held
    return rows


def stream_messages_by_id(*, group: Group, thread: PrivateThread | None, message_ids) -> list[Message]:
    """The published messages of a stream among `message_ids` (at most 100), in stream order."""
    ids = [int(i) for i in message_ids if i][:100]
    return list(_messages_base().filter(group=group, thread=thread, status=MessageStatus.PUBLISHED, pk__in=ids)
                .order_by("seq"))


def stream_events_after(*, group: Group, thread: PrivateThread | None, after_seq: int,
                        limit: int = CATCH_UP_LIMIT) -> list[ChatEvent]:
    """Events of a stream after `after_seq`, in order (catch-up on reconnect and polling)."""
    return list(
        ChatEvent.objects.filter(group=group, thread=thread, seq__gt=after_seq)
        .select_related("message__sender", "message__image", "message__reply_to__sender")
        .prefetch_related("message__mentions").order_by("seq")[:limit]
    )


def thread_list(*, actor, group: Group) -> list[PrivateThread]:
    return list(PrivateThread.objects.for_actor(actor, "view").filter(group=group)
                .select_related("client", "helper").order_by("-updated_at"))


def my_threads(*, actor) -> list[PrivateThread]:
    return list(PrivateThread.objects.filter(Q(client=actor) | Q(helper=actor))
                .select_related("group", "client", "helper").order_by("-updated_at")[:50])


@dataclass(frozen=True)
class MessageFlag:
    """The marker on a flagged chat message: what the reader may open about it (the alert, or its crisis)."""

    alert_id: int
    imminent: bool
    label: str
    url: str


def message_flags(*, actor, group: Group, thread: PrivateThread | None = None, message_ids) -> dict[int, MessageFlag]:
    """Message id → its marker, for the messages of the stream among `message_ids` that raised an alert the actor
    may see.

    Residents and anyone else outside the alert's scope get nothing: the marker is for the people responsible.
    The marker shows the same state as the alerts page and the crisis page (one acknowledgement, handover.py).
    """
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .. import handover

    ids = {int(i) for i in message_ids if i}
    if not ids:
        return {}
    alerts = list(RiskAlert.objects.for_actor(actor, "view")
                  .filter(message_id__in=ids, group_id=group.pk, thread_id=thread.pk if thread else None)
                  .order_by("message_id", "-level", "pk"))
    crises = handover.crisis_states(actor=actor, alerts=alerts)
    flags: dict[int, MessageFlag] = {}
    for alert in alerts:
        if alert.message_id in flags:  # the highest alert of the message
            continue
        crisis = crises.get(alert.pk)
        if crisis is not None:
            label = _("危机处置 · %(state)s") % {"state": crisis.status_label}
        else:
            label = _("风险预警 · %(state)s") % {"state": alert.get_status_display()}
        url = (crisis.url if crisis is not None and crisis.url
               else reverse("groups:alerts") + f"#alert-{alert.pk}")
        flags[alert.message_id] = MessageFlag(alert_id=alert.pk, imminent=alert.level >= IMMINENT_LEVEL,
                                              label=label, url=url)
    return flags


@dataclass(frozen=True)
class ChatRights:
    """What the actor may do on a group's chat page."""

    member: GroupMember | None
    posting: PostingDecision
    manage: bool
    on_duty: bool


def chat_rights(*, actor, group: Group, now: datetime | None = None) -> ChatRights:
    now = now or timezone.now()
    member = membership_of(group=group, user=actor)
    on_duty = actor.pk in on_duty_user_ids(group=group, at=now) if member and member.is_staff_role else False
    decision = posting_decision(
        tier=group.tier, role=member.role if member else None, status=member.status if member else None,
        is_admin=group.admin_id == actor.pk, on_duty=on_duty, muted_until=member.muted_until if member else None,
        now=now, archived=group.is_archived,
    )
    return ChatRights(member=member, posting=decision, manage=can_manage(actor=actor, group=group), on_duty=on_duty)
