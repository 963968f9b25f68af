"""The chain rules of every acknowledge-or-escalate deadline, as plain data and pure functions (no ORM).

Who is in each tier is the domain's to resolve (the recipient helpers); here is only the shape of the chain:
how long to wait, which tiers exist in which order, who is told at once, what happens past the last tier.

Sources: the crisis protocol of the guide (六(二)5: imminent risk is never left waiting; the community is
contacted), and the platform's own rule since issue 4: acknowledge within 5 minutes or the next people are
told; a chain never goes quiet — past its last tier everyone already told is reminded, every 5 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ChainRule:
    """One domain's chain: `tiers` in order (tier 0 is told when the thing is raised)."""

    domain: str
    tiers: tuple[str, ...]
    ack_minutes: int = 5  # after each escalation (and for critical ones from the start)
    first_ack_minutes: int | None = None  # the first deadline of a non-critical one, if different
    critical_first_tiers: int = 1  # how many tiers a critical one reaches at once
    restart_each_time: bool = False  # look for new people from tier 1 every time (people change on duty)
    remind_when_exhausted: bool = True

    @property
    def last_tier(self) -> int:
        return len(self.tiers) - 1


def first_tiers(rule: ChainRule, *, critical: bool) -> range:
    """The tiers told at once when the thing is raised."""
    return range(0, min(rule.critical_first_tiers if critical else 1, len(rule.tiers)))


def first_deadline(rule: ChainRule, now: datetime, *, critical: bool) -> datetime:
    minutes = rule.ack_minutes if critical or rule.first_ack_minutes is None else rule.first_ack_minutes
    return now + timedelta(minutes=minutes)


def next_deadline(rule: ChainRule, now: datetime) -> datetime:
    return now + timedelta(minutes=rule.ack_minutes)


def tiers_to_try(rule: ChainRule, *, reached: int) -> range:
    """At an escalation: the tiers to try, in order, until one brings somebody new."""
    return range(1 if rule.restart_each_time else reached + 1, len(rule.tiers))


# Crisis protocol (sanshe.crisis.chain resolves the tiers).
CRISIS = ChainRule(
    domain="crisis",
    tiers=("first_responders", "social_workers_and_group_admins", "on_duty_helpers_and_community_workers"),
    restart_each_time=True,
)

# Chat risk alerts (sanshe.groups): imminent risk reaches the first two tiers at once; a lower level waits 30
# minutes for its first acknowledgement.
CHAT_RISK = ChainRule(
    domain="chat_risk",
    tiers=("group_admin_and_on_duty_specialist", "on_duty_staff_and_social_workers", "org_admins",
           "community_workers"),
    first_ack_minutes=30,
    critical_first_tiers=2,
)

# Medical (monitoring) alerts of urgent or emergency level: the assigned and responsible community workers,
# then the community's social workers, then the organisations' admins.
MEDICAL = ChainRule(
    domain="medical",
    tiers=("responsible_workers", "social_workers", "org_admins"),
)

RULES = {rule.domain: rule for rule in (CRISIS, CHAT_RISK, MEDICAL)}
