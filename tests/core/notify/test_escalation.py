"""The one escalation engine with a controlled clock: tiers in order, empty tiers skipped, reminders past the
end, a history row for each escalation; and the pure chain rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from sanshe.core.notify import chains
from sanshe.core.notify.escalation import escalate_overdue, escalation_history

T0 = timezone.make_aware(datetime(2026, 3, 2, 9, 0))


@dataclass
class Thing:
    pk: int
    deadline: datetime
    step: int = 0
    told: set[int] = field(default_factory=set)
    reminders: int = 0
    acknowledged: bool = False


@dataclass
class Handler:
    """A domain in memory: tier N holds the users in `tiers[N]`."""

    rule: chains.ChainRule
    things: list[Thing]
    tiers: list[set[int]]

    def overdue(self, now):
        return [t for t in self.things if not t.acknowledged and t.deadline <= now]

    def reached(self, thing):
        return thing.step

    def tier(self, thing, tier, now):
        return self.tiers[tier]

    def tell(self, thing, user_ids, tier, now):
        new = set(user_ids) - thing.told
        thing.told |= new
        return new

    def remind(self, thing, now):
        thing.reminders += 1
        return len(thing.told)

    def record(self, thing, result, now):
        thing.step, thing.deadline = result.tier, result.deadline


RULE = chains.ChainRule(domain="test", tiers=("first", "second", "empty", "last"))


@pytest.mark.django_db
def test_tiers_in_order_then_reminders_with_a_controlled_clock():
    thing = Thing(pk=7, deadline=T0 + timedelta(minutes=5), told={1})
    handler = Handler(RULE, [thing], [{1}, {2}, set(), {3}])
    assert escalate_overdue(handler, now=T0 + timedelta(minutes=4, seconds=59)) == 0
    assert escalate_overdue(handler, now=T0 + timedelta(minutes=5)) == 1
    assert (thing.step, thing.told, thing.deadline) == (1, {1, 2}, T0 + timedelta(minutes=10))
    assert escalate_overdue(handler, now=T0 + timedelta(minutes=9)) == 0  # not before the new deadline
    # The empty tier is skipped: the next one that brings somebody new is told.
    assert escalate_overdue(handler, now=T0 + timedelta(minutes=10)) == 1
    assert (thing.step, thing.told) == (3, {1, 2, 3})
    # Past the end: nobody new, so everyone told is reminded; the chain never goes quiet.
    assert escalate_overdue(handler, now=T0 + timedelta(minutes=15)) == 1
    assert escalate_overdue(handler, now=T0 + timedelta(minutes=20)) == 1
    assert thing.reminders == 2 and thing.step == 3
    thing.acknowledged = True
    assert escalate_overdue(handler, now=T0 + timedelta(hours=1)) == 0
    history = [(e.tier, e.new_recipients, e.reminder, e.at - T0) for e in escalation_history(domain="test", object_id=7)]
    assert history == [(1, 1, False, timedelta(minutes=5)), (3, 1, False, timedelta(minutes=10)),
                       (3, 0, True, timedelta(minutes=15)), (3, 0, True, timedelta(minutes=20))]


@pytest.mark.django_db
def test_a_restarting_chain_looks_for_new_people_from_tier_one_each_time():
    rule = chains.ChainRule(domain="restart", tiers=("first", "second", "third"), restart_each_time=True)
    thing = Thing(pk=3, deadline=T0, told={1})
    handler = Handler(rule, [thing], [{1}, {2}, {3}])
    escalate_overdue(handler, now=T0)
    assert thing.told == {1, 2}
    handler.tiers[1] = {2, 4}  # someone new came on duty in tier 1
    escalate_overdue(handler, now=T0 + timedelta(minutes=5))
    assert thing.told == {1, 2, 4}
    escalate_overdue(handler, now=T0 + timedelta(minutes=10))
    assert thing.told == {1, 2, 3, 4}
    escalate_overdue(handler, now=T0 + timedelta(minutes=15))
    assert thing.reminders == 1
    assert [e.tier for e in escalation_history(domain="restart", object_id=3)] == [1, 1, 2, 0]


def test_the_pure_chain_rules():
    assert list(chains.first_tiers(chains.CHAT_RISK, critical=True)) == [0, 1]
    assert list(chains.first_tiers(chains.CHAT_RISK, critical=False)) == [0]
    assert chains.first_deadline(chains.CHAT_RISK, T0, critical=False) == T0 + timedelta(minutes=30)
    assert chains.first_deadline(chains.CHAT_RISK, T0, critical=True) == T0 + timedelta(minutes=5)
    assert chains.first_deadline(chains.CRISIS, T0, critical=True) == T0 + timedelta(minutes=5)
    assert list(chains.tiers_to_try(chains.CRISIS, reached=2)) == [1, 2]
    assert list(chains.tiers_to_try(chains.MEDICAL, reached=1)) == [2]
    assert set(chains.RULES) == {"crisis", "chat_risk", "medical"}
