"""Reads for groups: scoped fetches, lists with unread counts, streams, queues, alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sanshe.core.errors import ObjectNotFound

from . import rules
from .config import GroupSettings
from .duty import on_duty_user_ids
from .models import (
    ChatEvent,
    Group,
    GroupMember,
    Invite,
    ManualDuty,
    MemberStatus,
    Message,
    MessageStatus,
    ModerationAction,
    ModerationPolicy,
    PrivateThread,
    RecordRequest,
    RiskAlert,
    RiskAlertStatus,
    RuleList,
)
from .posting import PostingDecision, posting_decision

PAGE_SIZE = 50
CATCH_UP_LIMIT = 500


# ----------------------------------------------------------------------------------------------- access

def access_group(*, actor, group_id: int, action: str = "view") -> Group:
    """The group if the actor may `action` it; 404 for missing and out-of-scope alike."""
    group = (Group.objects.for_actor(actor, action).select_related("organisation", "community", "compound",
                                                                   "building", "admin")
             .filter(pk=group_id).first())
    if group is None:
        raise ObjectNotFound(group_id)
    return group


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


def access_alert(*, actor, alert_id: int) -> RiskAlert:
    alert = (RiskAlert.objects.for_actor(actor, "view")
             .select_related("group", "message", "subject", "thread", "acknowledged_by")
             .filter(pk=alert_id).first())
    if alert is None:
        raise ObjectNotFound(alert_id)
    return alert


def imminent_alert_open_for(*, user_id: int | None) -> bool:
    """Whether an imminent-risk chat alert about this account is still open or only acknowledged (not closed)."""
    from .models import RiskAlertStatus
    from .risk import IMMINENT_LEVEL

    if user_id is None:
        return False
    return RiskAlert.objects.filter(subject_id=user_id, level__gte=IMMINENT_LEVEL).exclude(
        status=RiskAlertStatus.CLOSED).exists()


def risk_alerts_open_for(*, user_id: int | None) -> list[RiskAlert]:
    """Chat risk alerts about this account that are not closed, most severe first (for triage's inputs)."""
    if user_id is None:
        return []
    return list(RiskAlert.objects.filter(subject_id=user_id).exclude(status=RiskAlertStatus.CLOSED)
                .order_by("-level", "created_at", "pk")[:20])


def risk_messages_recent_for(*, user_id: int | None, since: datetime) -> list[Message]:
    """Messages this account wrote since `since` in which risk detection found a signal (level > 0)."""
    if user_id is None:
        return []
    return list(Message.objects.filter(sender_id=user_id, created_at__gte=since, risk_level__gt=0)
                .only("id", "risk_level", "risk_signals", "created_at").order_by("-created_at")[:100])


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


# ----------------------------------------------------------------------------------------------- lists

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
    from .labels import label_for

    for group in groups:
        group.unread = unread.get(group.pk, 0)
        group.shown_name, group.show_tier = label_for(group, group.my_role)
    return groups


def member_list(*, group: Group) -> list[GroupMember]:
    return list(GroupMember.objects.filter(group=group).select_related("user", "household__building")
                .order_by("status", "role", "nickname", "pk"))


def active_member_count(*, group: Group) -> int:
    return GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE).count()


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


@dataclass
class RecordPick:
    """Messages offered on 记录咨询: the last hour's (or a search of the last day's), plus any tapped one."""

    messages: list[Message]
    query: str
    recent_only: bool  # True: nothing in the last hour, so the latest few are shown instead


def record_pick_messages(*, group: Group, query: str = "", selected: set[int] | frozenset = frozenset(),
                         now: datetime | None = None) -> RecordPick:
    """What a secretary picks from for 记录咨询 without scrolling a whole day (bodies are encrypted, so a
    search reads at most the last day's 500 messages in Python, matching the text or the sender's name)."""
    from datetime import timedelta

    now = now or timezone.now()
    base = _messages_base().filter(group=group, thread=None, status=MessageStatus.PUBLISHED)
    query = query.strip()
    recent_only = False
    if query:
        day = list(base.filter(published_at__gte=now - timedelta(days=1)).order_by("-seq")[:500])
        names, _roles = stream_names(group=group, user_ids={m.sender_id for m in day})
        needle = query.casefold()
        rows = [m for m in day if needle in (m.body or "").casefold()
                or needle in names.get(m.sender_id, str(m.sender)).casefold()][:60]
    else:
        rows = list(base.filter(published_at__gte=now - timedelta(hours=1)).order_by("-seq")[:100])
        if not rows:
            rows, recent_only = list(base.order_by("-seq")[:20]), True
    have = {m.pk for m in rows}
    missing = {i for i in selected if i not in have}
    if missing:
        rows += list(base.filter(pk__in=missing))
    rows.sort(key=lambda m: m.seq or 0)
    return RecordPick(messages=rows, query=query, recent_only=recent_only)


def stream_events_after(*, group: Group, thread: PrivateThread | None, after_seq: int,
                        limit: int = CATCH_UP_LIMIT) -> list[ChatEvent]:
    """Events of a stream after `after_seq`, in order (catch-up on reconnect and polling)."""
    return list(
        ChatEvent.objects.filter(group=group, thread=thread, seq__gt=after_seq)
        .select_related("message__sender", "message__image", "message__reply_to__sender")
        .prefetch_related("message__mentions").order_by("seq")[:limit]
    )


def held_messages(*, group: Group) -> list[Message]:
    return list(_messages_base().filter(group=group, status=MessageStatus.HELD).order_by("id"))


def moderation_log(*, group: Group, limit: int = 100) -> list[ModerationAction]:
    return list(ModerationAction.objects.filter(group=group).select_related("actor", "target")
                .order_by("-created_at", "-id")[:limit])


def warnings_for(*, group: Group, user) -> list[ModerationAction]:
    """What a member has been told (warnings, mutes, removals) in this group."""
    return list(ModerationAction.objects.filter(group=group, target=user, kind__in=["warn", "mute", "remove"])
                .order_by("-created_at")[:5])


def invite_list(*, group: Group) -> list[Invite]:
    return list(Invite.objects.filter(group=group).select_related("created_by").order_by("-created_at")[:20])


def duty_list(*, group: Group, now: datetime) -> list[ManualDuty]:
    return list(ManualDuty.objects.filter(group=group, ends_at__gt=now, cancelled_at__isnull=True)
                .select_related("user", "set_by").order_by("starts_at"))


def thread_list(*, actor, group: Group) -> list[PrivateThread]:
    return list(PrivateThread.objects.for_actor(actor, "view").filter(group=group)
                .select_related("client", "helper").order_by("-updated_at"))


def my_threads(*, actor) -> list[PrivateThread]:
    return list(PrivateThread.objects.filter(Q(client=actor) | Q(helper=actor))
                .select_related("group", "client", "helper").order_by("-updated_at")[:50])


def record_requests(*, group: Group) -> list[RecordRequest]:
    return list(RecordRequest.objects.filter(group=group).select_related("requested_by", "client")
                .order_by("-created_at")[:50])


def alert_list(*, actor, open_only: bool = False) -> list[RiskAlert]:
    queryset = RiskAlert.objects.for_actor(actor, "view").select_related("group", "message", "subject",
                                                                          "acknowledged_by")
    if open_only:
        queryset = queryset.filter(status=RiskAlertStatus.OPEN)
    return list(queryset.order_by("status", "-level", "created_at")[:100])


def open_alert_count(*, actor) -> int:
    return RiskAlert.objects.for_actor(actor, "view").filter(status=RiskAlertStatus.OPEN).count()


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

    from . import handover
    from .risk import IMMINENT_LEVEL

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


# ----------------------------------------------------------------------------------------------- rights

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


def group_settings(group: Group) -> GroupSettings:
    return GroupSettings.from_json(group.settings, tier=group.tier)


# ----------------------------------------------------------------------------------------------- rules

_RULEBOOKS: dict[int, tuple[tuple, rules.RuleBook]] = {}


def moderation_policy(*, organisation_id: int) -> ModerationPolicy:
    """The organisation's saved policy, or the defaults (unsaved) when it has none."""
    return (ModerationPolicy.objects.filter(organisation_id=organisation_id).first()
            or ModerationPolicy(organisation_id=organisation_id))


def rulebook_for(*, organisation_id: int) -> rules.RuleBook:
    """The organisation's compiled rule lists (cached per process until a list or the policy changes)."""
    lists = list(RuleList.objects.filter(organisation_id=organisation_id).values_list("category", "terms",
                                                                                      "is_active", "updated_at"))
    policy = moderation_policy(organisation_id=organisation_id)
    version = (tuple(sorted((c, str(u), a) for c, _t, a, u in lists)), str(policy.updated_at))
    cached = _RULEBOOKS.get(organisation_id)
    if cached and cached[0] == version:
        return cached[1]
    terms: dict[str, list[str]] = {c: list(t) for c, t in rules.DEFAULT_TERMS.items()}
    for category, text, active, _updated in lists:
        terms[category] = rules.parse_terms(text) if active else []
    domains = list(rules.DEFAULT_APPROVED_DOMAINS) + rules.parse_domains(policy.approved_domains or "")
    disabled = [category for category, _text, active, _updated in lists if not active]
    book = rules.RuleBook(terms=terms, approved_domains=domains, disabled=disabled)
    _RULEBOOKS[organisation_id] = (version, book)
    return book


# What each category holds besides its word list (sanshe.groups.claims); switching the category off stops both.
_BUILTIN_READERS = {
    "rumour": gettext_lazy("另外自动识别：与资源库“辟谣”条目说法相近的消息（换了说法也能识别，审核时可一键发送辟谣）；"
                "某物能预防、治好、杀死病毒的说法；疫苗、5G、病毒来源的阴谋论；“内部消息”、瞒报等说法。"),
    "panic": gettext_lazy("另外自动识别：“赶紧囤”“快去抢”“明天就买不到了”等抢购囤积的号召（劝大家不要囤货的不算）。"),
    "incitement": gettext_lazy("另外自动识别：号召大家不做核酸、不配合、冲卡、砸门拆围挡等。"),
    "violence": gettext_lazy("另外自动识别：扬言伤害大白、志愿者、保安等工作人员。"),
    "superstition": gettext_lazy("另外自动识别：付费法事、祈福消灾、转发保平安等。"),
    "unapproved_news": gettext_lazy("另外自动识别：【重磅】、速转、紧急扩散、转给所有人等未经核实的转发。"),
    "private_data": gettext_lazy("自动识别：身份证号（校验位正确）、手机号、点名道姓或门牌号的病情与检测结果。"
                      "被拦下的成员会被提示改用私聊发给值班员。工作人员发布的服务电话不受影响。"),
}


def rule_lists(*, organisation_id: int) -> list[dict]:
    """Every category with its current terms (saved or default) for the editing page."""
    saved = {r.category: r for r in RuleList.objects.filter(organisation_id=organisation_id)}
    from .models import RuleCategory

    rows = []
    for category in RuleCategory:
        row = saved.get(category.value)
        rows.append({
            "category": category.value, "label": category.label,
            "terms": row.terms if row else "\n".join(rules.DEFAULT_TERMS[category.value]),
            "is_active": row.is_active if row else True, "is_default": row is None,
            "updated_at": row.updated_at if row else None, "builtin": _BUILTIN_READERS.get(category.value, ""),
        })
    return rows


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
