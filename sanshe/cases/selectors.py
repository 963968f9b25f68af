"""Reads of referrals: the social workers' inbox (most urgent, then longest waiting, first)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from sanshe.core.errors import ObjectNotFound

from .models import OPEN_REFERRAL_STATUSES, Case, Referral, ReferralStatus

INBOX_VIEWS = ("new", "mine", "closed")


def referral_inbox(*, actor, view: str = "new", limit: int = 100, now: datetime | None = None) -> list[Referral]:
    """`new`: waiting to be taken; `mine`: taken by the actor and still open; `closed`: the last 14 days'."""
    now = now or timezone.now()
    queryset = (Referral.objects.for_actor(actor, "take")
                .select_related("person__household__unit", "building__compound", "community", "created_by",
                                "taken_by"))
    if view == "mine":
        queryset = queryset.filter(status=ReferralStatus.TAKEN, taken_by=actor)
    elif view == "closed":
        return list(queryset.filter(status=ReferralStatus.CLOSED, closed_at__gte=now - timedelta(days=14))
                    .order_by("-closed_at")[:limit])
    else:
        queryset = queryset.filter(status=ReferralStatus.NEW)
    return list(queryset.order_by("-urgency_rank", "created_at", "pk")[:limit])


def inbox_counts(*, actor) -> dict[str, int]:
    queryset = Referral.objects.for_actor(actor, "take")
    return {
        "new": queryset.filter(status=ReferralStatus.NEW).count(),
        "mine": queryset.filter(status=ReferralStatus.TAKEN, taken_by=actor).count(),
    }


def referrals_for_person(*, actor, person_id: int) -> list[Referral]:
    """A person's open referrals the actor may see (to show "referred, waiting" on the source page)."""
    return list(Referral.objects.for_actor(actor, "view").filter(person_id=person_id,
                                                                 status__in=OPEN_REFERRAL_STATUSES)
                .select_related("taken_by").order_by("-created_at"))


def referrals_from(*, actor, source_kind: str, source_ids: list[int]) -> dict[int, Referral]:
    """{source id: open referral} for records shown on one page (one query)."""
    if not source_ids:
        return {}
    return {r.source_id: r for r in Referral.objects.for_actor(actor, "view")
            .filter(Q(source_kind=source_kind, source_id__in=source_ids), status__in=OPEN_REFERRAL_STATUSES)}


def access_referral(*, actor, id: int) -> Referral:
    referral = (Referral.objects.for_actor(actor, "view")
                .select_related("person__household__unit", "building__compound", "community", "created_by",
                                "taken_by", "closed_by").filter(pk=id).first())
    if referral is None:
        raise ObjectNotFound()
    return referral


def access_case(*, actor, id: int, action: str = "view") -> Case:
    """The case if the actor may `action` it; 404 for missing and out-of-scope alike."""
    case = (Case.objects.for_actor(actor, action)
            .select_related("person__household__unit", "building__compound", "community", "owner", "intake_by",
                            "referral").filter(pk=id).first())
    if case is None:
        raise ObjectNotFound()
    return case
