"""Writes of referrals: refer a person to the social workers, take a referral, close it."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound

from .models import (OPEN_CASE_STATUSES, OPEN_REFERRAL_STATUSES, URGENCY_RANK, Case, CaseStatus, CaseStatusChange,
                     Referral, ReferralStatus, ReferralUrgency)
from .rules import status_change_problem
from .policies import require_cases
from .sources import SOURCES

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
        referral_id = referral.pk
        transaction.on_commit(lambda: _notify_immediate(referral_id))
    return referral, True


def _notify_immediate(referral_id: int) -> None:
    """Text the community's social workers about a referral that must not wait."""
    from sanshe.accounts.models import Membership, User
    from sanshe.accounts.roles import Role
    from sanshe.monitoring.notify import masked_name, send_sms

    referral = Referral.objects.select_related("person", "community").filter(pk=referral_id).first()
    if referral is None:
        return
    users = User.objects.filter(is_active=True, pk__in=Membership.objects.filter(
        role=Role.SOCIAL_WORKER, is_active=True, communities=referral.community_id).values("user_id"))
    message = _("【三社】%(community)s有一条需立即处理的转介（%(name)s），请打开“转介”接收。") % {
        "community": referral.community.name, "name": masked_name(referral.person.name)}
    for user in users:
        send_sms(user.phone, message)


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
    if referral is not None and referral.status == ReferralStatus.NEW:
        referral.status, referral.taken_by, referral.taken_at = ReferralStatus.TAKEN, actor, now
        referral.save(update_fields=["status", "taken_by", "taken_at", "updated_at"])
        audit_record(actor=actor, action="referral.take", obj=referral)
    CaseStatusChange.objects.create(case=case, from_status="", to_status=CaseStatus.OPEN, actor=actor, at=now)
    audit_record(actor=actor, action="case.open", obj=case, detail={"referral": referral_id, "urgency": urgency})
    return case


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
