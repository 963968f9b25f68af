"""Writes of referrals: refer a person to the social workers, take a referral, close it."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date as date_type
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ActionForbidden, ObjectNotFound

from .models import (
    OPEN_CASE_STATUSES,
    OPEN_REFERRAL_STATUSES,
    URGENCY_RANK,
    Case,
    CaseAssignment,
    CaseFollowUp,
    CasePart,
    CaseStatus,
    CaseStatusChange,
    CaseTransfer,
    HelpKind,
    HelpRequest,
    Referral,
    ReferralSource,
    ReferralStatus,
    ReferralUrgency,
)
from .policies import ASSIGNABLE_ROLES, may_hold_part, require_cases
from .rules import status_change_problem
from .selectors import case_parts_for
from .sources import SOURCES

logger = logging.getLogger(__name__)
MAX_TEXT = 2000


@transaction.atomic
def referral_create(*, actor, person_id: int, source_kind: str, source_id: int | None, reason: str,
                    urgency: str = ReferralUrgency.ROUTINE, now: datetime | None = None) -> tuple[Referral, bool]:
    """Refer a person from a record the actor may see; (referral, created). Referring the same person from
    the same record again returns the open referral instead of a second one."""
    require_cases(actor, "cases.refer")
    check = SOURCES.get(source_kind)
    if check is None:
        raise ValidationError({"source_kind": _("暂不支持从该来源转介")})
    person = check(actor, person_id, source_id)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("请写明转介原因（至少4个字），社会工作者据此安排跟进")})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": _("转介原因请控制在%(n)s字以内") % {"n": MAX_TEXT}})
    if urgency not in ReferralUrgency.values:
        raise ValidationError({"urgency": _("请选择紧急程度")})
    existing = Referral.objects.filter(person=person, source_kind=source_kind, source_id=source_id,
                                       status__in=OPEN_REFERRAL_STATUSES).first()
    if existing is not None:
        return existing, False
    referral = Referral(person=person, community_id=person.community_id, building_id=person.building_id,
                        source_kind=source_kind, source_id=source_id, reason=reason, urgency=urgency,
                        urgency_rank=URGENCY_RANK[ReferralUrgency(urgency)], created_by=actor)
    referral.full_clean()
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:  # the same referral submitted twice at once
        return Referral.objects.get(person=person, source_kind=source_kind, source_id=source_id,
                                    status__in=OPEN_REFERRAL_STATUSES), False
    if now is not None:
        Referral.objects.filter(pk=referral.pk).update(created_at=now)
        referral.created_at = now
    audit_record(actor=actor, action="referral.create", obj=referral,
                 detail={"source": source_kind, "urgency": urgency})
    if urgency == ReferralUrgency.IMMEDIATE:
        _notify_immediate(referral.pk)  # the notify layer's outbox: sent after commit
    return referral, True


def _notify_immediate(referral_id: int) -> None:
    """Text the community's social workers about a referral that must not wait (critical: no quiet hours)."""
    from sanshe.accounts.responsible import holders
    from sanshe.accounts.roles import Role
    from sanshe.core.notify.services import masked_name

    referral = Referral.objects.select_related("person", "community").filter(pk=referral_id).first()
    if referral is None:
        return
    users = holders(roles=[Role.SOCIAL_WORKER], community_id=referral.community_id)
    message = _("【三社】%(community)s有一条需立即处理的转介（%(name)s），请打开“转介”接收。") % {
        "community": referral.community.name, "name": masked_name(referral.person.name)}
    _tell(users, message, {"kind": "cases.referral_immediate", "referral": referral.pk,
                           "href": reverse("cases:referral_detail", args=[referral.pk]),
                           "text": message.removeprefix("【三社】")}, critical=True,
          community_id=referral.community_id)


def _referral_for(actor, referral_id: int, action: str) -> Referral:
    referral = Referral.objects.for_actor(actor, action).select_for_update().filter(pk=referral_id).first()
    if referral is None:
        raise ObjectNotFound()
    return referral


@transaction.atomic
def referral_take(*, actor, referral_id: int, now: datetime | None = None) -> Referral:
    """A social worker takes a new referral: it leaves the others' waiting list."""
    require_cases(actor, "cases.inbox")
    referral = _referral_for(actor, referral_id, "take")
    if referral.status != ReferralStatus.NEW:
        raise ValidationError({"__all__": _("该转介已由%(who)s接收或已结束") % {"who": referral.taken_by or _("其他人")}})
    referral.status = ReferralStatus.TAKEN
    referral.taken_by = actor
    referral.taken_at = now or timezone.now()
    referral.save(update_fields=["status", "taken_by", "taken_at", "updated_at"])
    audit_record(actor=actor, action="referral.take", obj=referral)
    return referral


@transaction.atomic
def referral_close(*, actor, referral_id: int, note: str, now: datetime | None = None) -> Referral:
    """End a referral with what became of it (a written note)."""
    require_cases(actor, "cases.inbox")
    referral = _referral_for(actor, referral_id, "close")
    if referral.status == ReferralStatus.CLOSED:
        raise ValidationError({"__all__": _("该转介已经结束")})
    note = (note or "").strip()
    if len(note) < 4:
        raise ValidationError({"note": _("请写明结束原因或去向（至少4个字）")})
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": _("说明请控制在%(n)s字以内") % {"n": MAX_TEXT}})
    now = now or timezone.now()
    if referral.taken_by_id is None:
        referral.taken_by, referral.taken_at = actor, now
    referral.status = ReferralStatus.CLOSED
    referral.closed_by = actor
    referral.closed_at = now
    referral.close_note = note
    referral.save()
    audit_record(actor=actor, action="referral.close", obj=referral)
    return referral


def _case_number(case: Case) -> str:
    """个案编号: year, community and a sequence that only grows (the primary key), e.g. 2026-0003-000127."""
    return f"{case.opened_at:%Y}-{case.community_id:04d}-{case.pk:06d}"


@transaction.atomic
def case_open(*, actor, person_id: int, referral_id: int | None = None, urgency: str | None = None,
              now: datetime | None = None) -> Case:
    """Open a case for a person in the actor's communities (接案), optionally from a referral it then takes.

    A person has at most one open case: opening again returns the open one (the caller sees its number).
    """
    from sanshe.people.models import Person

    scope = require_cases(actor, "cases.manage")
    now = now or timezone.now()
    person = (Person.objects.select_for_update().filter(pk=person_id)
              .filter(Q(community_id__in=scope.communities("cases.manage"))
                      | Q(building_id__in=scope.buildings("cases.manage"))).first())
    if person is None:
        raise ObjectNotFound()
    referral = None
    if referral_id is not None:
        referral = _referral_for(actor, referral_id, "take")
        if referral.person_id != person.pk:
            raise ObjectNotFound()
    existing = Case.objects.filter(person=person, status__in=OPEN_CASE_STATUSES).first()
    if existing is not None:
        # The open case (e.g. one a crisis opened from a chat alert) takes the referral: it is no longer
        # waiting, and a case without a source gets this one (its intake starts from the referral).
        if referral is not None:
            _take_referral(actor, referral, now)
            if existing.referral_id is None:
                Case.objects.filter(pk=existing.pk, referral__isnull=True).update(referral=referral)
                existing.referral = referral
        return existing
    urgency = urgency or (referral.urgency if referral else ReferralUrgency.ROUTINE)
    if urgency not in ReferralUrgency.values:
        raise ValidationError({"urgency": _("请选择紧急程度")})
    case = Case(number=f"tmp-{uuid.uuid4().hex[:16]}", person=person, community_id=person.community_id,
                building_id=person.building_id, referral=referral, owner=actor, intake_by=actor,
                urgency=urgency, urgency_rank=URGENCY_RANK[ReferralUrgency(urgency)], opened_at=now)
    case.full_clean()
    case.save()
    case.number = _case_number(case)
    case.save(update_fields=["number"])
    if referral is not None:
        _take_referral(actor, referral, now)
    CaseStatusChange.objects.create(case=case, from_status="", to_status=CaseStatus.OPEN, actor=actor, at=now)
    audit_record(actor=actor, action="case.open", obj=case, detail={"referral": referral_id, "urgency": urgency})
    return case


def case_mark_crisis(*, actor, case: Case, now: datetime) -> Case:
    """Mark an open case a crisis case of immediate urgency: the crisis feature calls this when it opens the case's
    crisis (in its transaction, whose `crisis.open` audit event records it). The actor must be able to change the
    case (404 otherwise); the given instance is updated too."""
    rank = URGENCY_RANK[ReferralUrgency.IMMEDIATE]
    if not Case.objects.for_actor(actor, "change").filter(pk=case.pk).update(
            is_crisis=True, urgency=ReferralUrgency.IMMEDIATE, urgency_rank=rank, updated_at=now):
        raise ObjectNotFound()
    case.is_crisis, case.urgency, case.urgency_rank = True, ReferralUrgency.IMMEDIATE, rank
    return case


def _take_referral(actor, referral: Referral, now: datetime) -> None:
    if referral.status == ReferralStatus.NEW:
        referral.status, referral.taken_by, referral.taken_at = ReferralStatus.TAKEN, actor, now
        referral.save(update_fields=["status", "taken_by", "taken_at", "updated_at"])
        audit_record(actor=actor, action="referral.take", obj=referral)


def _case_for_update(actor, case_id: int, action: str = "change") -> Case:
    case = Case.objects.for_actor(actor, action).select_for_update().filter(pk=case_id).first()
    if case is None:
        raise ObjectNotFound()
    return case


@transaction.atomic
def case_status_set(*, actor, case_id: int, status: str, reason: str, now: datetime | None = None) -> Case:
    """Move a case along open → in service → referred out → closed, keeping who, when and why.

    Closing and reopening need a written reason (see sanshe.cases.rules). Setting the status it already
    has changes nothing (a referral out sent twice does not add history).
    """
    case = _case_for_update(actor, case_id)
    reason = (reason or "").strip()
    if status == case.status:
        return case
    problem = status_change_problem(case.status, status, reason)
    if problem:
        raise ValidationError({"status" if problem.field == "status" else "reason": problem.message})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": _("原因请控制在%(n)s字以内") % {"n": MAX_TEXT}})
    if case.status == CaseStatus.CLOSED and Case.objects.filter(person_id=case.person_id,
                                                                 status__in=OPEN_CASE_STATUSES).exists():
        raise ValidationError({"status": _("该服务对象已有一个进行中的个案，不能重新开启这个已结案的个案")})
    now = now or timezone.now()
    previous = case.status
    case.status = status
    fields = ["status", "updated_at"]
    if status == CaseStatus.CLOSED:
        case.closed_at, case.close_reason = now, reason
        fields += ["closed_at", "close_reason"]
    elif previous == CaseStatus.CLOSED:
        case.closed_at = None
        fields += ["closed_at"]
    case.save(update_fields=fields)
    CaseStatusChange.objects.create(case=case, from_status=previous, to_status=status, reason=reason, actor=actor,
                                    at=now)
    audit_record(actor=actor, action="case.status", obj=case, detail={"from": previous, "to": status})
    return case


# ------------------------------------------------------------------------------------------ taking referrals

def _take_into_case(actor, referral: Referral, now: datetime) -> Case:
    """Open (or find) the person's case from a referral the actor has just taken; other referrals of the same
    person still waiting are taken with it (one person, one case, one social worker)."""
    case = case_open(actor=actor, person_id=referral.person_id, referral_id=referral.pk, now=now)
    others = list(Referral.objects.filter(person_id=referral.person_id, status=ReferralStatus.NEW)
                  .exclude(pk=referral.pk).values_list("pk", flat=True))
    if others:
        Referral.objects.filter(pk__in=others, status=ReferralStatus.NEW).update(
            status=ReferralStatus.TAKEN, taken_by=actor, taken_at=now, updated_at=now)
        audit_record(actor=actor, action="referral.take", obj=referral,
                     detail={"merged": len(others), "case": case.pk})
    case.taken_referral = referral  # the view sends a crisis referral to the crisis (or alert) page first
    return case


@transaction.atomic
def referral_take_into_case(*, actor, referral_id: int, now: datetime | None = None) -> Case:
    """Take a referral and open the intake (接案): a waiting referral, or one the actor already took."""
    require_cases(actor, "cases.manage")
    now = now or timezone.now()
    referral = _referral_for(actor, referral_id, "take")
    if referral.status == ReferralStatus.CLOSED or (referral.status == ReferralStatus.TAKEN
                                                    and referral.taken_by_id != actor.pk):
        raise ValidationError({"__all__": _("该转介已由%(who)s接收或已结束") % {"who": referral.taken_by or _("其他人")}})
    return _take_into_case(actor, referral, now)


def referral_take_next(*, actor, now: datetime | None = None) -> Case | None:
    """"Take next": the most urgent, longest-waiting referral in the actor's inbox, opened as a case.

    Two social workers pressing at once get different referrals: the candidate is row-locked with SKIP
    LOCKED where the database has it (PostgreSQL), and claimed with a conditional UPDATE (status still
    new) everywhere, so a referral another transaction took in between is skipped, never taken twice.
    None when nothing is waiting.
    """
    require_cases(actor, "cases.manage")
    now = now or timezone.now()
    for _attempt in range(20):
        with transaction.atomic():
            waiting = (Referral.objects.for_actor(actor, "take").filter(status=ReferralStatus.NEW)
                       .order_by("-urgency_rank", "created_at", "pk"))
            if connection.features.has_select_for_update_skip_locked:
                waiting = waiting.select_for_update(skip_locked=True)
            candidate = waiting.values_list("pk", flat=True).first()
            if candidate is None:
                return None
            claimed = Referral.objects.filter(pk=candidate, status=ReferralStatus.NEW).update(
                status=ReferralStatus.TAKEN, taken_by=actor, taken_at=now, updated_at=now)
            if not claimed:
                continue  # taken by someone else between the read and the write: try the next one
            referral = Referral.objects.get(pk=candidate)
            audit_record(actor=actor, action="referral.take", obj=referral, detail={"next": True})
            return _take_into_case(actor, referral, now)
    return None


# ------------------------------------------------------------------------------- automatic referrals (alerts)

def _system_referral(*, person, source_kind: str, source_id: int, reason: str, urgency: str) -> Referral | None:
    """A referral nobody typed: an alert that must reach a social worker. Idempotent per source record."""
    if Referral.objects.filter(person=person, source_kind=source_kind, source_id=source_id,
                               status__in=OPEN_REFERRAL_STATUSES).exists():
        return None
    referral = Referral(person=person, community_id=person.community_id, building_id=person.building_id,
                        source_kind=source_kind, source_id=source_id, reason=reason[:MAX_TEXT], urgency=urgency,
                        urgency_rank=URGENCY_RANK[ReferralUrgency(urgency)], created_by=None)
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:  # the referrer pressed "refer" at the same moment: theirs stands
        return None
    audit_record(actor=None, actor_label="system", action="referral.create", obj=referral,
                 detail={"source": source_kind, "urgency": urgency, "automatic": True})
    if urgency == ReferralUrgency.IMMEDIATE:
        _notify_immediate(referral.pk)  # the notify layer's outbox: sent after commit
    return referral


@transaction.atomic
def referral_from_chat_alert(*, alert_id: int) -> Referral | None:
    """An imminent chat risk alert (sanshe.groups) goes to the inbox at once, urgency immediate."""
    from sanshe.groups.models import RiskAlert
    from sanshe.people.models import Person
    from sanshe.rules import chatrisk as risk

    alert = RiskAlert.objects.select_related("group").filter(pk=alert_id).first()
    if alert is None or alert.level < risk.IMMINENT_LEVEL or alert.subject_id is None:
        return None
    person = Person.objects.filter(user_id=alert.subject_id).first()
    if person is None:
        # Nobody to refer: the alert itself still escalates in groups until a human acknowledges it.
        audit_record(actor=None, actor_label="system", action="referral.auto_skipped", obj=alert,
                     community_id=alert.group.community_id, detail={"why": "no_person"})
        return None
    signals = "、".join(str(risk.label(code)) for code in alert.signals[:6])
    reason = _("线上群“%(group)s”高危风险预警（%(level)d 级）：%(signals)s。已自动转介。") % {
        "group": alert.group.name, "level": alert.level, "signals": signals}
    return _system_referral(person=person, source_kind="chat", source_id=alert.pk, reason=reason,
                            urgency=ReferralUrgency.IMMEDIATE)


@transaction.atomic
def referral_from_monitoring_alert(*, alert_id: int) -> Referral | None:
    """A red (emergency) monitoring alert goes to the inbox at once, urgency immediate."""
    from sanshe.monitoring.models import Alert
    from sanshe.monitoring.selectors import alert_title
    from sanshe.rules.redflags import Level

    alert = Alert.objects.select_related("person").filter(pk=alert_id, status__in=["open", "taken"]).first()
    if alert is None or alert.level < Level.EMERGENCY:
        return None
    reason = _("红色健康预警：%(title)s。已自动转介。") % {"title": alert_title(alert)}
    return _system_referral(person=alert.person, source_kind="alert", source_id=alert.pk, reason=reason,
                            urgency=ReferralUrgency.IMMEDIATE)


# --------------------------------------------------------------------------------------- residents' 求助

HELP_URGENCY = {"urgent": ReferralUrgency.IMMEDIATE, "today": ReferralUrgency.WITHIN_24H,
                "routine": ReferralUrgency.ROUTINE}
# The same words sent again this soon (a double tap, a resend on a slow network) are the same request.
HELP_REPEAT_WINDOW = timedelta(minutes=10)


@transaction.atomic
def help_request_create(*, actor, kinds: list[str], text: str, urgency: str,
                        now: datetime | None = None) -> HelpRequest:
    """A resident asks for help for themself (求助); never refused.

    The first request becomes a self_help referral in the social workers' inbox. While it is open (waiting or
    taken), a new request is attached to it as an entry of its own: the referral (and the person's open case)
    becomes more urgent if the new one is (never less), its reason gains the new text, and whoever has it —
    the case owner, the social worker who took it, or the community's social workers while it waits — is told.
    The urgency is the resident's choice or what the words call for (rules.help_urgency_from_text), whichever
    is more urgent.
    """
    from sanshe.accounts.policies import scope_for
    from sanshe.people.models import Person

    from .rules import help_request_problems, help_urgency_from_text, more_urgent

    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ActionForbidden("cases.help")
    person_id = scope_for(actor).person_id
    if person_id is None:
        raise ActionForbidden("cases.help")
    person = Person.objects.select_for_update().get(pk=person_id)
    backdated = now is not None
    now = now or timezone.now()
    text = (text or "").strip()
    kinds = list(kinds or [])
    errors = help_request_problems(kinds=kinds, text=text, urgency=urgency, allowed_kinds=set(HelpKind.values),
                                   allowed_urgency=set(HELP_URGENCY))
    if errors:
        raise ValidationError(errors)
    kinds = [k for k in HelpKind.values if k in kinds]
    read = help_urgency_from_text(kinds=kinds, text=text)
    request_urgency = ReferralUrgency(more_urgent(HELP_URGENCY[urgency], read.urgency))
    open_referral = (Referral.objects.select_for_update()
                     .filter(person=person, source_kind=ReferralSource.SELF_HELP, status__in=OPEN_REFERRAL_STATUSES)
                     .order_by("created_at", "pk").first())
    if open_referral is not None:
        return _help_attach(actor=actor, person=person, referral=open_referral, kinds=kinds, text=text,
                            urgency=request_urgency, rule_raised=read.urgency is not None, now=now,
                            backdated=backdated)
    labels = "、".join(str(HelpKind(k).label) for k in kinds)
    reason = _("本人求助（%(kinds)s）：%(text)s") % {"kinds": labels, "text": text}
    referral = Referral(person=person, community_id=person.community_id, building_id=person.building_id,
                        source_kind=ReferralSource.SELF_HELP, source_id=None, reason=reason[:MAX_TEXT],
                        urgency=request_urgency, urgency_rank=URGENCY_RANK[request_urgency], created_by=actor)
    referral.save()
    request = HelpRequest.objects.create(person=person, user=actor, kinds=kinds, text=text, urgency=request_urgency,
                                         referral=referral)
    Referral.objects.filter(pk=referral.pk).update(source_id=request.pk)
    referral.source_id = request.pk
    if backdated:
        HelpRequest.objects.filter(pk=request.pk).update(created_at=now)
        Referral.objects.filter(pk=referral.pk).update(created_at=now)
        request.created_at = referral.created_at = now
    audit_record(actor=actor, action="help_request.create", obj=request, community_id=person.community_id,
                 detail={"kinds": request.kinds, "urgency": request_urgency, "by_rule": read.urgency is not None})
    audit_record(actor=actor, action="referral.create", obj=referral,
                 detail={"source": ReferralSource.SELF_HELP, "urgency": request_urgency})
    if request_urgency == ReferralUrgency.IMMEDIATE:
        _notify_immediate(referral.pk)  # the notify layer's outbox: sent after commit
    case = Case.objects.filter(person=person, status__in=OPEN_CASE_STATUSES).select_related("owner").first()
    if case is not None:  # the person's own social worker hears of it, though it waits in the inbox for anyone
        _help_tell_handler(case.owner, referral=referral, case=case, urgency=request_urgency, raised=False,
                           attached=False)
    return request


def _help_attach(*, actor, person, referral: Referral, kinds: list[str], text: str, urgency: ReferralUrgency,
                 rule_raised: bool, now: datetime, backdated: bool) -> HelpRequest:
    """Attach a new request to the person's open one (see help_request_create)."""
    repeat = (HelpRequest.objects.filter(referral=referral, user=actor, created_at__gte=now - HELP_REPEAT_WINDOW)
              .order_by("-created_at", "-pk").first())
    if repeat is not None and repeat.text == text and repeat.kinds == kinds:
        return repeat  # the same request sent twice: one entry
    previous = ReferralUrgency(referral.urgency)
    raised = URGENCY_RANK[urgency] > referral.urgency_rank
    request = HelpRequest.objects.create(person=person, user=actor, kinds=kinds, text=text, urgency=urgency,
                                         referral=referral, raised_urgency=raised)
    if backdated:
        HelpRequest.objects.filter(pk=request.pk).update(created_at=now)
        request.created_at = now
    labels = "、".join(str(HelpKind(k).label) for k in kinds)
    addition = _("追加求助（%(time)s，%(kinds)s）：%(text)s") % {
        "time": timezone.localtime(now).strftime("%m-%d %H:%M"), "kinds": labels, "text": text}
    head = (referral.reason or "")[:max(MAX_TEXT - len(addition) - 2, 0)]
    if len(head) < len(referral.reason or ""):
        head = head[:-1] + "…"
    referral.reason = f"{head}\n{addition}"[:MAX_TEXT] if head else addition[:MAX_TEXT]
    fields = ["reason", "updated_at"]
    if raised:
        referral.urgency, referral.urgency_rank = urgency, URGENCY_RANK[urgency]
        fields += ["urgency", "urgency_rank"]
    referral.save(update_fields=fields)
    case = (Case.objects.select_for_update().filter(person=person, status__in=OPEN_CASE_STATUSES)
            .select_related("owner").first())
    case_previous = case.urgency if case is not None else None
    case_raised = case is not None and URGENCY_RANK[urgency] > case.urgency_rank
    if case_raised:
        case.urgency, case.urgency_rank = urgency, URGENCY_RANK[urgency]
        case.save(update_fields=["urgency", "urgency_rank", "updated_at"])
    audit_record(actor=actor, action="help_request.attach", obj=request, community_id=person.community_id,
                 detail={"referral": referral.pk, "kinds": kinds, "urgency": urgency, "from": previous,
                         "raised": raised, "by_rule": rule_raised, "case": case.pk if case else None,
                         "case_from": case_previous, "case_raised": case_raised})
    if case is not None:
        handler = case.owner
    elif referral.status == ReferralStatus.TAKEN:
        handler = referral.taken_by
    else:
        handler = None
    _help_tell_handler(handler, referral=referral, case=case, urgency=urgency, raised=raised or case_raised,
                       attached=True)
    return request


def _help_tell_handler(handler, *, referral: Referral, case: Case | None, urgency: ReferralUrgency, raised: bool,
                       attached: bool) -> None:
    """Tell whoever has the person's request about a new one: a push to their open pages, and an SMS when it
    became immediate. Nobody has it yet (still waiting): the community's social workers, who take from the
    inbox (the same SMS as any immediate referral)."""
    from sanshe.core.notify.services import masked_name

    name = masked_name(referral.person.name)
    href = (reverse("cases:case_detail", args=[case.pk]) if case is not None and handler is not None
            and handler.is_active else reverse("cases:referral_detail", args=[referral.pk]))
    if attached:
        text = _("%(name)s追加了一条求助（%(urgency)s）") % {"name": name, "urgency": urgency.label}
    else:
        text = _("您负责的%(name)s发来一条新的求助（%(urgency)s）") % {"name": name, "urgency": urgency.label}
    if raised:
        text += _("，紧急程度已提高")
    data = {"kind": "cases.help_request", "referral": referral.pk, "href": href, "text": text}
    immediate = raised and urgency == ReferralUrgency.IMMEDIATE
    if handler is not None and not handler.is_active:
        handler = None  # an owner who left: the community's social workers must hear of it instead
    if handler is None:
        for user_id in _community_social_worker_ids(referral.community_id):
            _push(user_id, data)
        if immediate:
            _notify_immediate(referral.pk)
        return
    if immediate:
        message = _("【三社】%(name)s追加了一条需立即处理的求助，请打开“转介”或“我的个案”查看。") % {"name": name}
        _tell([handler], message, data, critical=True, community_id=referral.community_id)
    else:
        _push(handler.pk, data)


def _community_social_worker_ids(community_id: int) -> list[int]:
    from sanshe.accounts.responsible import holder_ids
    from sanshe.accounts.roles import Role

    return sorted(holder_ids(roles=[Role.SOCIAL_WORKER], community_id=community_id))


# ------------------------------------------------------------------------------------------------ intake

INTAKE_TEXT_FIELDS = ("demand_emotion", "demand_medical", "demand_psychological", "demand_other", "needs_other",
                      "plan")


@transaction.atomic
def case_intake_save(*, actor, case_id: int, emergency_contact_name: str = "", emergency_contact_phone: str = "",
                     demand_emotion: str = "", demand_medical: str = "", demand_psychological: str = "",
                     demand_other: str = "", needs: list[str] | tuple[str, ...] = (), needs_other: str = "",
                     plan: str = "") -> Case:
    """Save the intake (信息采集, tool 4 一至三) and plan; all or nothing."""
    from .rules import intake_problems

    case = _case_for_update(actor, case_id)
    values = {"emergency_contact_name": (emergency_contact_name or "").strip(),
              "emergency_contact_phone": (emergency_contact_phone or "").strip().replace(" ", ""),
              "demand_emotion": demand_emotion, "demand_medical": demand_medical,
              "demand_psychological": demand_psychological, "demand_other": demand_other,
              "needs_other": needs_other, "plan": plan}
    for name in INTAKE_TEXT_FIELDS:
        values[name] = (values[name] or "").strip()
    needs = list(needs or [])
    errors = intake_problems(values, needs, max_text=MAX_TEXT)
    if errors:
        raise ValidationError(errors)
    from sanshe.rules.needs import NEEDS

    for name, value in values.items():
        setattr(case, name, value)
    case.needs = [code for code in NEEDS if code in needs]
    case.save()
    audit_record(actor=actor, action="case.intake", obj=case,
                 detail={"needs": len(case.needs), "plan": bool(case.plan)})
    return case


# ---------------------------------------------------------------------------------------------- follow-ups

@transaction.atomic
def case_followup_add(*, actor, case_id: int, date: date_type, domain: str, content: str, responsible_name: str,
                      contact: str = "", responsible_id: int | None = None, due_at: datetime | None = None,
                      done: bool = False, now: datetime | None = None) -> CaseFollowUp:
    """A follow-up entry of tool 5 (by date, in 医疗/心理/其他, with the responsible person and contact)."""
    from .rules import followup_problems

    case = _case_for_update(actor, case_id, "follow_up")
    now = now or timezone.now()
    content, responsible_name = (content or "").strip(), (responsible_name or "").strip()
    contact = (contact or "").strip().replace(" ", "")
    errors = followup_problems(date=date, domain=domain, content=content, responsible_name=responsible_name,
                               contact=contact, due_at=due_at, done=done, now=now, max_text=MAX_TEXT)
    if not case.is_open:
        errors.setdefault("__all__", _("个案已结案，不能再添加跟进记录；如需继续服务请先重新开启"))
    if "domain" not in errors and domain not in case_parts_for(actor=actor, case=case):
        errors["domain"] = _("您只负责本个案的部分服务，只能在自己负责的类别下记录跟进")
    if errors:
        raise ValidationError(errors)
    responsible = None
    if responsible_id:
        from sanshe.accounts.models import User

        responsible = User.objects.filter(pk=responsible_id, is_active=True).first()
    entry = CaseFollowUp(case=case, date=date, domain=domain, content=content, responsible=responsible,
                         responsible_name=responsible_name, contact=contact, due_at=due_at,
                         done_at=now if done else None, done_by=actor if done else None, created_by=actor)
    entry.save()
    audit_record(actor=actor, action="case.followup_add", obj=case,
                 detail={"followup": entry.pk, "domain": domain, "due": bool(due_at), "done": done})
    return entry


@transaction.atomic
def case_followup_done(*, actor, followup_id: int, now: datetime | None = None) -> CaseFollowUp:
    entry = CaseFollowUp.objects.select_for_update().filter(pk=followup_id).first()
    if entry is None:
        raise ObjectNotFound()
    case = _case_for_update(actor, entry.case_id, "follow_up")
    if entry.domain not in case_parts_for(actor=actor, case=case):
        raise ObjectNotFound()
    if entry.done_at is not None:
        return entry
    entry.done_at, entry.done_by = now or timezone.now(), actor
    entry.save(update_fields=["done_at", "done_by", "updated_at"])
    audit_record(actor=actor, action="case.followup_done", obj=entry.case, detail={"followup": entry.pk})
    return entry


REMIND_EVERY = timedelta(hours=24)


def followups_remind_overdue(*, now: datetime | None = None) -> int:
    """Remind each owner of open cases about follow-ups past their time limit: one SMS per owner listing how
    many, at most once a day per entry; the owner's 我的个案 page shows them too. Returns owners reminded."""
    now = now or timezone.now()
    overdue = list(CaseFollowUp.objects.filter(done_at__isnull=True, due_at__lt=now,
                                               case__status__in=OPEN_CASE_STATUSES)
                   .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - REMIND_EVERY))
                   .select_related("case__owner").order_by("case__owner_id", "due_at")[:2000])
    by_owner: dict[int, list[CaseFollowUp]] = {}
    for entry in overdue:
        by_owner.setdefault(entry.case.owner_id, []).append(entry)
    for owner_id, entries in by_owner.items():
        owner = entries[0].case.owner
        with transaction.atomic():
            claimed = CaseFollowUp.objects.filter(
                pk__in=[e.pk for e in entries], done_at__isnull=True).filter(
                Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - REMIND_EVERY)).update(reminded_at=now)
            if not claimed:
                continue
            audit_record(actor=None, actor_label="system", action="case.followup_remind", obj=entries[0].case,
                         detail={"owner": owner_id, "overdue": claimed})
            numbers = "、".join(sorted({e.case.number for e in entries})[:3])
            message = _("【三社】您负责的个案有%(n)d条跟进已超时（%(numbers)s），请打开“我的个案”处理。") % {
                "n": claimed, "numbers": numbers}
            if owner.is_active:
                _tell([owner], message, {"kind": "cases.followup_overdue", "count": claimed,
                                         "href": reverse("cases:my_cases"),
                                         "text": _("您负责的个案有%(n)d条跟进已超时") % {"n": claimed}})
    return len(by_owner)


def _push(user_id: int, data: dict) -> None:
    """An in-app notice (the notification list and a push to the user's open pages), after commit."""
    _tell([user_id], "", data)


def _tell(users, sms_text: str, data: dict, *, critical: bool = False, community_id: int | None = None) -> None:
    """Through the notify layer's outbox: in-app always, SMS when there is a text (sent after commit)."""
    from sanshe.core.notify.models import Channel
    from sanshe.core.notify.services import notify_send

    notify_send(recipients=list(users), kind=data["kind"], title=data["text"], url=data.get("href", ""),
                sms_text=sms_text, data=data, channels=(Channel.INAPP, Channel.SMS) if sms_text else (Channel.INAPP,),
                critical=critical, community_id=community_id)


# ------------------------------------------------------------------------------- transfer and assignment

def social_workers_for(case: Case):
    """Active social workers whose membership covers the case's community (transfer candidates)."""
    from sanshe.accounts.responsible import holders
    from sanshe.accounts.roles import Role

    return holders(roles=[Role.SOCIAL_WORKER], community_id=case.community_id, building_id=case.building_id)




def assignees_for(case: Case, part: str):
    """Who may take a part of this case: staff of the fitting roles in the case's community."""
    from sanshe.accounts.responsible import holders

    return holders(roles=ASSIGNABLE_ROLES.get(part, ()), community_id=case.community_id)


@transaction.atomic
def case_transfer(*, actor, case_id: int, to_user_id: int, reason: str, now: datetime | None = None) -> Case:
    """Hand the whole case to another social worker of its community (转移), with a reason; they are told."""
    case = _case_for_update(actor, case_id)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    target = social_workers_for(case).filter(pk=to_user_id).first() if to_user_id else None
    if target is None:
        errors["to_user"] = _("请选择本社区的另一位社会工作者")
    elif target.pk == case.owner_id:
        errors["to_user"] = _("该社工已是个案负责人")
    if len(reason) < 4:
        errors["reason"] = _("请写明转移原因（至少4个字）")
    elif len(reason) > MAX_TEXT:
        errors["reason"] = _("原因请控制在%(n)s字以内") % {"n": MAX_TEXT}
    if not case.is_open:
        errors.setdefault("__all__", _("已结案的个案不能转移"))
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    previous = case.owner_id
    CaseTransfer.objects.create(case=case, from_owner_id=previous, to_owner=target, reason=reason, actor=actor, at=now)
    case.owner = target
    case.save(update_fields=["owner", "updated_at"])
    audit_record(actor=actor, action="case.transfer", obj=case, detail={"from": previous, "to": target.pk})
    message = _("【三社】个案%(number)s已转由您负责，请打开“我的个案”查看。") % {"number": case.number}
    _tell([target], message, {"kind": "cases.transfer", "case": case.pk,
                              "href": reverse("cases:case_detail", args=[case.pk]),
                              "text": _("个案%(number)s已转由您负责") % {"number": case.number}},
          community_id=case.community_id)
    return case


@transaction.atomic
def case_assign(*, actor, case_id: int, part: str, assignee_id: int, note: str = "",
                now: datetime | None = None) -> CaseAssignment:
    """Give one part of the case (医疗/心理/其他) to an assignee, who then sees the case; replaces the part's
    previous assignee. The owner stays responsible for the whole case."""
    case = _case_for_update(actor, case_id)
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if part not in CasePart.values:
        errors["part"] = _("请选择负责部分（医疗、心理或其他）")
    else:
        assignee = assignees_for(case, part).filter(pk=assignee_id).first()
        if assignee is None:
            errors["assignee"] = _("请选择本社区可负责该部分的人员（医疗：医务志愿者；心理：心理咨询志愿者）")
        elif not may_hold_part(assignee, part, case.community_id):
            errors["assignee"] = _("该志愿者尚未完成审核、岗前培训或未签署最新版保密协议，不能负责个案")
    if len(note) > MAX_TEXT:
        errors["note"] = _("说明请控制在%(n)s字以内") % {"n": MAX_TEXT}
    if not case.is_open:
        errors.setdefault("__all__", _("已结案的个案不能分工"))
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    CaseAssignment.objects.filter(case=case, part=part, ended_at__isnull=True).update(ended_at=now, updated_at=now)
    assignment = CaseAssignment.objects.create(case=case, part=part, assignee_id=assignee_id, assigned_by=actor,
                                               note=note)
    audit_record(actor=actor, action="case.assign", obj=case, detail={"part": part, "assignee": assignee_id})
    _push(assignee_id, {"kind": "cases.assign", "case": case.pk, "href": reverse("cases:case_detail", args=[case.pk]),
                        "text": _("您被指派负责个案%(number)s的%(part)s部分") % {
                            "number": case.number, "part": CasePart(part).label}})
    return assignment


@transaction.atomic
def case_assignment_end(*, actor, assignment_id: int, now: datetime | None = None) -> CaseAssignment:
    assignment = CaseAssignment.objects.select_for_update().filter(pk=assignment_id, ended_at__isnull=True).first()
    if assignment is None:
        raise ObjectNotFound()
    _case_for_update(actor, assignment.case_id)
    assignment.ended_at = now or timezone.now()
    assignment.save(update_fields=["ended_at", "updated_at"])
    audit_record(actor=actor, action="case.assign_end", obj=assignment.case, detail={"part": assignment.part})
    return assignment


def assignees_for_any(case: Case):
    """Everyone who may take some part of this case (the assignment form's list; the part is checked on save)."""
    from sanshe.accounts.responsible import holders

    roles = {role for roles in ASSIGNABLE_ROLES.values() for role in roles}
    return holders(roles=roles, community_id=case.community_id)


def referral_from_alert_on_commit(*, source: str, alert_id: int) -> None:
    """After the alert's transaction commits, make the urgent alert an immediate referral (nothing at risk is
    missed). Called by the feature that raised it (groups: imminent chat risk; monitoring: red alert). Runs in
    its own transaction: a failure is logged and never undoes the alert, which keeps escalating on its own."""
    function = {"chat": referral_from_chat_alert, "monitoring": referral_from_monitoring_alert}[source]

    def refer() -> None:
        try:
            function(alert_id=alert_id)
        except Exception:  # logged with its traceback; the alert itself stands
            logger.exception("automatic referral from a %s alert failed", source)

    transaction.on_commit(refer)


# ------------------------------------------------------------------------------------------- print with contacts

@dataclass(frozen=True)
class PrintContacts:
    """The full numbers for one print of tool 5 (this response only; never stored)."""

    client_phone: str
    emergency_contact_phone: str


def case_print_contacts(*, actor, case_id: int, reason: str) -> PrintContacts:
    """The client's and the emergency contact's full phone numbers for a print, with a written reason (audited).

    Who may: whoever may reveal the client's numbers in people (`selectors.may_print_contacts`); anyone else who
    sees the case is refused (403, which the middleware audits as a denied access). Never the full ID number: the
    print shows no ID, and a full ID belongs only to the people reveal, beside the full birth date.
    """
    from .selectors import access_case, may_print_contacts

    case = access_case(actor=actor, id=case_id)
    if not may_print_contacts(actor=actor, case=case):
        raise ActionForbidden("people.reveal")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("请填写打印事由（至少4个字）")})
    fields = [name for name, value in (("client_phone", case.person.phone),
                                       ("emergency_contact_phone", case.emergency_contact_phone)) if value]
    audit_record(actor=actor, action="case.print_contacts", obj=case, reason=reason, detail={"fields": fields})
    return PrintContacts(client_phone=case.person.phone or "", emergency_contact_phone=case.emergency_contact_phone or "")
