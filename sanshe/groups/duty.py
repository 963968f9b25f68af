"""Who is on duty in a group right now: manual duty set by a social worker, united with the roster.

The roster feature (issue 3, app `sanshe.rosters`) is built on groups, so groups never imports it: it registers a
duty provider here in its AppConfig.ready (`sanshe/rosters/chat_duty.py`). With no provider registered (the
roster app not installed), manual duty alone decides; who an alert reaches then falls back to the community's
staff as it does whenever nobody is on duty (sanshe.groups.alerts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from .models import DutyKind, Group, GroupMember, ManualDuty, MemberRole, MemberStatus

# Which member role serves which duty kind (a roster shift of a medical volunteer is medical duty).
ROLE_FOR_KIND: dict[str, str] = {
    DutyKind.MEDICAL: MemberRole.MEDICAL,
    DutyKind.PSYCHOLOGICAL: MemberRole.PSYCHOLOGICAL,
    DutyKind.SECRETARY: MemberRole.SECRETARY,
    DutyKind.SOCIAL_WORK: MemberRole.SOCIAL_WORKER,
}


def cleared_for(user_ids: set[int], member_role: str) -> set[int]:
    """The users among `user_ids` who may act in `member_role` now (volunteer roles need clearance)."""
    from .clearance import VOLUNTEER_MEMBER_ROLES

    account_role = VOLUNTEER_MEMBER_ROLES.get(member_role)
    if account_role is None or not user_ids:
        return set(user_ids)
    from sanshe.volunteers.clearance import cleared_user_ids

    return cleared_user_ids(user_ids, account_role)


def manual_on_duty(*, group: Group, at: datetime) -> dict[int, set[str]]:
    """Users on manual duty in `group` at `at`, with the kinds they are on duty for."""
    rows = ManualDuty.objects.filter(
        group=group, starts_at__lte=at, ends_at__gt=at, cancelled_at__isnull=True,
    ).values_list("user_id", "kind")
    result: dict[int, set[str]] = {}
    for user_id, kind in rows:
        result.setdefault(user_id, set()).add(kind)
    return result


@dataclass(frozen=True)
class DutyPeriod:
    """One helper's duty in a group: manual duty or a roster shift."""

    user_id: int
    kind: str
    starts_at: datetime
    ends_at: datetime


class DutyProvider(Protocol):
    """Duty kept outside this app (the roster's shifts), asked by group id."""

    def on_duty_user_ids(self, *, group_id: int, at: datetime) -> set[int]:
        """Users on duty in the group at `at`."""

    def duty_periods(self, *, group_id: int, kinds: tuple[str, ...], start: datetime,
                     end: datetime) -> Iterable[DutyPeriod]:
        """Duty of `kinds` in the group overlapping [start, end), whoever holds it."""


_PROVIDERS: dict[str, DutyProvider] = {}


def register_duty_provider(name: str, provider: DutyProvider) -> None:
    """Called by a feature's AppConfig.ready (the roster: `sanshe.rosters.chat_duty`); registering again replaces."""
    _PROVIDERS[name] = provider


def duty_providers() -> list[DutyProvider]:
    return list(_PROVIDERS.values())


def roster_on_duty(*, group: Group, at: datetime) -> set[int]:
    """Users the registered duty providers (the roster) put on duty in `group` at `at`; empty without one."""
    result: set[int] = set()
    for provider in duty_providers():
        result |= set(provider.on_duty_user_ids(group_id=group.pk, at=at))
    return result


def on_duty_user_ids(*, group: Group, at: datetime) -> set[int]:
    """Everyone on duty in `group` at `at`: manual duty ∪ roster shifts."""
    return set(manual_on_duty(group=group, at=at)) | roster_on_duty(group=group, at=at)


def on_duty_helper(*, group: Group, kind: str, at: datetime):
    """The on-duty helper of `kind` ("medical" or "psychological") in `group` at `at`, or None.

    Manual duty of that kind counts; a roster shift counts when the member's role in the group is of
    that kind. Among several, the one whose duty started most recently answers (the current shift).
    """
    role = ROLE_FOR_KIND.get(kind)
    if role is None:
        raise ValueError(f"unknown duty kind {kind!r}")
    manual = manual_on_duty(group=group, at=at)
    candidates = {uid for uid, kinds in manual.items() if kind in kinds}
    rostered = roster_on_duty(group=group, at=at)
    if rostered:
        candidates |= set(
            GroupMember.objects.filter(group=group, user_id__in=rostered, role=role, status=MemberStatus.ACTIVE)
            .values_list("user_id", flat=True)
        )
    if not candidates:
        return None
    active = set(
        GroupMember.objects.filter(group=group, user_id__in=candidates, status=MemberStatus.ACTIVE)
        .values_list("user_id", flat=True)
    )
    active = cleared_for(active, role)  # an uncleared volunteer is never handed a client (issue 3)
    if not active:
        return None
    latest = (
        ManualDuty.objects.filter(group=group, user_id__in=active, kind=kind, starts_at__lte=at, ends_at__gt=at,
                                  cancelled_at__isnull=True)
        .order_by("-starts_at", "-id").values_list("user_id", flat=True).first()
    )
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=latest if latest is not None else min(active))


# --- duty cover: will someone who can help be on duty soon? ----------------------------------------------------

# A consultation group is "covered" when a medical or psychological helper is on duty in it at some time in the
# next COVER_HOURS. Placing a client into a group nobody will staff before then leaves them alone with their
# need (issue 12: the key group was empty with nobody on duty), so placement refuses it.
COVER_KINDS: tuple[str, ...] = (DutyKind.MEDICAL, DutyKind.PSYCHOLOGICAL)
COVER_HOURS = 12


def duty_cover(*, group: Group, start: datetime, hours: int = COVER_HOURS,
               kinds: tuple[str, ...] = COVER_KINDS) -> list[DutyPeriod]:
    """Duty of `kinds` in `group` overlapping [start, start + hours), earliest first.

    Counted: manual duty not cancelled, and roster shifts (open) with an active assignment not checked out
    before `start`; in both cases only when the helper is an active member of the group in the matching role
    and cleared to act in it now (an uncleared volunteer is not cover).
    """
    end = start + timedelta(hours=hours)
    periods = [
        DutyPeriod(user_id, kind, starts_at, ends_at)
        for user_id, kind, starts_at, ends_at in ManualDuty.objects.filter(
            group=group, kind__in=kinds, cancelled_at__isnull=True, starts_at__lt=end, ends_at__gt=start,
        ).values_list("user_id", "kind", "starts_at", "ends_at")
    ]
    for provider in duty_providers():
        periods += provider.duty_periods(group_id=group.pk, kinds=kinds, start=start, end=end)
    if not periods:
        return []
    members = dict(GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE,
                                              user_id__in={p.user_id for p in periods})
                   .values_list("user_id", "role"))
    allowed: dict[str, set[int]] = {}
    for kind in kinds:
        role = ROLE_FOR_KIND[kind]
        allowed[kind] = cleared_for({uid for uid, r in members.items() if r == role}, role)
    return sorted((p for p in periods if p.user_id in allowed.get(p.kind, set())),
                  key=lambda p: (p.starts_at, p.kind, p.user_id))
