"""Writes of crises: open, alert, acknowledge, escalate, the response checklist, notes, outcome and close.

Every service takes the acting user, re-checks scope through `CrisisResponse.objects.for_actor`, validates,
writes in one transaction with its audit event, and notifies (in-app push and SMS) only after commit.
All services take `now=` so tests and the periodic task control the clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound
from sanshe.core.notify import chains
from sanshe.core.notify.escalation import Escalated, escalate_overdue

from . import chain
from .models import (
    OPEN_CRISIS_STATUSES,
    CrisisDomain,
    CrisisEscalation,
    CrisisNote,
    CrisisOutcome,
    CrisisRecipient,
    CrisisResponse,
    CrisisSource,
    CrisisStatus,
    CrisisStep,
    EmergencyCall,
    StepKind,
)
from .policies import recipient_still_reachable

# Someone must acknowledge a crisis within 5 minutes, or it reaches the next people in the chain.
ACK_MINUTES = chains.CRISIS.ack_minutes
MIN_TEXT = 4
MAX_TEXT = 2000
# Steps that are a contact with the person in crisis (they reset "time since last contact").
CONTACT_STEPS = frozenset({StepKind.STAY_IN_CONTACT, StepKind.HELP_CONFIRMED})


def _text(value: str | None, *, field: str, required: bool, message: str) -> str:
    value = (value or "").strip()
    if required and len(value) < MIN_TEXT:
        raise ValidationError({field: message})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: _("请控制在%(n)s字以内") % {"n": MAX_TEXT}})
    return value


# ---------------------------------------------------------------------------------------------- alerting

def crisis_url(crisis_id: int) -> str:
    return reverse("crisis:detail", args=[crisis_id])


def _push_data(crisis: CrisisResponse, *, kind: str = "crisis", reminder: bool = False) -> dict:
    """What an alerted person's screen shows (no names: the page itself is access-checked)."""
    text = {
        "crisis": _("危机个案（%(domain)s）需要立即处置，点此确认") % {"domain": crisis.get_domain_display()},
        "crisis_ack": _("危机个案已有人确认处置"),
        "crisis_closed": _("危机处置已结束"),
    }[kind]
    if reminder:
        text = _("仍无人确认！") + text
    return {"kind": kind, "crisis_id": crisis.pk, "domain": crisis.domain, "reminder": reminder,
            "text": text, "url": crisis_url(crisis.pk)}


def _push(user_ids, data: dict, *, crisis: CrisisResponse) -> None:
    """An in-app notice (the notification list and a push to the user's open pages), after commit."""
    from sanshe.core.notify.services import notify_send

    notify_send(recipients=sorted(set(user_ids)), kind=f"crisis.{data['kind']}", title=data["text"],
                url=data["url"], data=data, critical=data["kind"] == "crisis", community_id=crisis.community_id)


def _sms_text(crisis: CrisisResponse, *, reminder: bool) -> str:
    from sanshe.core.notify.services import masked_name

    message = _("【三社】%(prefix)s危机个案（%(domain)s）：%(community)s %(name)s，请立即登录三社打开“危机处置”确认并处置。") % {
        "prefix": _("仍无人确认！") if reminder else "", "domain": crisis.get_domain_display(),
        "community": crisis.community.name, "name": masked_name(crisis.case.person.name)}
    if settings.SITE_URL:  # one tap from the text message to the crisis page (login first if needed)
        message += " " + settings.SITE_URL + reverse("crisis:detail", args=[crisis.pk])
    return message


def _alert(crisis: CrisisResponse, user_ids: set[int], *, reminder: bool) -> None:
    """Alert people through the notify layer: in-app and SMS (and WeCom), critical — no quiet hours, no rate
    limit; marks who is being texted."""
    from sanshe.core.notify.models import Channel, Delivery
    from sanshe.core.notify.services import notify_send

    if not user_ids:
        return
    data = _push_data(crisis, reminder=reminder)
    notifications = notify_send(
        recipients=sorted(user_ids), kind="crisis.reminder" if reminder else "crisis.alert", title=data["text"],
        url=data["url"], data=data, sms_text=_sms_text(crisis, reminder=reminder),
        channels=(Channel.INAPP, Channel.SMS, Channel.WECOM), critical=True, community_id=crisis.community_id)
    texted = set(Delivery.objects.filter(notification__in=notifications, channel=Channel.SMS)
                 .values_list("notification__recipient_id", flat=True))
    if texted:
        CrisisRecipient.objects.filter(crisis=crisis, user_id__in=texted).update(sms=True)


def _deliver(crisis: CrisisResponse, recipients: chain.Recipients, step: int, now: datetime) -> set[int]:
    """Record and alert the people in `recipients` not alerted yet; returns their ids."""
    already = set(CrisisRecipient.objects.filter(crisis=crisis).values_list("user_id", flat=True))
    subject = crisis.case.person.user_id
    new = {u: r for u, r in recipients.items() if u and u not in already and u != subject}
    CrisisRecipient.objects.bulk_create([CrisisRecipient(crisis=crisis, user_id=u, reason=r, step=step,
                                                         notified_at=now) for u, r in sorted(new.items())])
    _alert(crisis, set(new), reminder=False)
    return set(new)


# ---------------------------------------------------------------------------------------------- open

@transaction.atomic
def crisis_open(*, actor, case, domain: str, source: str, reason: str, now: datetime | None = None,
                source_id: int | None = None) -> CrisisResponse:
    """Start the crisis protocol for a case (social workers of its community, or its owner).

    Alerts at once the on-duty counsellor (suicide) or medic (medical) of the client's groups, the case's
    social worker and the organisation admins; marks the case a crisis case of immediate urgency. Opening
    again while a crisis of the case is open returns the open one.
    """
    from sanshe.cases.models import Case
    from sanshe.cases.policies import require_cases
    from sanshe.cases.services import case_mark_crisis

    require_cases(actor, "cases.manage")
    now = now or timezone.now()
    case_id = case.pk if hasattr(case, "pk") else int(case)
    locked = (Case.objects.for_actor(actor, "change").select_for_update().select_related("person", "owner")
              .filter(pk=case_id).first())
    if locked is None:
        raise ObjectNotFound()
    existing = CrisisResponse.objects.filter(case=locked, status__in=OPEN_CRISIS_STATUSES).first()
    if existing is not None:
        return existing
    errors: dict[str, str] = {}
    if domain not in CrisisDomain.values:
        errors["domain"] = _("请选择危机类型：自杀/自伤风险或急症")
    if source not in CrisisSource.values:
        errors["source"] = _("未知的危机来源")
    try:
        reason = _text(reason, field="reason", required=True, message=_("请写明启动危机处置的原因（至少4个字）"))
    except ValidationError as error:
        errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if not locked.is_open:
        raise ValidationError({"__all__": _("该个案已结案，请先重新接案")})
    crisis = CrisisResponse(case=locked, community_id=locked.community_id, building_id=locked.building_id,
                            domain=domain, source=source, source_id=source_id, reason=reason, opened_at=now,
                            opened_by=actor, ack_deadline=now + timedelta(minutes=ACK_MINUTES))
    crisis.full_clean(exclude=["case"])
    try:
        with transaction.atomic():
            crisis.save()
    except IntegrityError:  # the same case's crisis opened twice at once
        return CrisisResponse.objects.get(case=locked, status__in=OPEN_CRISIS_STATUSES)
    case_mark_crisis(actor=actor, case=locked, now=now)
    if isinstance(case, Case) and case is not locked:  # the caller's instance shows it too
        case.is_crisis, case.urgency, case.urgency_rank = locked.is_crisis, locked.urgency, locked.urgency_rank
    delivered = _deliver(crisis, chain.first_responders(locked, domain, now), 0, now)
    audit_record(actor=actor, action="crisis.open", obj=crisis,
                 detail={"case": locked.pk, "domain": domain, "source": source, "recipients": len(delivered)})
    return crisis


def crisis_from_alert(*, actor, alert_id: int, now: datetime | None = None) -> CrisisResponse:
    """Start the crisis protocol from a chat risk alert: open (or reuse) the subject's case, open the crisis.

    The actor must be a social worker who can see the alert and whose communities include the person.
    """
    from sanshe.cases.policies import require_cases
    from sanshe.cases.services import case_open
    from sanshe.groups.models import RiskAlert
    from sanshe.groups.services import alert_hand_over, alerts_follow_crisis
    from sanshe.people.models import Person
    from sanshe.rules import chatrisk as risk

    require_cases(actor, "cases.manage")
    now = now or timezone.now()
    with transaction.atomic():
        alert = (RiskAlert.objects.for_actor(actor, "view").select_related("group", "message")
                 .filter(pk=alert_id).first())
        if alert is None:
            raise ObjectNotFound()
        person = Person.objects.filter(user_id=alert.subject_id).first() if alert.subject_id else None
        if person is None:
            raise ValidationError({"__all__": _("该成员还没有登记人员信息，无法建立个案。请先由社区工作者在人员名册中登记，"
                                                "并立即电话联系本人。")})
        case = case_open(actor=actor, person_id=person.pk, now=now)
        assessed = risk.assess(alert.message.body) if alert.message_id else None
        domain = CrisisDomain.MEDICAL if assessed is not None and assessed.domain == "medical" else CrisisDomain.SUICIDE
        signals = "、".join(risk.label(code) for code in alert.signals[:6])
        reason = _("线上群“%(group)s”风险预警 %(level)d 级：%(signals)s") % {
            "group": alert.group.name, "level": alert.level, "signals": signals or _("见预警消息")}
        crisis = crisis_open(actor=actor, case=case, domain=domain, source=CrisisSource.CHAT_ALERT,
                             reason=reason[:MAX_TEXT], now=now, source_id=alert.pk)
        audit_record(actor=actor, action="crisis.from_alert", obj=crisis, detail={"alert": alert.pk})
        # The crisis now carries the response: the alert stops escalating on its own chain and, from now on,
        # shares the crisis's one acknowledgement (sanshe.groups.handover). Opening the crisis is not
        # acknowledging it: both stay 待确认 until someone takes it.
        alert_hand_over(actor=actor, alert_id=alert.pk, crisis_id=crisis.pk, now=now)
        if crisis.status != CrisisStatus.OPEN:  # the person's crisis was already open and taken
            alerts_follow_crisis(crisis_id=crisis.pk, status=crisis.status, actor=crisis.acknowledged_by,
                                 now=crisis.acknowledged_at or now)
    return crisis


def _alerts_follow(crisis: CrisisResponse, *, actor, now: datetime) -> None:
    """The chat alerts this crisis carries take its state, in the same transaction (sanshe.groups.handover)."""
    from django.apps import apps

    if apps.is_installed("sanshe.groups"):
        from sanshe.groups.services import alerts_follow_crisis

        alerts_follow_crisis(crisis_id=crisis.pk, status=crisis.status, actor=actor, now=now)


# ---------------------------------------------------------------------------------------------- acknowledge

def _locked(actor, crisis: CrisisResponse | int) -> CrisisResponse:
    crisis_id = crisis.pk if isinstance(crisis, CrisisResponse) else int(crisis)
    locked = (CrisisResponse.objects.for_actor(actor, "respond").select_for_update()
              .select_related("case__person").filter(pk=crisis_id).first())
    if locked is None:
        raise ObjectNotFound()
    return locked


def _require_open(crisis: CrisisResponse) -> None:
    if not crisis.is_open:
        raise ValidationError({"__all__": _("该危机处置已结束")})


def _ack(actor, crisis: CrisisResponse, now: datetime, *, implicit: bool, via_alert: int | None = None) -> None:
    crisis.status = CrisisStatus.ACKNOWLEDGED
    crisis.acknowledged_at = now
    crisis.acknowledged_by = actor
    crisis.ack_seconds = max(int((now - crisis.opened_at).total_seconds()), 0)
    crisis.ack_deadline = None
    crisis.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "ack_seconds", "ack_deadline",
                               "updated_at"])
    detail = {"ack_seconds": crisis.ack_seconds, "escalations": crisis.escalation_step, "implicit": implicit}
    if via_alert:
        detail["alert"] = via_alert
    audit_record(actor=actor, action="crisis.acknowledge", obj=crisis, detail=detail)
    recipients = CrisisRecipient.objects.filter(crisis=crisis).exclude(user=actor).values_list("user_id", flat=True)
    _push(recipients, {**_push_data(crisis, kind="crisis_ack"), "by": str(actor)}, crisis=crisis)
    _alerts_follow(crisis, actor=actor, now=now)


@transaction.atomic
def crisis_acknowledge(*, actor, crisis: CrisisResponse | int, now: datetime | None = None) -> CrisisResponse:
    """Someone takes the crisis: escalation stops; who and the time to acknowledgement are recorded."""
    now = now or timezone.now()
    crisis = _locked(actor, crisis)
    if crisis.status == CrisisStatus.OPEN:
        _ack(actor, crisis, now, implicit=False)
    return crisis


@transaction.atomic
def crisis_acknowledge_for_alert(*, actor, crisis_id: int, alert_id: int, now: datetime | None = None) -> None:
    """Someone acknowledged a chat alert this crisis carries: that is the crisis's one acknowledgement.

    Called by the groups feature after it checked that the actor may acknowledge the alert (the people an
    alert reaches are those responsible for the person in the chat, even when the crisis page is not theirs).
    """
    now = now or timezone.now()
    crisis = CrisisResponse.objects.select_for_update().filter(pk=crisis_id).first()
    if crisis is not None and crisis.status == CrisisStatus.OPEN:
        _ack(actor, crisis, now, implicit=False, via_alert=alert_id)


class CrisisChain:
    """The crisis protocol on the one escalation engine (sanshe.core.notify.escalation): tier N is
    `chain.escalation_step(case, N)`; every escalation looks for new people from tier 1 again (who is on duty
    changes), and with nobody new everyone who still holds the crisis is reminded."""

    rule = chains.CRISIS

    def __init__(self) -> None:
        self._groups: dict[int, list] = {}

    def overdue(self, now: datetime):
        return (CrisisResponse.objects.select_for_update(of=("self",)).select_related("case__person", "case__owner")
                .filter(status=CrisisStatus.OPEN, ack_deadline__lte=now).order_by("ack_deadline", "pk"))

    def reached(self, crisis: CrisisResponse) -> int:
        return crisis.escalation_step

    def tier(self, crisis: CrisisResponse, tier: int, now: datetime) -> chain.Recipients:
        if crisis.pk not in self._groups:
            self._groups[crisis.pk] = chain.client_groups(crisis.case)
        return chain.escalation_step(crisis.case, tier, now, self._groups[crisis.pk])

    def tell(self, crisis: CrisisResponse, recipients: chain.Recipients, tier: int, now: datetime) -> set[int]:
        return _deliver(crisis, recipients, tier, now)

    def remind(self, crisis: CrisisResponse, now: datetime) -> int:
        # Only those who still hold it: a deactivated account, a revoked role or a lapsed clearance gets no
        # more texts naming the person at risk.
        everyone = {r.user_id for r in CrisisRecipient.objects.filter(crisis=crisis).select_related("user")
                    if recipient_still_reachable(r.user, r.reason)}
        _alert(crisis, everyone, reminder=True)
        return len(everyone)

    def record(self, crisis: CrisisResponse, result: Escalated, now: datetime) -> None:
        crisis.escalation_step += 1
        crisis.escalated_at = now
        crisis.ack_deadline = result.deadline
        crisis.save(update_fields=["escalation_step", "escalated_at", "ack_deadline", "updated_at"])
        CrisisEscalation.objects.create(crisis=crisis, step=result.tier, at=now,
                                        new_recipients=len(result.new_recipients), reminder=result.reminder)
        audit_record(actor=None, actor_label="system", action="crisis.escalate", obj=crisis,
                     detail={"escalation": crisis.escalation_step, "chain_step": result.tier,
                             "new_recipients": len(result.new_recipients), "reminder": result.reminder})


@transaction.atomic
def crises_escalate_overdue(*, now: datetime | None = None) -> int:
    """Crises nobody acknowledged by their deadline reach the next people in the chain (sanshe.crisis.chain);
    with nobody new left, everyone already alerted is reminded. A new 5-minute deadline is set each time.
    Returns how many crises escalated."""
    return escalate_overdue(CrisisChain(), now=now or timezone.now())


# ---------------------------------------------------------------------------------------------- checklist

@transaction.atomic
def crisis_step_record(*, actor, crisis: CrisisResponse | int, kind: str, note: str = "", call: str = "",
                       now: datetime | None = None) -> CrisisStep:
    """Tick one checklist step with who, when and a note. Calling 120/110 says which, or why neither.

    Working the checklist acknowledges an unacknowledged crisis (the actor is clearly on it).
    """
    now = now or timezone.now()
    crisis = _locked(actor, crisis)
    _require_open(crisis)
    if kind not in StepKind.values:
        raise ValidationError({"kind": _("未知的处置步骤")})
    if CrisisStep.objects.filter(crisis=crisis, kind=kind).exists():
        raise ValidationError({"kind": _("这一步已经记录过了")})
    if kind == StepKind.EMERGENCY_CALL:
        if call not in EmergencyCall.values:
            raise ValidationError({"call": _("请选择拨打了120、110，还是不需要拨打")})
        note = _text(note, field="note", required=call == EmergencyCall.NOT_APPLICABLE,
                     message=_("不拨打120或110时，请写明原因（至少4个字）"))
    else:
        call = ""
        note = _text(note, field="note", required=False, message="")
    if crisis.status == CrisisStatus.OPEN:
        _ack(actor, crisis, now, implicit=True)
    step = CrisisStep.objects.create(crisis=crisis, kind=kind, call=call, note=note, done_at=now, done_by=actor,
                                     seconds_from_open=max(int((now - crisis.opened_at).total_seconds()), 0))
    if kind in CONTACT_STEPS:
        crisis.last_contact_at = now
        crisis.save(update_fields=["last_contact_at", "updated_at"])
    audit_record(actor=actor, action="crisis.step", obj=crisis,
                 detail={"step": kind, "call": call, "seconds_from_open": step.seconds_from_open})
    return step


@transaction.atomic
def crisis_note_add(*, actor, crisis: CrisisResponse | int, text: str, is_contact: bool = True,
                    now: datetime | None = None) -> CrisisNote:
    """Record a contact with the person (resets "since last contact") or a note during the response."""
    now = now or timezone.now()
    crisis = _locked(actor, crisis)
    _require_open(crisis)
    text = _text(text, field="text", required=True, message=_("请写下联系情况或记录（至少4个字）"))
    if crisis.status == CrisisStatus.OPEN:
        _ack(actor, crisis, now, implicit=True)
    note = CrisisNote.objects.create(crisis=crisis, text=text, is_contact=is_contact, at=now, by=actor)
    if is_contact:
        crisis.last_contact_at = now
        crisis.save(update_fields=["last_contact_at", "updated_at"])
    audit_record(actor=actor, action="crisis.note", obj=crisis, detail={"contact": is_contact})
    return note


@transaction.atomic
def crisis_close(*, actor, crisis: CrisisResponse | int, outcome_kind: str, outcome: str, close_reason: str = "",
                 now: datetime | None = None) -> CrisisResponse:
    """Record the outcome and close. Without the "help reached the person" step, a written reason is required."""
    now = now or timezone.now()
    crisis = _locked(actor, crisis)
    _require_open(crisis)
    errors: dict[str, str] = {}
    if outcome_kind not in CrisisOutcome.values:
        errors["outcome_kind"] = _("请选择处置结果")
    outcome = (outcome or "").strip()
    if len(outcome) < MIN_TEXT:
        errors["outcome"] = _("请写明处置结果（至少4个字）")
    elif len(outcome) > MAX_TEXT:
        errors["outcome"] = _("请控制在%(n)s字以内") % {"n": MAX_TEXT}
    confirmed = CrisisStep.objects.filter(crisis=crisis, kind=StepKind.HELP_CONFIRMED).exists()
    close_reason = (close_reason or "").strip()
    if not confirmed and len(close_reason) < MIN_TEXT:
        errors["close_reason"] = _("还没有确认援助已到达当事人：请先完成这一步，或写明未能确认的原因（至少4个字）")
    elif len(close_reason) > MAX_TEXT:
        errors["close_reason"] = _("请控制在%(n)s字以内") % {"n": MAX_TEXT}
    if errors:
        raise ValidationError(errors)
    if crisis.status == CrisisStatus.OPEN:
        _ack(actor, crisis, now, implicit=True)
    crisis.outcome_kind = outcome_kind
    crisis.outcome = outcome
    crisis.close_reason = "" if confirmed else close_reason
    crisis.status = CrisisStatus.CLOSED
    crisis.closed_at = now
    crisis.closed_by = actor
    crisis.ack_deadline = None
    crisis.save()
    audit_record(actor=actor, action="crisis.close", obj=crisis,
                 detail={"outcome": outcome_kind, "help_confirmed": confirmed,
                         "minutes_open": int((now - crisis.opened_at).total_seconds() // 60)})
    _alerts_follow(crisis, actor=actor, now=now)
    recipients = CrisisRecipient.objects.filter(crisis=crisis).exclude(user=actor).values_list("user_id", flat=True)
    _push(recipients, _push_data(crisis, kind="crisis_closed"), crisis=crisis)
    return crisis


# ---------------------------------------------------------------------------------------------- calling

CALL_TARGETS = ("emergency_contact", "client")


@transaction.atomic
def crisis_call_number(*, actor, crisis: CrisisResponse | int, target: str) -> str:
    """The full phone number to call (the emergency contact's or the client's own); every reveal is audited."""
    crisis_id = crisis.pk if isinstance(crisis, CrisisResponse) else int(crisis)
    found = (CrisisResponse.objects.for_actor(actor, "respond").select_related("case__person")
             .filter(pk=crisis_id).first())
    if found is None:
        raise ObjectNotFound()
    if target not in CALL_TARGETS:
        raise ObjectNotFound()
    number = (found.case.emergency_contact_phone if target == "emergency_contact" else found.case.person.phone) or ""
    if not number:
        raise ValidationError({"__all__": _("没有登记这个电话号码")})
    audit_record(actor=actor, action="crisis.call", obj=found, reason=_("危机处置中拨打电话"),
                 detail={"target": target})
    return number
