"""Reads for the secretary: the messages offered on 记录咨询 and the record requests of a group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ..chat.selectors import _messages_base, stream_names
from ..models import (
    Group,
    Message,
    MessageStatus,
    RecordRequest,
)


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


def record_requests(*, group: Group) -> list[RecordRequest]:
    return list(RecordRequest.objects.filter(group=group).select_related("requested_by", "client")
                .order_by("-created_at")[:50])
