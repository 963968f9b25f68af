"""The one renderer of a chat message, and the one builder of what a reader receives for a stream.

A message is rendered by `groups/_message.html` and nothing else: on page load, for older history, for a
catch-up (socket or HTTP poll), for a live push and for a flag added later. The client never builds a
message itself; it inserts the server's fragment.

What differs between readers — whether the message is theirs, whether it mentions them, the staff's
记录 / 应当预警 and the manager's 删除 — is decided by the server for each reader: a push fans the
reader-neutral payload out over the channel layer and each socket renders it for its own reader
(`ChatViewer`). Rendering per socket is memoised per process by reader class (own message or not,
mentioned or not, staff, manager, language: at most 32 classes per message, 3 or 4 in practice), so a
message to a group of 500 is rendered a handful of times per process, not 500 times. Rendering per reader
class, rather than sending every action and hiding some in the browser, keeps the staff's tools out of
residents' pages altogether.

The forms inside a message carry no CSRF token (a fragment rendered for a socket has no request): their
buttons submit the page's one `#chat-actions` form (`form=` and `formaction=` attributes), which holds it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation

from sanshe.accounts.policies import scope_for

from .. import events, feedback_selectors
from ..membership import selectors as membership_selectors
from ..models import ChatEvent, Group, Message, PrivateThread
from . import selectors as chat_selectors

TEMPLATE = "groups/_message.html"


@dataclass(frozen=True)
class ChatViewer:
    """Who a message is rendered for: what the chat page knows about its reader at load time."""

    user_id: int
    staff: bool  # a staff member of the group: 记录, 应当预警
    manage: bool  # may manage the group (main stream only): 删除
    language: str

    def render_class(self, message: dict[str, Any]) -> tuple:
        """Readers of one class see the same HTML for `message`."""
        return (message.get("sender_id") == self.user_id, self.user_id in (message.get("mentions") or ()),
                self.staff, self.manage, self.language)


def chat_viewer(*, user, group: Group, thread: PrivateThread | None, manage: bool | None = None,
                member=None, language: str | None = None) -> ChatViewer:
    """The reader of a stream as the chat page sees them (pass what the caller already knows)."""
    if member is None:
        member = membership_selectors.membership_of(group=group, user=user)
    if manage is None:
        manage = thread is None and membership_selectors.can_manage(actor=user, group=group)
    return ChatViewer(user_id=user.pk, staff=bool(member and member.is_staff_role), manage=bool(manage),
                      language=language or translation.get_language() or "zh-hans")


def socket_language(scope: dict) -> str:
    """The language of the page that opened the socket: it names it (`?lang=`, from <html lang>, added by chat.js), because a
    browser need not send the page's Accept-Language on a WebSocket handshake (Chromium sends its own); without
    it, what a page request with the socket's cookies and headers would be served in."""
    from urllib.parse import parse_qs

    named = parse_qs((scope.get("query_string") or b"").decode("latin-1")).get("lang", [""])[0]
    if named in dict(settings.LANGUAGES):
        return named
    request = HttpRequest()
    request.COOKIES = scope.get("cookies") or {}
    for name, value in scope.get("headers") or ():
        if name == b"accept-language":
            request.META["HTTP_ACCEPT_LANGUAGE"] = value.decode("latin-1")
    return translation.get_language_from_request(request)


def message_html(message: dict[str, Any], *, group: Group, thread: PrivateThread | None, viewer: ChatViewer) -> str:
    """The message's list item for `viewer` (the one template)."""
    context = {"m": message, "me": viewer.user_id, "is_staff_member": viewer.staff,
               "manage": viewer.manage and thread is None, "group": group, "thread": thread}
    with translation.override(viewer.language):
        return render_to_string(TEMPLATE, context)


_PUSHED: OrderedDict[tuple, str] = OrderedDict()
_PUSHED_KEEP = 512


def pushed_message_html(data: dict[str, Any], *, group: Group, thread: PrivateThread | None,
                        viewer: ChatViewer) -> str:
    """A live push's message rendered for `viewer`, memoised per reader class (a stream event never changes:
    a later edit or removal is an event of its own)."""
    message = data["message"]
    key = (data.get("stream"), data.get("seq"), message.get("id"), viewer.render_class(message))
    html = _PUSHED.get(key)
    if html is None:
        html = message_html(message, group=group, thread=thread, viewer=viewer)
        _PUSHED[key] = html
        while len(_PUSHED) > _PUSHED_KEEP:
            _PUSHED.popitem(last=False)
    return html


def with_flags(user, payloads: list[dict], *, group: Group, thread: PrivateThread | None) -> list[dict]:
    """Mark the messages that raised an alert the reader may see (staff only: residents never see risk data),
    and the ones that raised any alert at all (they take no "should have alerted" mark)."""
    if payloads and scope_for(user).is_staff_member:
        ids = [p["id"] for p in payloads]
        flags = chat_selectors.message_flags(actor=user, group=group, thread=thread, message_ids=ids)
        alerted = feedback_selectors.alerted_message_ids(message_ids=ids)
        for payload in payloads:
            payload["flag"] = flags.get(payload["id"])
            payload["alerted"] = payload["id"] in alerted
    return payloads


def _names_for(group: Group, messages: list[Message]) -> tuple[dict[int, str], dict[int, str]]:
    """Nicknames and role labels of the senders and of the senders they reply to (one query)."""
    ids = {m.sender_id for m in messages} | {m.reply_to.sender_id for m in messages if m.reply_to_id}
    return chat_selectors.stream_names(group=group, user_ids=ids)


def message_items(user, messages: list[Message], *, group: Group, thread: PrivateThread | None,
                  viewer: ChatViewer) -> list[dict]:
    """Messages as the chat log lists them for `user`: payload, flags (staff), and the rendered item."""
    nicknames, roles = _names_for(group, messages)
    payloads = with_flags(user, [events.message_payload(m, nicknames=nicknames, roles=roles) for m in messages],
                          group=group, thread=thread)
    for payload in payloads:
        payload["html"] = message_html(payload, group=group, thread=thread, viewer=viewer)
    return payloads


def stream_events(user, rows: list[ChatEvent], *, group: Group, thread: PrivateThread | None,
                  viewer: ChatViewer) -> list[dict]:
    """Stream events as a catch-up delivers them (the socket's and the HTTP poll's alike): each message event
    carries its payload and its item rendered for the reader, flags included, as a reload would show it."""
    messages = [r.message for r in rows if r.message_id is not None]
    nicknames, roles = _names_for(group, messages)
    out = [events.event_payload(r, group=group, nicknames=nicknames, roles=roles) for r in rows]
    shown = [e["message"] for e in out if e["kind"] == "message"]
    with_flags(user, shown, group=group, thread=thread)
    for event in out:
        if event["kind"] == "message":
            message = event["message"]
            event["html"] = message_html(message, group=group, thread=thread, viewer=viewer)
            # The marker objects stay server-side; the reader got them inside the item.
            message.pop("flag", None)
            message.pop("alerted", None)
    return out


def catch_up(user, *, group: Group, thread: PrivateThread | None, after_seq: int,
             viewer: ChatViewer) -> tuple[dict, list[ChatEvent]]:
    """Everything in the stream after `after_seq` for `user` ({"events": [...], "more": bool}), and the rows."""
    rows = chat_selectors.stream_events_after(group=group, thread=thread, after_seq=after_seq)
    return ({"events": stream_events(user, rows, group=group, thread=thread, viewer=viewer),
             "more": len(rows) >= chat_selectors.CATCH_UP_LIMIT}, rows)


def flagged_items(user, *, group: Group, thread: PrivateThread | None, message_ids: list[int],
                  viewer: ChatViewer) -> dict[str, str]:
    """Message id → its item re-rendered with its marker, for the flagged (or alerted) messages among
    `message_ids` the reader may see; nothing for residents."""
    if not scope_for(user).is_staff_member:
        return {}
    ids = [i for i in message_ids if i]
    rows = chat_selectors.stream_messages_by_id(group=group, thread=thread, message_ids=ids)
    items = message_items(user, rows, group=group, thread=thread, viewer=viewer)
    return {str(p["id"]): p["html"] for p in items if p.get("flag") or p.get("alerted")}


def echo_html(*, group: Group, thread: PrivateThread | None, viewer: ChatViewer) -> str:
    """The skeleton of the sender's own message, shown at once while it is sent (the page keeps it in a
    <template>; the script fills in the text, the quote and the picture, and drops what the message lacks).
    The server's item replaces it when the message arrives in the stream."""
    skeleton = {"id": None, "seq": None, "client_id": "", "status": "sending", "body": "…", "sender_id": viewer.user_id,
                "sender": "", "sender_role": "", "time": "", "date": "", "mentions": [],
                "image": {"url": "", "width": "", "height": ""}, "reply_to": {"sender": "", "excerpt": ""}}
    return message_html(skeleton, group=group, thread=thread, viewer=viewer)
