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

from ..models import EventKind, Group, PrivateThread
from . import render


def catch_up(user, *, group: Group, thread: PrivateThread | None, after_seq: int,
             viewer: render.ChatViewer) -> dict:
    """The "events" answer to a hello or a poll; reading someone else's private thread this way is audited
    like opening its page."""
    from .. import services

    answer, rows = render.catch_up(user, group=group, thread=thread, after_seq=after_seq, viewer=viewer)
    if thread is not None and any(r.kind == EventKind.MESSAGE for r in rows):
        services.thread_read_by_admin(actor=user, thread=thread)
    return answer


def int_field(value) -> int:
    """A non-negative integer field of a client message; 0 for anything else."""
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0
