"""Which page a user has open and in view, as their notification socket reports it (sanshe.core.notify.consumers).

A sender may skip telling someone about what they are looking at right now (a chat @mention in the group they
are reading). Kept in the cache (shared by the processes when REDIS_URL is set) with a short lifetime that the
page renews with every ping, so a page closed without a goodbye stops counting within PRESENCE_SECONDS.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

PRESENCE_SECONDS = 75  # the page pings every 25 seconds


def clean_path(value: object) -> str:
    """A path of this site as the page reports it (no scheme, host or query); "" for anything else."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or len(value) > 300:
        return ""
    return value


def _key(user_id: int, path: str) -> str:
    return f"notify:viewing:{user_id}:{hashlib.sha256(path.encode()).hexdigest()[:32]}"


def viewing_set(user_id: int, path: str, *, visible: bool) -> None:
    """The user's page at `path` is in view (or no longer is)."""
    if not path:
        return
    if visible:
        cache.set(_key(user_id, path), 1, PRESENCE_SECONDS)
    else:
        cache.delete(_key(user_id, path))


def is_viewing(user_id: int, path: str) -> bool:
    """Whether the user has the page at `path` open and in view now (as far as their sockets said)."""
    return bool(path) and cache.get(_key(user_id, path)) is not None
