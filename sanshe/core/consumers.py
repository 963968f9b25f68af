"""The one gate for WebSockets: a socket holds exactly the access a page request would have at that moment.

Channels' AuthMiddlewareStack loads the user once, when the socket opens; after that an account can be
deactivated, a role revoked, a clearance lapse, the session be logged out or go idle. So every Sanshe socket
derives from `GuardedConsumer`, which
  * re-validates the session from the session store (it still exists, has not ended by the same idle rule
    the pages use — sanshe.core.sessions.session_idle_expired: minutes for staff, days for residents —, its
    password hash still matches, the account is active) and loads a fresh user
    (no scope cached on an old user object), then asks the consumer's own `authorize` (the same `access_*`
    selectors and scopes the pages use) — on connect, on catch-up and client actions, and before every push;
  * joins the user's control group (`sanshe.core.realtime.control_group`): the services that deactivate,
    revoke or remove send an "access.check" there after commit, and the logout signal sends one naming the
    session, so the user's sockets re-check (and close) at once.
A socket that lost its access is closed (4401: no live session; 4403/4404: the consumer's own code) and
delivers nothing more.

Before a push the re-check result is reused for `SOCKET_RECHECK_SECONDS` (default 5) per socket: a full
check costs 5 (resident) to 14 (volunteer, clearance included) queries, measured in
tests/core/test_socket_access.py, and a group of 500 members would otherwise cost thousands of queries per
message, all on the one thread Channels runs database code on. What takes access away through a service
(deactivation, role revocation or change, password reset, removal from a group, a new agreement or training
version) reaches the socket through the control group at once; the few seconds only bound changes that send
no message (a duty ending, an edit in the Django admin, another process without a shared channel layer).
"""

from __future__ import annotations

import time
from importlib import import_module

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.utils.crypto import constant_time_compare

from .gate import scope_for
from .realtime import control_group
from .sessions import LAST_SEEN_KEY, now_seconds, session_idle_expired, session_touch_due

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
DEFAULT_RECHECK_SECONDS = 5.0


def recheck_seconds() -> float:
    return float(getattr(settings, "SOCKET_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS))


def _session_store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def _hash_matches(user, session_hash: str | None) -> bool:
    if not hasattr(user, "get_session_auth_hash"):
        return True
    if not session_hash:
        return False
    if constant_time_compare(session_hash, user.get_session_auth_hash()):
        return True
    fallbacks = getattr(user, "get_session_auth_fallback_hash", None)
    return bool(fallbacks) and any(constant_time_compare(session_hash, h) for h in fallbacks())


def live_session_user(session_key: str | None, *, user_id: int | None = None):
    """The active user of a live session, loaded fresh; None when a page request would not be logged in.

    Read-only: unlike django.contrib.auth.get_user it never flushes or cycles the session (the page does that
    on its next request).
    """
    if not session_key:
        return None
    session = _session_store(session_key)
    try:
        stored_id = session[SESSION_KEY]
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:  # no such session (logged out, expired) or an anonymous one
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = load_backend(backend_path).get_user(get_user_model()._meta.pk.to_python(stored_id))
    if user is None or not user.is_active or (user_id is not None and user.pk != user_id):
        return None
    if not _hash_matches(user, session.get(HASH_SESSION_KEY)):  # the password changed since
        return None
    if session_idle_expired(user, session.get(LAST_SEEN_KEY)):  # the rule IdleTimeoutMiddleware applies
        return None
    return user


def session_touch(session_key: str | None) -> None:
    """A user action over a socket (sending a message) counts as use of the session, like a page request."""
    if not session_key:
        return
    session = _session_store(session_key)
    if SESSION_KEY in session and session_touch_due(session.get(LAST_SEEN_KEY)):
        # The session keeps the lifetime its page requests set (a resident's days slide with this save).
        session[LAST_SEEN_KEY] = now_seconds()
        session.save()


class GuardedConsumer(AsyncJsonWebsocketConsumer):
    """Base of every Sanshe socket; subclasses implement `authorize` and `channel_groups`.

    `capabilities` are asked of the one gate (sanshe.core.gate.Scope) before `authorize`, exactly as the
    socket's page asks them: a user holding none of them is closed with 4403 (the page's 403).
    """

    capabilities: tuple[str, ...] = ()

    def authorize(self, user) -> int | None:
        """Runs in a database thread with a freshly loaded user: check the socket's access the way the page
        does, remember what the socket serves (e.g. the group), and return None, or a close code."""
        return None

    def channel_groups(self) -> list[str]:
        """The channel-layer groups to join once authorized (besides the user's control group)."""
        return []

    async def connected(self) -> None:
        """After accept (e.g. start a poller)."""

    async def access_refreshed(self) -> None:
        """After a successful re-check on an open socket (e.g. follow a changed reach)."""

    # ------------------------------------------------------------------------------------------- lifecycle

    async def connect(self) -> None:
        self.revoked = False
        self.joined: list[str] = []
        self.checked_at: float | None = None
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None) if session is not None else None
        self.user_id = user.pk
        self.user = user
        code = await database_sync_to_async(self._check)()
        if code is not None:
            self.revoked = True
            await self.close(code=code)
            return
        self.joined = [control_group(self.user_id), *self.channel_groups()]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.checked_at = time.monotonic()
        await self.connected()

    async def disconnect(self, code) -> None:
        self.revoked = True
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []

    def _check(self) -> int | None:
        user = live_session_user(self.session_key, user_id=self.user_id)
        if user is None:
            return CLOSE_UNAUTHENTICATED
        if self.capabilities and not scope_for(user).can(*self.capabilities):
            return CLOSE_FORBIDDEN
        code = self.authorize(user)
        if code is None:
            self.user = user
        return code

    async def still_allowed(self, *, fresh: bool = False) -> bool:
        """Whether the socket may still deliver: re-checked now when `fresh` or when the last check is older
        than SOCKET_RECHECK_SECONDS; a socket that lost its access is closed here."""
        if self.revoked:
            return False
        if not fresh and self.checked_at is not None and time.monotonic() - self.checked_at < recheck_seconds():
            return True
        code = await database_sync_to_async(self._check)()
        if code is not None:
            await self.revoke(code)
            return False
        self.checked_at = time.monotonic()
        await self.access_refreshed()
        return True

    async def revoke(self, code: int) -> None:
        """Close the socket now; queued pushes are dropped."""
        if self.revoked:
            return
        self.revoked = True
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []
        await self.close(code=code)

    async def access_check(self, event: dict) -> None:
        """A control message: the user's access changed (or this session logged out)."""
        if event.get("session_key") and event["session_key"] == self.session_key:
            await self.revoke(CLOSE_UNAUTHENTICATED)
            return
        await self.still_allowed(fresh=True)

    async def touch_session(self) -> None:
        await database_sync_to_async(session_touch)(self.session_key)


class PingConsumer(GuardedConsumer):
    """A liveness WebSocket: lets the page (and CI) prove the ASGI side is up and authenticated."""

    async def receive_json(self, content, **kwargs) -> None:
        if not await self.still_allowed():
            return
        await self.send_json({"type": "pong", "echo": content.get("echo") if isinstance(content, dict) else None})
