"""The library's published 辟谣 entries as the chat's rumour base (registered with groups in apps.py)."""

from __future__ import annotations

from collections.abc import Hashable

from django.db.models import Count, F, Max
from django.utils import timezone

from .models import Entry, EntryKind


def _debunks():
    return Entry.objects.published(today=timezone.localdate()).filter(kind=EntryKind.DEBUNK)


class LibraryRumours:
    """Answers sanshe.groups.rumour_base: a version key, the rumours, and a use count for sent debunks."""

    def version(self) -> Hashable:
        # Expiry changes the set without a write, so the day is part of the key.
        row = _debunks().aggregate(n=Count("id"), changed=Max("updated_at"))
        return (row["n"], str(row["changed"]), timezone.localdate().isoformat())

    def rumours(self) -> list:
        from sanshe.groups.claims import Rumour

        rows = _debunks().order_by("pk").only("pk", "question", "answer", "debunk_source", "debunk_link",
                                              "claim_variants")
        return [Rumour(e.pk, e.question, e.answer, e.debunk_source, e.debunk_link, tuple(e.variant_list))
                for e in rows]

    def debunk_sent(self, *, entry_id: int) -> None:
        # Like an answer sent from the library: counted, without changing the entry (nor the index version).
        Entry.objects.filter(pk=entry_id).update(use_count=F("use_count") + 1)
