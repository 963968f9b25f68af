"""How long a login lasts: one rule for pages (accounts' IdleTimeoutMiddleware) and sockets (core.consumers).

Staff sessions end after SESSION_IDLE_TIMEOUT seconds without use (等保2.0: they hold other people's data).
Residents — users who hold no staff role — stay logged in on their own phone: their session ends only after
RESIDENT_SESSION_IDLE_TIMEOUT seconds (14 days by default) without use, sliding with every use. A resident who
also holds a staff role gets the staff rule.

Use is stamped in the session (`LAST_SEEN_KEY`, seconds since the epoch) at most once a minute; background
polls do not stamp (core.pages.background_poll). Tests move the stamp back instead of waiting.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from .gate import can

LAST_SEEN_KEY = "last_seen"
# The session's last-use stamp is written at most this often (keeps session saves off the hot path).
TOUCH_EVERY_SECONDS = 60


def now_seconds() -> int:
    """The clock the session rule reads (seconds since the epoch)."""
    return int(time.time())


def staff_idle_limit() -> int:
    return int(settings.SESSION_IDLE_TIMEOUT)


def resident_idle_limit() -> int:
    """Never shorter than the staff limit, whatever the settings say."""
    return max(int(getattr(settings, "RESIDENT_SESSION_IDLE_TIMEOUT", 0)), staff_idle_limit())


def is_resident_session(user) -> bool:
    """A resident and nothing else: no staff role anywhere (the one scope the pages use, cached per request)."""
    return can(user, "accounts.resident") and not can(user, "accounts.staff")


def idle_limit(user) -> int:
    """Seconds a session of `user` may go unused before it ends."""
    return resident_idle_limit() if is_resident_session(user) else staff_idle_limit()


def session_idle_expired(user, last_seen: int | None, *, now: int | None = None) -> bool:
    """Whether a session last used at `last_seen` has ended for `user` (the same answer for pages and sockets).

    Within the staff limit nobody's session has ended, so the user's roles are only looked up past it.
    """
    if last_seen is None:
        return False
    idle = (now_seconds() if now is None else now) - int(last_seen)
    if idle <= staff_idle_limit():
        return False
    return idle > idle_limit(user)


def session_touch_due(last_seen: int | None, *, now: int | None = None) -> bool:
    return last_seen is None or (now_seconds() if now is None else now) - int(last_seen) > TOUCH_EVERY_SECONDS


def session_stamp(session: Any, user, *, now: int | None = None) -> None:
    """Record a use of the session and set how long the browser and the store keep it.

    A resident's cookie and stored session are kept for twice their idle limit (sliding: every stamp saves
    the session): the idle rule, not the cookie, must be what ends it, so that an expired resident is still
    recognised as one and sent to the code login. Staff sessions keep SESSION_COOKIE_AGE.
    """
    session[LAST_SEEN_KEY] = now_seconds() if now is None else now
    if is_resident_session(user):
        session.set_expiry(2 * resident_idle_limit())
    else:
        session.set_expiry(None)
