"""The chat protocol, one for the WebSocket and its HTTP fallback: what a client sends, what it is answered.

  client → {"type": "hello", "last_seq": N}      server → {"type": "events", "events": [...], "more": bool}
  client → {"type": "send", "client_id", "body", "reply_to", "image_id"}
                                                 server → {"type": "ack", ...} or {"type": "refused", ...}
  client → {"type": "read", "seq": N}            (no answer)
  client → {"type": "rights"}                    server → {"type": "rights", "can_post", "reason"}
  client → {"type": "ping"}                      server → {"type": "pong"}
  server → {"type": "push", "data": {...}}       a stream event (with "stream" and "seq") or a personal notice

The HTTP fallback speaks the same messages: GET …/events/?after=N answers like "hello", POST …/send/ with the
"send" fields as form data answers "ack" or "refused". A message event carries "html": the message's list item
rendered for its reader by the one template (sanshe.groups.chat.render).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from .. import service_base
from ..models import EventKind, Group, MessageStatus, PrivateThread
from . import render
from . import selectors as chat_selectors
from . import services as chat_services


@dataclass(frozen=True)
class SendRequest:
    """A client's "send": the socket's JSON message or the HTTP fallback's form, parsed the same way."""

    client_id: str
    body: str
    reply_to: int | None
    image_id: int | None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> SendRequest:
        return cls(client_id=str(data.get("client_id") or "")[:40], body=str(data.get("body") or ""),
                   reply_to=int_field(data.get("reply_to")) or None, image_id=int_field(data.get("image_id")) or None)


def refused(client_id: str, error: ValidationError | str, *, posting: bool = False) -> dict:
    """The "refused" answer: the first reason, in words; `posting` when the sender may not post at all now."""
    if isinstance(error, ValidationError):
        error = error.messages[0] if error.messages else _("发送失败")
    answer = {"type": "refused", "client_id": client_id, "error": str(error)}
    if posting:
        answer["posting"] = True
    return answer


def send(user, *, group: Group, thread: PrivateThread | None, request: SendRequest,
         viewer: render.ChatViewer | None = None) -> dict:
    """Send the message and answer "ack" (with the sender's own item when it is held for review: only they see
    it, with the way to move it into a private thread) or "refused"."""
    try:
        result = chat_services.message_send(actor=user, group=group, thread=thread, body=request.body,
                                            image_id=request.image_id, reply_to_id=request.reply_to,
                                            client_id=request.client_id)
    except service_base.PostingRefused as error:
        return refused(request.client_id, error, posting=True)
    except ValidationError as error:
        return refused(request.client_id, error)
    except Http404:
        return refused(request.client_id, _("您已不在该群中。"))
    message = result.message
    answer = {"type": "ack", "client_id": request.client_id, "message_id": message.pk, "status": message.status,
              "seq": message.seq, "held_reason": chat_services.held_label(message)}
    if message.status == MessageStatus.HELD:
        viewer = viewer or render.chat_viewer(user=user, group=group, thread=thread)
        answer["html"] = render.message_items(user, [message], group=group, thread=thread, viewer=viewer)[0]["html"]
    return answer


def rights(user, *, group: Group, thread: PrivateThread | None) -> dict:
    """The "rights" answer: may the user post in this stream now, and if not, why."""

    if thread is not None:
        return {"type": "rights", "can_post": True, "reason": ""}
    answer = chat_selectors.chat_rights(actor=user, group=group)
    return {"type": "rights", "can_post": answer.posting.allowed, "reason": answer.posting.reason}


def read(user, *, group: Group, thread: PrivateThread | None, seq: int) -> None:
    """A "read": move the reader's own marker (no answer)."""
    if seq > 0:
        chat_services.read_mark(actor=user, group=group, seq=seq, thread=thread)


def catch_up(user, *, group: Group, thread: PrivateThread | None, after_seq: int,
             viewer: render.ChatViewer) -> dict:
    """The "events" answer to a hello or a poll; reading someone else's private thread this way is audited
    like opening its page."""
    answer, rows = render.catch_up(user, group=group, thread=thread, after_seq=after_seq, viewer=viewer)
    if thread is not None and any(r.kind == EventKind.MESSAGE for r in rows):
        chat_services.thread_read_by_admin(actor=user, thread=thread)
    return answer


def int_field(value) -> int:
    """A non-negative integer field of a client message; 0 for anything else."""
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0
