"""The rumour base the chat checks messages against, supplied by the resource library.

The library (sanshe.knowledge) is built on groups, so groups never imports it: the library registers a
provider in its AppConfig.ready (the way the crisis feature registers its handler in handover.py). The
provider answers a cheap version key (count and last change of the published, valid 辟谣 entries) and, when
that key changes, the rumours themselves; the compiled index is cached per process under that key, so a
message costs one small query and the index is rebuilt only when an entry is published, edited, retired or
expires. The library is shared by the whole deployment, so there is one index, not one per organisation.
Without a provider (the library not installed) the default seed base is used.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol

from .claims import DEFAULT_INDEX, Rumour, RumourIndex


class RumourProvider(Protocol):
    def version(self) -> Hashable:
        """Changes whenever the published rumour entries change."""

    def rumours(self) -> list[Rumour]:
        """The published, valid rumour entries."""

    def debunk_sent(self, *, entry_id: int) -> None:
        """Count one use of the entry's debunk in a group (optional bookkeeping)."""


_provider: RumourProvider | None = None
_cache: tuple[Hashable, RumourIndex] | None = None


def register(provider: RumourProvider | None) -> None:
    global _provider, _cache
    _provider, _cache = provider, None


def provider() -> RumourProvider | None:
    return _provider


def rumour_index() -> RumourIndex:
    """The current rumour base, compiled once per change."""
    global _cache
    if _provider is None:
        return DEFAULT_INDEX
    version = _provider.version()
    if _cache is not None and _cache[0] == version:
        return _cache[1]
    index = RumourIndex(_provider.rumours())
    _cache = (version, index)
    return index
