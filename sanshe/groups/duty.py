"""Who is on duty in a group right now: manual duty set by a social worker, united with the roster.

The roster feature (issue 3, app `sanshe.rosters`) answers through
`sanshe.rosters.duty.roster_on_duty_user_ids(group_id=..., at=...) -> set[int]`; while that app is not
installed, manual duty alone decides.
"""

from __future__ import annotations

from datetime import datetime

from django.apps import apps

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


def roster_on_duty(*, group: Group, at: datetime) -> set[int]:
    """Users the roster feature puts on duty in `group` at `at` (empty while it is not installed)."""
    if not apps.is_installed("sanshe.rosters"):
        return set()
    from sanshe.rosters.duty import roster_on_duty_user_ids

    return set(roster_on_duty_user_ids(group_id=group.pk, at=at))


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
