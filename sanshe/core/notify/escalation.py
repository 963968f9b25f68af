"""The one escalation engine: an acknowledgement deadline, a chain of recipient tiers, reminders, a history.

A domain hands the engine an `EscalationHandler`: which of its things are overdue (locked), who is in tier N
of a thing's chain, how to tell new people and how to remind those already told, and how to record the new
state on the thing. The engine walks the chain by the domain's pure rule (sanshe.core.notify.chains): the
next tier that brings somebody new is told; with nobody new left, everyone already told is reminded. Every
escalation sets a new deadline and leaves an EscalationEvent. The clock is always passed in (`now=`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from .chains import ChainRule, next_deadline, tiers_to_try
from .models import EscalationEvent, EscalationRecipient


@dataclass(frozen=True)
class Escalated:
    """What one escalation did."""

    tier: int  # the tier reached (0 when it was only a reminder)
    new_recipients: frozenset[int]
    reminder: bool
    deadline: datetime


class EscalationHandler(Protocol):
    rule: ChainRule

    def overdue(self, now: datetime) -> Iterable[Any]:
        """The open things whose deadline has passed, locked for update, oldest deadline first."""

    def reached(self, thing: Any) -> int:
        """The tier the thing has reached so far."""

    def tier(self, thing: Any, tier: int, now: datetime) -> set[int]:
        """The user ids of tier `tier` of the thing's chain (resolved now)."""

    def tell(self, thing: Any, user_ids: set[int], tier: int, now: datetime) -> set[int]:
        """Tell the ones not told yet; return who was newly told."""

    def remind(self, thing: Any, now: datetime) -> int:
        """Remind everyone already told (who still holds the thing); return how many."""

    def record(self, thing: Any, result: Escalated, now: datetime) -> None:
        """Save the thing's new state (deadline, step) and its own audit/history."""


def escalate_one(handler: EscalationHandler, thing: Any, now: datetime) -> Escalated:
    """Escalate one overdue thing along its chain."""
    rule = handler.rule
    reached = handler.reached(thing)
    told: set[int] = set()
    tier_reached = 0 if rule.restart_each_time else reached
    tried = tiers_to_try(rule, reached=reached)
    for tier in tried:
        told = handler.tell(thing, handler.tier(thing, tier, now), tier, now)
        if told:
            tier_reached = tier
            break
    else:
        if not rule.restart_each_time and tried:  # walked to the end of the chain: it stays at its end
            tier_reached = tried[-1]
    reminder = not told and rule.remind_when_exhausted
    if reminder:
        handler.remind(thing, now)
    result = Escalated(tier=tier_reached, new_recipients=frozenset(told), reminder=reminder,
                       deadline=next_deadline(rule, now))
    handler.record(thing, result, now)
    EscalationEvent.objects.create(domain=rule.domain, object_id=thing.pk, tier=result.tier,
                                   new_recipients=len(told), reminder=reminder, at=now,
                                   next_deadline=result.deadline)
    return result


@transaction.atomic
def escalate_overdue(handler: EscalationHandler, *, now: datetime | None = None) -> int:
    """Escalate every overdue thing of the handler's domain; returns how many escalated."""
    now = now or timezone.now()
    count = 0
    for thing in handler.overdue(now):
        escalate_one(handler, thing, now)
        count += 1
    return count


def escalation_history(*, domain: str, object_id: int) -> list[EscalationEvent]:
    return list(EscalationEvent.objects.filter(domain=domain, object_id=object_id).order_by("at", "pk"))


def recipients_told(*, domain: str, object_id: int) -> set[int]:
    return set(EscalationRecipient.objects.filter(domain=domain, object_id=object_id)
               .values_list("user_id", flat=True))


def recipients_add(*, domain: str, object_id: int, user_ids, tier: int, now: datetime,
                   exclude: set[int] | None = None) -> set[int]:
    """Record who a tier tells (for domains without their own recipient table); returns the new ones."""
    already = recipients_told(domain=domain, object_id=object_id)
    new = {u for u in user_ids if u and u not in already and u not in (exclude or set())}
    EscalationRecipient.objects.bulk_create([EscalationRecipient(domain=domain, object_id=object_id, user_id=u,
                                                                 tier=tier, at=now) for u in sorted(new)])
    return new
