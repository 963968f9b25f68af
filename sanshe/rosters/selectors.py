"""Reads of the roster, scoped, with their related rows fetched up front (query counts stay flat)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Prefetch, Q, Sum
from django.utils import timezone

from sanshe.core.errors import ObjectNotFound
from sanshe.groups.models import DutyKind, Group, GroupMember, MemberStatus
from sanshe.volunteers.clearance import cleared_user_ids

from . import rules
from .models import (
    KIND_ORDER,
    KIND_ROLES,
    Assignment,
    AssignmentStatus,
    CalendarFeed,
    DropRequest,
    HandoverNote,
    HoursCertificate,
    HoursCorrection,
    HoursRecord,
    HoursStatus,
    RequestStatus,
    Shift,
    ShiftNeed,
    ShiftStatus,
    ShiftTemplate,
)
from .querysets import roster_managed_q
from .services import KIND_MEMBER_ROLES, busy_intervals, claim_window_days, no_show_count, policy_for


def managed_groups(*, actor):
    """Consultation groups whose roster the actor runs."""
    from sanshe.accounts.policies import scope_for

    return (Group.objects.filter(roster_managed_q(scope_for(actor)), tier__in=[2, 3], is_archived=False)
            .select_related("community", "organisation").order_by("community_id", "tier", "name"))


def access_managed_group(*, actor, id: int) -> Group:
    group = managed_groups(actor=actor).filter(pk=id).first()
    if group is None:
        raise ObjectNotFound()
    return group


def access_shift(*, actor, id: int, action: str = "view") -> Shift:
    shift = (Shift.objects.for_actor(actor, action).select_related("group__organisation", "template")
             .prefetch_related(Prefetch("needs", queryset=ShiftNeed.objects.order_by("kind")),
                               Prefetch("assignments", queryset=Assignment.objects.select_related("user")
                                        .order_by("kind", "created_at")))
             .filter(pk=id).first())
    if shift is None:
        raise ObjectNotFound()
    return shift


def shifts_by_day(*, group: Group, start: date, days: int) -> list[tuple[date, list[Shift]]]:
    """A group's shifts day by day, with places and the people on them (three queries)."""
    tz = timezone.get_current_timezone()
    begin = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    shifts = (Shift.objects.filter(group=group, starts_at__gte=begin, starts_at__lt=begin + timedelta(days=days))
              .prefetch_related(Prefetch("needs", queryset=ShiftNeed.objects.order_by("kind")),
                                Prefetch("assignments", queryset=Assignment.objects.filter(
                                    status=AssignmentStatus.ACTIVE).select_related("user")))
              .order_by("starts_at"))
    grouped: dict[date, list[Shift]] = defaultdict(list)
    for shift in shifts:
        grouped[timezone.localtime(shift.starts_at).date()].append(shift)
    return [(start + timedelta(days=i), grouped.get(start + timedelta(days=i), [])) for i in range(days)]


def templates_of(group: Group):
    return ShiftTemplate.objects.filter(group=group).prefetch_related("slots").order_by("name")


def handover_for(shift: Shift, *, limit: int = 3) -> list[HandoverNote]:
    """The notes left by the previous shifts of the group (newest first), shown first to this shift."""
    earlier = (Shift.objects.filter(group_id=shift.group_id, starts_at__lt=shift.starts_at)
               .order_by("-starts_at").values("pk")[:2])
    return list(HandoverNote.objects.filter(shift_id__in=earlier).select_related("author", "shift")
                .order_by("-created_at")[:limit])


@dataclass
class MyShift:
    assignment: Assignment
    handover: list[HandoverNote] = field(default_factory=list)
    pending_drop: bool = False
    open_offer: object = None
    can_check_in: bool = False
    can_check_out: bool = False


def my_shifts(*, user, now: datetime, days: int = 14) -> list[MyShift]:
    """The user's shifts from now on (and the one in progress), with the handover notes of their next shift."""
    rows = list(Assignment.objects.filter(
        user=user, status=AssignmentStatus.ACTIVE, shift__status=ShiftStatus.OPEN,
        shift__ends_at__gt=now - timedelta(hours=1), shift__starts_at__lt=now + timedelta(days=days),
    ).filter(Q(checked_out_at__isnull=True)).select_related("shift__group").order_by("shift__starts_at"))
    pending = set(DropRequest.objects.filter(assignment__in=rows, status=RequestStatus.PENDING)
                  .values_list("assignment_id", flat=True))
    from .models import ShiftOffer

    offers = {o.assignment_id: o for o in ShiftOffer.objects.filter(assignment__in=rows, status=RequestStatus.PENDING)}
    result = []
    for index, assignment in enumerate(rows):
        shift = assignment.shift
        item = MyShift(assignment=assignment, pending_drop=assignment.pk in pending,
                       open_offer=offers.get(assignment.pk))
        item.can_check_in = (not assignment.checked_in_at and shift.starts_at - timedelta(minutes=30) <= now
                             < shift.ends_at)
        item.can_check_out = bool(assignment.checked_in_at and not assignment.checked_out_at)
        if index == 0:
            item.handover = handover_for(shift)
        result.append(item)
    return result


@dataclass
class OpenPlace:
    need: ShiftNeed
    problems: list[str]


@dataclass
class ClaimList:
    """Places of the user's groups and kinds: those they can claim now, and the others with why not."""

    claimable: list[OpenPlace]
    blocked: list[OpenPlace]


def open_places(*, user, now: datetime, limit: int = 60, full_limit: int = 10) -> list[OpenPlace]:
    """Places in the user's groups, of kinds they serve, with why they can or cannot claim each.

    Unfilled places come first (up to `limit`); then the soonest full places (up to `full_limit`), so a
    volunteer sees that a shift exists but is taken rather than wondering where it went.
    """
    memberships = GroupMember.objects.filter(user=user, status=MemberStatus.ACTIVE).values_list("group_id", "role")
    kinds_by_group: dict[int, set[str]] = defaultdict(set)
    for group_id, role in memberships:
        for kind, roles in KIND_MEMBER_ROLES.items():
            if role in roles:
                kinds_by_group[group_id].add(kind)
    if not kinds_by_group:
        return []
    condition = Q()
    for group_id, kinds in kinds_by_group.items():
        condition |= Q(shift__group_id=group_id, kind__in=kinds)
    rows = (ShiftNeed.objects.filter(condition, shift__status=ShiftStatus.OPEN, shift__starts_at__gt=now)
            .exclude(shift_id__in=Assignment.objects.filter(user=user, status=AssignmentStatus.ACTIVE)
                     .values("shift_id"))
            .select_related("shift__group").order_by("shift__starts_at", "kind"))
    needs = list(rows.filter(filled__lt=F("needed"))[:limit])
    if full_limit:
        needs += list(rows.filter(filled__gte=F("needed"))[:full_limit])
    if not needs:
        return []
    kinds = {n.kind for n in needs}
    cleared = {kind: user.pk in cleared_user_ids([user.pk], KIND_ROLES[kind]) for kind in kinds}
    span = rules.Interval(min(n.shift.starts_at for n in needs), max(n.shift.ends_at for n in needs))
    busy = busy_intervals([user.pk], span).get(user.pk, [])
    shows = no_show_count(user.pk)
    windows = {gid: claim_window_days(gid) for gid in {n.shift.group_id for n in needs}}
    policies = {oid: policy_for(oid) for oid in {n.shift.group.organisation_id for n in needs}}
    result = []
    for need in sorted(needs, key=lambda n: (n.shift.starts_at, n.kind)):
        shift = need.shift
        facts = rules.ClaimFacts(
            now=now, shift=rules.Interval(shift.starts_at, shift.ends_at), shift_cancelled=False,
            places_left=need.needed - need.filled, cleared=cleared[need.kind], in_group_role=True,
            already_on_shift=False, existing=tuple(busy), claim_window_days=windows[shift.group_id], no_shows=shows)
        result.append(OpenPlace(need=need, problems=rules.claim_problems(facts, policies[shift.group.organisation_id])))
    return result


def claim_list(*, user, now: datetime) -> ClaimList:
    """我的班次's claim section: what the user can take now, and the rest folded away with the reasons."""
    places = open_places(user=user, now=now)
    return ClaimList(claimable=[p for p in places if not p.problems], blocked=[p for p in places if p.problems])


def notices(*, user, limit: int = 10):
    """The user's unread roster notifications (the notify layer's, kind `rosters.*`), newest first."""
    from sanshe.core.notify.selectors import notification_list

    return notification_list(actor=user, unread_only=True, kind_prefix="rosters.", limit=limit)


def unread_notice_count(*, user) -> int:
    from sanshe.core.notify.selectors import unread_count

    return unread_count(actor=user, kind_prefix="rosters.")


@dataclass
class CoverageRow:
    group: Group
    gaps: dict[str, int]
    short_shifts: int

    @property
    def total(self) -> int:
        return sum(self.gaps.values())

    def gap_list(self) -> list[tuple[str, int]]:
        return [(str(DutyKind(k).label), self.gaps.get(k, 0)) for k in KIND_ORDER]


def coverage(*, actor, now: datetime, hours: int) -> tuple[list[CoverageRow], list[ShiftNeed]]:
    """Unfilled places in the next `hours` by group and kind (one GROUP BY), and the most urgent places.

    The number of queries does not depend on the number of groups.
    """
    from sanshe.accounts.policies import scope_for

    scope = scope_for(actor)
    window = Q(shift__status=ShiftStatus.OPEN, shift__starts_at__gte=now - timedelta(hours=1),
               shift__starts_at__lt=now + timedelta(hours=hours), filled__lt=F("needed"))
    # The actor's groups resolved once: a plain id list lets the database use the (group, start) index.
    group_ids = list(Group.objects.filter(roster_managed_q(scope), tier__in=[2, 3]).values_list("pk", flat=True))
    in_scope = Q(shift__group_id__in=group_ids)
    rows = (ShiftNeed.objects.filter(window, in_scope).order_by()
            .values("shift__group_id", "kind").annotate(gap=Sum(F("needed") - F("filled")),
                                                        shifts=Count("shift_id", distinct=True)))
    by_group: dict[int, dict] = defaultdict(lambda: {"gaps": {}, "shifts": 0})
    for row in rows:
        entry = by_group[row["shift__group_id"]]
        entry["gaps"][row["kind"]] = row["gap"]
        entry["shifts"] += row["shifts"]
    groups = (Group.objects.filter(pk__in=list(by_group)).select_related("community")
              .only("pk", "name", "tier", "community__name").in_bulk())
    result = [CoverageRow(group=groups[gid], gaps=data["gaps"], short_shifts=data["shifts"])
              for gid, data in by_group.items() if gid in groups]
    result.sort(key=lambda r: (-r.total, r.group.name))
    urgent = list(ShiftNeed.objects.filter(window, in_scope).select_related("shift__group")
                  .order_by("shift__starts_at", "kind")[:30])
    return result, urgent


def assignable_users(*, need: ShiftNeed, now: datetime) -> list:
    """Members of the group who could fill this place (for the secretary's assign list)."""
    from .services import eligible_free_users

    return eligible_free_users(need, now=now)


@dataclass
class BlockedCandidate:
    """A group member of the place's kind who cannot be put on it, and whether a coordinator may override."""

    user: object
    problems: list[rules.Problem]

    @property
    def rest_only(self) -> bool:
        return rules.only_rest_problems(self.problems)


def blocked_candidates(*, need: ShiftNeed, now: datetime) -> list[BlockedCandidate]:
    """Members of the right kind not on the shift whom the rules keep off it, with the reasons (4 queries).

    Those held back only by the rest / 24-hour rules come first: a coordinator may put them on with a reason.
    """
    from sanshe.accounts.models import User

    shift = need.shift
    members = set(GroupMember.objects.filter(group_id=shift.group_id, status=MemberStatus.ACTIVE,
                                             role__in=KIND_MEMBER_ROLES[need.kind]).values_list("user_id", flat=True))
    members -= {a.user_id for a in shift.assignments.all() if a.status == AssignmentStatus.ACTIVE}
    if not members:
        return []
    cleared = set(cleared_user_ids(members, KIND_ROLES[need.kind]))
    interval = rules.Interval(shift.starts_at, shift.ends_at)
    busy = busy_intervals(members, interval)
    policy = policy_for(shift.group.organisation_id)
    result = []
    for user in User.objects.filter(pk__in=members, is_active=True).order_by("pk"):
        facts = rules.ClaimFacts(
            now=now, shift=interval, shift_cancelled=shift.status == ShiftStatus.CANCELLED,
            places_left=need.needed - need.filled, cleared=user.pk in cleared, in_group_role=True,
            already_on_shift=False, existing=tuple(busy.get(user.pk, [])), claim_window_days=0, self_claim=False)
        problems = rules.claim_findings(facts, policy)
        if problems:
            result.append(BlockedCandidate(user=user, problems=problems))
    result.sort(key=lambda c: not c.rest_only)
    return result


def pending_drops(*, shift: Shift):
    return list(DropRequest.objects.filter(assignment__shift=shift, status=RequestStatus.PENDING)
                .select_related("assignment__user"))


def my_hours(*, user):
    records = list(HoursRecord.objects.filter(user=user).select_related("organisation", "group")
                   .prefetch_related("corrections").order_by("-service_date", "-id"))
    totals: dict[int, dict] = {}
    for record in records:
        entry = totals.setdefault(record.organisation_id, {"organisation": record.organisation, "approved": 0,
                                                           "pending": 0})
        if record.status == HoursStatus.APPROVED:
            entry["approved"] += record.minutes
        elif record.status == HoursStatus.PENDING:
            entry["pending"] += record.minutes
    no_shows = list(Assignment.objects.filter(user=user, status=AssignmentStatus.NO_SHOW)
                    .select_related("shift__group").order_by("-shift__starts_at")[:20])
    certificates = list(HoursCertificate.objects.filter(user=user).select_related("organisation"))
    return records, list(totals.values()), no_shows, certificates


def hours_to_decide(*, actor):
    records = list(HoursRecord.objects.for_actor(actor, "manage").filter(status=HoursStatus.PENDING)
                   .select_related("user", "group", "organisation").order_by("service_date")[:100])
    corrections = list(HoursCorrection.objects.filter(
        status=RequestStatus.PENDING, record__in=HoursRecord.objects.for_actor(actor, "manage"))
        .select_related("record__user", "record__group", "requested_by").order_by("created_at")[:100])
    return records, corrections


def blocked_volunteers(*, actor) -> list[tuple]:
    """Volunteers of the actor's groups whose no-shows reached the limit (user, count)."""
    from sanshe.accounts.policies import scope_for

    groups = Group.objects.filter(roster_managed_q(scope_for(actor))).values("pk")
    user_ids = set(Assignment.objects.filter(status=AssignmentStatus.NO_SHOW, shift__group_id__in=groups)
                   .values_list("user_id", flat=True))
    from sanshe.accounts.models import User

    result = []
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        count = no_show_count(user.pk)
        if count >= 1:
            result.append((user, count))
    return result


def hours_export_rows(*, actor, organisation_id: int | None = None):
    rows = (HoursRecord.objects.for_actor(actor, "manage").select_related("user", "organisation", "group")
            .order_by("organisation_id", "user_id", "service_date", "id"))
    if organisation_id:
        rows = rows.filter(organisation_id=organisation_id)
    return rows


def feed_for_token(token_hash: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(token_hash=token_hash, revoked_at__isnull=True,
                                                              user__is_active=True).first()


def feed_shifts(*, user, now: datetime):
    return (Assignment.objects.filter(user=user, status=AssignmentStatus.ACTIVE,
                                      shift__ends_at__gt=now - timedelta(days=30),
                                      shift__starts_at__lt=now + timedelta(days=90))
            .select_related("shift__group").order_by("shift__starts_at"))


def home_volunteer(*, user, now: datetime | None = None) -> dict:
    """Context for the volunteer home panel (`rosters/_home_volunteer.html`): next shift, readiness, notices."""
    from sanshe.volunteers.selectors import volunteer_progress

    now = now or timezone.now()
    upcoming = my_shifts(user=user, now=now, days=14)
    progress = volunteer_progress(user=user)
    return {
        "roster_next": upcoming[0] if upcoming else None,
        "roster_upcoming_count": len(upcoming),
        "roster_unread": unread_notice_count(user=user),
        "roster_not_ready": [p for p in progress if not p.clearance.cleared],
    }


def home_coordinator(*, user, now: datetime | None = None) -> dict:
    """Context for the social worker's / secretary's home panel (`rosters/_home_coordinator.html`)."""
    from sanshe.volunteers.models import ApplicationStatus
    from sanshe.volunteers.policies import is_reviewer
    from sanshe.volunteers.selectors import application_counts

    now = now or timezone.now()
    rows, urgent = coverage(actor=user, now=now, hours=24)
    drops = DropRequest.objects.filter(status=RequestStatus.PENDING,
                                       assignment__in=Assignment.objects.for_actor(user, "manage")).count()
    pending = application_counts(actor=user)[ApplicationStatus.SUBMITTED] if is_reviewer(user) else None
    return {"roster_gaps_24h": sum(r.total for r in rows), "roster_gap_groups": len(rows),
            "roster_urgent": urgent[:3], "roster_pending_drops": drops, "volunteer_pending_applications": pending}


def move_targets(*, actor, shift: Shift, now: datetime, days: int = 14) -> dict[str, list[ShiftNeed]]:
    """kind → places with room in the group's other open shifts of the next `days` days (one query)."""
    from django.db.models import F

    targets: dict[str, list[ShiftNeed]] = {}
    for need in (ShiftNeed.objects.for_actor(actor, "manage")
                 .filter(shift__group_id=shift.group_id, shift__status="open", shift__starts_at__gt=now,
                         shift__starts_at__lt=now + timedelta(days=days), filled__lt=F("needed"))
                 .exclude(shift_id=shift.pk).select_related("shift").order_by("shift__starts_at", "kind")[:200]):
        targets.setdefault(need.kind, []).append(need)
    return targets
