"""Reads of referrals: the social workers' inbox (most urgent, then longest waiting, first)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from sanshe.core.errors import ObjectNotFound

from .models import (
    OPEN_CASE_STATUSES,
    OPEN_REFERRAL_STATUSES,
    Case,
    CaseAssignment,
    CaseFollowUp,
    HelpRequest,
    Referral,
    ReferralStatus,
)
from .policies import ALL_PARTS, live_assigned_parts

INBOX_VIEWS = ("new", "mine", "closed")


def referral_inbox(*, actor, view: str = "new", limit: int = 100, now: datetime | None = None) -> list[Referral]:
    """`new`: waiting to be taken; `mine`: taken by the actor and still open; `closed`: the last 14 days'."""
    now = now or timezone.now()
    related = ("person__household__unit", "building__compound", "community", "created_by", "taken_by")
    queryset = Referral.objects.for_actor(actor, "take")
    if view == "closed":
        return list(queryset.select_related(*related)
                    .filter(status=ReferralStatus.CLOSED, closed_at__gte=now - timedelta(days=14))
                    .order_by("-closed_at")[:limit])
    if view == "mine":
        queryset = queryset.filter(status=ReferralStatus.TAKEN, taken_by=actor)
    else:
        queryset = queryset.filter(status=ReferralStatus.NEW)
    # The page's ids in inbox order first (the inbox index, stopping after `limit`), then those rows with their
    # joins: joining first makes SQLite sort every waiting referral of the community (10,000 → 4× slower).
    ids = list(queryset.order_by("-urgency_rank", "created_at", "pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    return sorted(Referral.objects.filter(pk__in=ids).select_related(*related),
                  key=lambda r: (-r.urgency_rank, r.created_at, r.pk))


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


def may_print_contacts(*, actor, case: Case) -> bool:
    """Whether the actor may print tool 5 with the full phone numbers: the people reveal rule for the client.

    The same scope as the audited reveal in people (`Person.objects.for_actor(actor, "reveal")`), so a part
    holder who sees the case but may not reveal its client's numbers keeps the masked print only.
    """
    from sanshe.people.models import Person

    return Person.objects.for_actor(actor, "reveal").filter(pk=case.person_id).exists()


# ------------------------------------------------------------------------------------------------- cases

def my_cases(*, actor, now: datetime | None = None, limit: int = 100) -> list[Case]:
    """The actor's open cases, most urgent then longest open first, each with `overdue` (follow-ups past
    their time limit) and `pending` (follow-ups with a time limit not done): three queries however many cases
    (the page's ids by the owner index, those cases, then the counts of just those)."""
    now = now or timezone.now()
    # The page's ids first (the owner's open-case index, in order, stops after `limit`), then those rows with
    # their joins: joining first makes SQLite sort every open case of the owner.
    ids = list(Case.objects.filter(owner=actor, status__in=OPEN_CASE_STATUSES)
               .order_by("-urgency_rank", "opened_at", "pk").values_list("pk", flat=True)[:limit])
    cases = sorted(Case.objects.filter(pk__in=ids).select_related("person", "community", "building__compound"),
                   key=lambda c: (-c.urgency_rank, c.opened_at, c.pk)) if ids else []
    counts = {row["case_id"]: row for row in CaseFollowUp.objects
              .filter(case_id__in=[c.pk for c in cases], done_at__isnull=True, due_at__isnull=False)
              .values("case_id").annotate(pending=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
              .order_by()} if cases else {}
    for case in cases:
        row = counts.get(case.pk, {})
        case.overdue, case.pending = row.get("overdue", 0), row.get("pending", 0)
    return cases


def assigned_cases(*, actor, limit: int = 100) -> list[CaseAssignment]:
    """Parts of others' cases assigned to the actor (still open, and still held: role and clearance)."""
    live = live_assigned_parts(actor)
    if not live:
        return []
    return list(CaseAssignment.objects.filter(assignee=actor, ended_at__isnull=True, case_id__in=sorted(live),
                                              case__status__in=OPEN_CASE_STATUSES)
                .select_related("case__person", "case__owner").order_by("-case__urgency_rank", "case__opened_at")
                [:limit])


COUNT_CAP = 100


def case_counts(*, actor, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    mine = Case.objects.filter(owner=actor, status__in=OPEN_CASE_STATUSES)
    # Overdue follow-ups are counted up to COUNT_CAP ("99+"): the panel needs "some", not an exact large number,
    # and a capped count stops reading early.
    overdue = CaseFollowUp.objects.filter(case__owner=actor, case__status__in=OPEN_CASE_STATUSES, done_at__isnull=True,
                                          due_at__lt=now)[:COUNT_CAP].count()
    return {"open": mine.count(), "overdue": overdue, "overdue_capped": overdue >= COUNT_CAP}


def case_parts_for(*, actor, case: Case) -> frozenset[str]:
    """The parts (医疗/心理/其他) of this case the actor may read: all for those responsible for the case (its
    owner, the social workers of its community), the parts assigned to them (and still held) for assignees,
    none otherwise. Computed once per actor and case object (one request)."""
    memo = case.__dict__.setdefault("_sanshe_parts", {})
    if actor.pk not in memo:
        if case_in_scope(actor=actor, case=case, action="change"):
            memo[actor.pk] = ALL_PARTS
        else:
            memo[actor.pk] = live_assigned_parts(actor).get(case.pk, frozenset())
    return memo[actor.pk]


def case_page(*, actor, case: Case) -> dict:
    """What the case page (and its print and export) shows besides the case: status history, follow-ups by
    part, assignments, transfers — follow-ups and assignment notes only of the parts the actor may read."""
    parts = case_parts_for(actor=actor, case=case)
    followups = list(case.followups.filter(domain__in=sorted(parts)).select_related("responsible", "done_by")
                     .order_by("date", "pk"))
    return {
        "parts_visible": parts,
        "sees_all_parts": parts == ALL_PARTS,
        "history": list(case.status_changes.select_related("actor").order_by("at", "pk")),
        "followups": followups,
        "assignments": list(case.assignments.filter(ended_at__isnull=True, part__in=sorted(parts))
                            .select_related("assignee", "assigned_by")),
        "transfers": list(case.transfers.select_related("from_owner", "to_owner", "actor").order_by("at", "pk")),
    }


def help_requests_mine(*, actor, limit: int = 20) -> list[HelpRequest]:
    """A resident's own requests for help, newest first, with what became of each."""
    return list(HelpRequest.objects.filter(user=actor).select_related("referral__taken_by")
                .order_by("-created_at", "-pk")[:limit])


def help_open_request(*, actor) -> Referral | None:
    """The resident's own request still being handled (waiting or taken), which a new one is attached to."""
    from sanshe.accounts.policies import scope_for

    person_id = scope_for(actor).person_id
    if person_id is None:
        return None
    return (Referral.objects.filter(person_id=person_id, source_kind="self_help", status__in=OPEN_REFERRAL_STATUSES)
            .select_related("taken_by").order_by("created_at", "pk").first())


def help_handler(*, referral: Referral | None):
    """Who has the person's request: the owner of their open case, else the social worker who took it; None
    while it waits in the inbox (or is over)."""
    if referral is None or not referral.is_open:
        return None
    case = (Case.objects.filter(person_id=referral.person_id, status__in=OPEN_CASE_STATUSES)
            .select_related("owner").first())
    if case is not None and case.owner.is_active:
        return case.owner
    if referral.status == ReferralStatus.TAKEN and referral.taken_by is not None and referral.taken_by.is_active:
        return referral.taken_by
    return None


def help_entries(*, referral: Referral) -> list[HelpRequest]:
    """The requests of one self_help referral, first one first, each with `reasons` (what made it urgent)."""
    from .rules import help_urgency_from_text

    entries = list(referral.help_requests.order_by("created_at", "pk"))
    for entry in entries:
        entry.reasons = help_urgency_from_text(kinds=entry.kinds, text=entry.text).reasons
    return entries


def help_entries_for_case(*, actor, case: Case, limit: int = 30) -> list[HelpRequest]:
    """The person's requests for help that belong to this case — those of its referral, still open, or sent
    since it opened — of the parts (医疗/心理/其他) the actor may read; newest first."""
    from .models import HELP_KIND_PARTS
    from .rules import help_urgency_from_text

    parts = case_parts_for(actor=actor, case=case)
    if not parts:
        return []
    condition = Q(referral__status__in=OPEN_REFERRAL_STATUSES) | Q(created_at__gte=case.opened_at)
    if case.referral_id:
        condition |= Q(referral_id=case.referral_id)
    entries = []
    for entry in (HelpRequest.objects.filter(person_id=case.person_id).filter(condition)
                  .order_by("-created_at", "-pk")[:limit]):
        if parts == ALL_PARTS or {HELP_KIND_PARTS.get(k, "other") for k in entry.kinds} & parts:
            entry.reasons = help_urgency_from_text(kinds=entry.kinds, text=entry.text).reasons
            entries.append(entry)
    return entries


def case_in_scope(*, actor, case: Case, action: str) -> bool:
    return Case.objects.for_actor(actor, action).filter(pk=case.pk).exists()


# How long a referral may wait before the inbox shows its waiting time in red (the urgency's promise).
WAIT_LIMITS = {"immediate": timedelta(minutes=15), "within_24h": timedelta(hours=24), "routine": timedelta(days=3)}


def waited_too_long(referral: Referral, now: datetime) -> bool:
    return referral.status == ReferralStatus.NEW and now - referral.created_at > WAIT_LIMITS.get(
        referral.urgency, timedelta(days=3))


def case_for_referral(*, actor, referral: Referral) -> Case | None:
    """The case this referral opened, or the person's open case, if the actor may see it."""
    return (Case.objects.for_actor(actor, "view").filter(Q(referral_id=referral.pk)
                                                         | Q(person_id=referral.person_id,
                                                             status__in=OPEN_CASE_STATUSES))
            .order_by("-opened_at").first())


def referral_crisis_stop(*, actor, referral: Referral | None, case: Case) -> tuple[str, str] | None:
    """Where taking a crisis referral leads first: the case's open crisis page (when the actor may see it), else
    the imminent chat alert the referral came from while it is not closed; None for an ordinary referral."""
    from django.urls import reverse

    from .sections import case_open_crisis_url

    crisis_url = case_open_crisis_url(actor=actor, case=case)
    if crisis_url:
        return crisis_url, "crisis"
    alert = _referral_alert(actor=actor, referral=referral)
    if alert is not None and alert.is_imminent and alert.status != "closed":
        return reverse("groups:alerts") + f"#alert-{alert.pk}", "alert"
    return None


def _referral_alert(*, actor, referral: Referral | None):
    """The chat risk alert a referral came from, if the actor may see it (the risk-alerts page's own rule)."""
    if referral is None or referral.source_kind != "chat" or not referral.source_id:
        return None
    from sanshe.groups.models import RiskAlert

    return (RiskAlert.objects.for_actor(actor, "view").select_related("message", "message__sender", "group")
            .filter(pk=referral.source_id).first())


def referral_intake_view(*, actor, case: Case) -> dict | None:
    """What the intake shows of the referral that opened the case: reason, who referred and when, the source
    message quoted (only to someone who may see its alert), links to the open crisis and the alert."""
    from django.urls import reverse

    from .sections import case_open_crisis_url

    referral = (Referral.objects.for_actor(actor, "view").select_related("created_by", "taken_by")
                .filter(pk=case.referral_id).first()) if case.referral_id else None
    if referral is None:
        return None
    view = {"referral": referral, "message": None, "alert_url": "", "crisis_url": ""}
    alert = _referral_alert(actor=actor, referral=referral)
    if alert is not None:
        view["alert_url"] = reverse("groups:alerts") + f"#alert-{alert.pk}"
        message = alert.message
        if message is not None and message.body:
            view["message"] = {"body": message.body, "at": message.created_at, "group": alert.group.name,
                               "sender": (message.sender.display_name or str(message.sender))
                               if message.sender_id else ""}
    view["crisis_url"] = case_open_crisis_url(actor=actor, case=case)
    return view
