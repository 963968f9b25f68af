"""Chat risk alerts: raise (or raise the level of) an alert for a message, tell everyone responsible, acknowledge,
hand over to a crisis, escalate when nobody acknowledges (on the notify layer's escalation engine,
sanshe.core.notify.escalation), and refer the subject to the social workers (sanshe.groups.alerts.referral).

Who is told: the group's admin and the on-duty helpers of the alert's kind first, then everyone on duty with
the community's social workers, then the organisation's admins, then the community workers
(`_escalation_chain`). Nobody on duty (no roster installed, or an empty shift) leaves the community's staff.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sanshe.accounts.roles import Role
from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound
from sanshe.core.notify import chains
from sanshe.people.models import Person
from sanshe.rules import chatrisk as risk

from .. import handover
from ..duty import cleared_for, on_duty_user_ids
from ..models import (
    Group,
    GroupMember,
    MemberRole,
    MemberStatus,
    Message,
    PrivateThread,
    RiskAlert,
    RiskAlertRecipient,
    RiskAlertStatus,
)
from ..service_base import ALERT_ACK_MINUTES, IMMINENT_ACK_MINUTES, _now
from . import referral

logger = logging.getLogger(__name__)


def _on_duty_members(group: Group, roles: set[str], now: datetime) -> set[int]:
    on_duty = on_duty_user_ids(group=group, at=now)
    if not on_duty:
        return set()
    by_role: dict[str, set[int]] = {}
    for user_id, role in GroupMember.objects.filter(group=group, user_id__in=on_duty, role__in=roles,
                                                    status=MemberStatus.ACTIVE).values_list("user_id", "role"):
        by_role.setdefault(role, set()).add(user_id)
    # Alerts go to volunteers cleared for duty only: the others cannot open the group (issue 3).
    return set().union(*(cleared_for(ids, role) for role, ids in by_role.items()))


def _community_staff(group: Group, roles: list[str]) -> set[int]:
    from sanshe.accounts.responsible import holder_ids, org_admin_ids

    ids = holder_ids(roles=[r for r in roles if r != Role.ORG_ADMIN], community_id=group.community_id)
    if Role.ORG_ADMIN in roles:
        ids |= org_admin_ids(organisation_id=group.organisation_id)
    return ids


def _escalation_chain(group: Group, domain: str, now: datetime) -> list[set[int]]:
    """Who an alert reaches first, then at each escalation step."""
    first = {group.admin_id} | _on_duty_members(
        group, {MemberRole.PSYCHOLOGICAL} if domain == "suicide" else {MemberRole.MEDICAL}, now)
    return [
        first,
        _on_duty_members(group, {MemberRole.PSYCHOLOGICAL, MemberRole.MEDICAL, MemberRole.SECRETARY,
                                 MemberRole.SOCIAL_WORKER}, now) | _community_staff(group, [Role.SOCIAL_WORKER]),
        _community_staff(group, [Role.ORG_ADMIN]),
        _community_staff(group, [Role.COMMUNITY_WORKER]),
    ]


def _alert_data(alert: RiskAlert) -> dict:
    return {"kind": "alert", "alert_id": alert.pk, "group_id": alert.group_id, "thread_id": alert.thread_id,
            "level": alert.level, "signals": [risk.label(c) for c in alert.signals],
            "imminent": alert.level >= risk.IMMINENT_LEVEL, "message_id": alert.message_id}


def _alert_tell(alert: RiskAlert, user_ids, data: dict) -> None:
    """Through the notify layer: the notification list and a push to the user's open pages, after commit."""
    from django.urls import reverse

    from sanshe.core.notify.services import notify_send

    imminent = alert.level >= risk.IMMINENT_LEVEL
    if data.get("kind") == "alert_ack":
        title = _("风险预警已有人确认：%(by)s") % {"by": data.get("by", "")}
    else:
        title = (_("紧急风险预警：%(level)s 级") if imminent else _("风险预警：%(level)s 级")) % {"level": alert.level}
        if data.get("reminder"):
            title = _("仍无人确认！") + title
    notify_send(recipients=sorted(set(user_ids)), kind=f"groups.{data.get('kind', 'alert')}", title=title,
                url=f"{reverse('groups:alerts')}#alert-{alert.pk}", data=data,
                critical=imminent and data.get("kind") == "alert", organisation_id=alert.organisation_id,
                community_id=alert.group.community_id)


def _deliver(alert: RiskAlert, user_ids: set[int], step: int, exclude: set[int]) -> set[int]:
    already = set(RiskAlertRecipient.objects.filter(alert=alert).values_list("user_id", flat=True))
    new = {u for u in user_ids if u and u not in already and u not in exclude}
    RiskAlertRecipient.objects.bulk_create([RiskAlertRecipient(alert=alert, user_id=u, step=step) for u in new])
    _alert_tell(alert, new, _alert_data(alert))
    return new


def _alert_raise(*, message: Message, group: Group, thread: PrivateThread | None, assessment: risk.RiskResult,
                 now: datetime, raise_open: bool = False) -> RiskAlert:
    """A new alert for the message; or, when an alert of the sender's in this stream is still open (not yet
    acknowledged), that alert: raised when this message is higher, else given its signals without telling
    anyone twice. One person, one open alert, the latest level — whether the level came from this message alone
    or from the earlier ones read with it (`raise_open`, kept for the audit detail). An acknowledged alert is
    not reopened: the next alerting message makes a new one.

    An alert a crisis already carries is not raised: the new alert is handed to that crisis by the crisis
    feature (sanshe.groups.handover), which keeps its own chain."""
    imminent = assessment.level >= risk.IMMINENT_LEVEL
    alert = None
    if message.sender_id:
        alert = (RiskAlert.objects.select_for_update()
                 .filter(group=group, thread=thread, subject_id=message.sender_id, status=RiskAlertStatus.OPEN,
                         crisis_id__isnull=True)
                 .order_by("-created_at", "-id").first())
        if alert is not None and not raise_open and _alert_domain(alert) != (assessment.domain or "suicide"):
            alert = None  # another kind of danger (a father who cannot breathe): its own alert and chain
    if alert is not None and assessment.level <= alert.level:
        # The episode goes on at the level already raised: the new signals are added, nobody is told twice.
        alert.signals = list(dict.fromkeys(list(alert.signals) + assessment.codes))[:24]
        alert.save(update_fields=["signals"])
        return alert
    if alert is not None:
        was_imminent, previous = alert.level >= risk.IMMINENT_LEVEL, alert.level
        alert.level = max(alert.level, assessment.level)
        alert.signals = list(dict.fromkeys(assessment.codes + list(alert.signals)))[:24]
        imminent = alert.level >= risk.IMMINENT_LEVEL
        if imminent and not was_imminent:
            deadline = now + timedelta(minutes=IMMINENT_ACK_MINUTES)
            alert.ack_deadline = min(alert.ack_deadline, deadline) if alert.ack_deadline else deadline
        alert.save(update_fields=["level", "signals", "ack_deadline"])
        refer = imminent and not was_imminent
        audit_action, detail = "groups.risk_alert.raise_level", {"from": previous, "level": alert.level,
                                                                 "message": message.pk, "group": group.pk,
                                                                 "domain": assessment.domain,
                                                                 "context": raise_open}
    else:
        alert = RiskAlert.objects.create(
            organisation_id=group.organisation_id, group=group, thread=thread, message=message,
            subject_id=message.sender_id, level=assessment.level, signals=assessment.codes,
            ack_deadline=now + timedelta(minutes=IMMINENT_ACK_MINUTES if imminent else ALERT_ACK_MINUTES),
        )
        refer = imminent
        audit_action, detail = "groups.risk_alert.raise", {"level": assessment.level, "group": group.pk,
                                                           "domain": assessment.domain}
    chain = _escalation_chain(group, assessment.domain, now)
    # Imminent: everyone responsible at once, not one by one (the chain rule, sanshe.core.notify.chains).
    first = set().union(*(chain[tier] for tier in chains.first_tiers(chains.CHAT_RISK, critical=imminent)))
    told = set(RiskAlertRecipient.objects.filter(alert=alert).values_list("user_id", flat=True))
    _deliver(alert, first, alert.escalation_step, exclude={message.sender_id})
    if told:  # those already told of a raised alert hear it again, at its new level
        _alert_tell(alert, told, {**_alert_data(alert), "raised": True})
    if refer and message.sender_id:
        # Imminent risk also lands in the social workers' inbox at once (issue 6), through the cases feature's
        # handler. Without one the alert itself still reaches everyone responsible and escalates until acknowledged.
        handler = referral.handler()
        if handler is not None:
            handler.refer_on_commit(alert_id=alert.pk)
        else:
            logger.warning("imminent chat risk alert %s: no referral handler registered (cases not installed); "
                           "the alert escalates on its own chain", alert.pk)
    audit_record(actor=None, actor_label="system", action=audit_action, obj=alert, detail=detail,
                 community_id=group.community_id, organisation_id=group.organisation_id)
    return alert


@transaction.atomic
def alert_acknowledge(*, actor, alert: RiskAlert, note: str = "", now: datetime | None = None) -> RiskAlert:
    """Someone responsible takes the alert; the time to acknowledgement is recorded."""
    now = _now(now)
    alert = RiskAlert.objects.for_actor(actor, "acknowledge").select_for_update().filter(pk=alert.pk).first()
    if alert is None:
        raise ObjectNotFound("alert")
    if alert.status != RiskAlertStatus.OPEN:
        return alert
    crisis_handler = handover.handler() if alert.crisis_id else None
    if crisis_handler is not None:
        # One acknowledgement: the crisis carrying this alert is acknowledged, and it acknowledges every alert
        # it carries (this one included) through alerts_follow_crisis, in this transaction.
        crisis_handler.acknowledge(actor=actor, crisis_id=alert.crisis_id, alert_id=alert.pk, now=now)
        alert.refresh_from_db()
        if note.strip() and alert.acknowledged_by_id == actor.pk:
            alert.note = note.strip()[:2000]
            alert.save(update_fields=["note"])
        if alert.status != RiskAlertStatus.OPEN:
            return alert
    _alert_ack(alert, actor=actor, now=now, note=note.strip())
    return alert


def _alert_ack(alert: RiskAlert, *, actor, now: datetime, note: str = "", crisis_id: int | None = None) -> None:
    alert.status = RiskAlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = now
    alert.acknowledged_by = actor
    alert.ack_seconds = max(int((now - alert.created_at).total_seconds()), 0)
    alert.ack_deadline = None
    alert.note = note[:2000]
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "ack_seconds", "ack_deadline", "note"])
    detail = {"ack_seconds": alert.ack_seconds, "level": alert.level}
    if crisis_id:
        detail["crisis"] = crisis_id
    audit_record(actor=actor, action="groups.risk_alert.acknowledge", obj=alert, detail=detail,
                 community_id=alert.group.community_id, organisation_id=alert.organisation_id)
    _alert_tell(alert, RiskAlertRecipient.objects.filter(alert=alert).values_list("user_id", flat=True),
                {"kind": "alert_ack", "alert_id": alert.pk, "by": str(actor)})


@transaction.atomic
def alert_hand_over(*, actor, alert_id: int, crisis_id: int, now: datetime | None = None) -> RiskAlert:
    """A crisis (sanshe.crisis) takes the alert over: the alert's own deadline and escalation stop, the crisis's
    chain carries it, and the alert's state is the crisis's from now on (sanshe.groups.handover).

    Called by the crisis feature after it checked that the actor may see the alert and open the crisis; the
    crisis then tells the alert its state (`alerts_follow_crisis`) if it is already acknowledged or closed.
    """
    now = _now(now)
    alert = RiskAlert.objects.select_for_update().select_related("group").filter(pk=alert_id).first()
    if alert is None:
        raise ObjectNotFound("alert")
    if alert.crisis_id == crisis_id:
        return alert
    previous = alert.crisis_id
    alert.crisis_id = crisis_id
    if alert.status == RiskAlertStatus.OPEN:
        alert.ack_deadline = None
    alert.save(update_fields=["crisis_id", "ack_deadline"])
    audit_record(actor=actor, action="groups.risk_alert.handover", obj=alert,
                 detail={"crisis": crisis_id, "previous": previous, "status": alert.status},
                 community_id=alert.group.community_id, organisation_id=alert.organisation_id)
    return alert


@transaction.atomic
def alerts_follow_crisis(*, crisis_id: int, status: str, actor=None, note: str = "",
                         now: datetime | None = None) -> int:
    """The alerts a crisis carries take its state: acknowledged (by the same person, at the same time) or closed.

    Called by the crisis feature in the transaction that acknowledges or closes the crisis. Returns how many
    alerts changed.
    """
    now = _now(now)
    alerts = list(RiskAlert.objects.select_for_update().select_related("group")
                  .filter(crisis_id=crisis_id).exclude(status=RiskAlertStatus.CLOSED).order_by("pk"))
    changed = 0
    for alert in alerts:
        if alert.status == RiskAlertStatus.OPEN and status in (RiskAlertStatus.ACKNOWLEDGED, RiskAlertStatus.CLOSED):
            _alert_ack(alert, actor=actor, now=now, note=note, crisis_id=crisis_id)
            changed += 1
        if status == RiskAlertStatus.CLOSED:
            alert.status = RiskAlertStatus.CLOSED
            alert.ack_deadline = None
            alert.save(update_fields=["status", "ack_deadline"])
            audit_record(actor=actor, actor_label="" if actor else "system", action="groups.risk_alert.close",
                         obj=alert, detail={"crisis": crisis_id},
                         community_id=alert.group.community_id, organisation_id=alert.organisation_id)
            changed += 1
    return changed


def _alert_domain(alert: RiskAlert) -> str:
    """"medical" when every signal of the alert that names a concept is a medical one, else "suicide" (the chain
    it goes to). Context, timing, the model's opinion and a worry about someone else name no domain of their own:
    breathing + context is medical; a model-only alert is "suicide" (its routing by the message's words happens
    when the assessment is made, sanshe.rules.chatrisk)."""
    kinds = {code.partition(":")[0] for code in alert.signals} - {"context", "timing", "model", "others_risk"}
    return "medical" if kinds and kinds <= risk.MEDICAL_KINDS else "suicide"


class RiskAlertChain:
    """Chat risk alerts on the one escalation engine (sanshe.core.notify.escalation): tier N is
    `_escalation_chain(...)[N]`; each escalation goes on from the tier reached; past the last tier everyone
    already told is reminded."""

    rule = chains.CHAT_RISK

    def __init__(self) -> None:
        self._chains: dict[int, list[set[int]]] = {}

    def overdue(self, now: datetime):
        # An alert a crisis carries escalates on the crisis's chain only (sanshe.groups.handover).
        return (RiskAlert.objects.select_for_update(of=("self",)).select_related("group")
                .filter(status=RiskAlertStatus.OPEN, ack_deadline__lte=now, crisis_id__isnull=True)
                .order_by("ack_deadline", "pk"))

    def reached(self, alert: RiskAlert) -> int:
        return alert.escalation_step

    def tier(self, alert: RiskAlert, tier: int, now: datetime) -> set[int]:
        if alert.pk not in self._chains:
            self._chains[alert.pk] = _escalation_chain(alert.group, _alert_domain(alert), now)
        return self._chains[alert.pk][tier]

    def tell(self, alert: RiskAlert, user_ids: set[int], tier: int, now: datetime) -> set[int]:
        return _deliver(alert, user_ids, tier, exclude={alert.subject_id})

    def remind(self, alert: RiskAlert, now: datetime) -> int:
        told = list(RiskAlertRecipient.objects.filter(alert=alert).values_list("user_id", flat=True))
        _alert_tell(alert, told, {**_alert_data(alert), "reminder": True})
        return len(told)

    def record(self, alert: RiskAlert, result, now: datetime) -> None:
        alert.escalation_step = result.tier
        alert.escalated_at = now
        alert.ack_deadline = result.deadline
        alert.save(update_fields=["escalation_step", "escalated_at", "ack_deadline"])
        audit_record(actor=None, actor_label="system", action="groups.risk_alert.escalate", obj=alert,
                     detail={"step": result.tier, "new_recipients": len(result.new_recipients)},
                     community_id=alert.group.community_id, organisation_id=alert.organisation_id)


@transaction.atomic
def alerts_escalate_overdue(*, now: datetime | None = None) -> int:
    """Alerts past their deadline reach the next people in the chain; returns how many escalated."""
    from sanshe.core.notify.escalation import escalate_overdue

    return escalate_overdue(RiskAlertChain(), now=_now(now))


@transaction.atomic
def alert_refer(*, actor, alert: RiskAlert, note: str = ""):
    """Start a crisis case: refer the alert's subject to the social workers' inbox (through the referral handler
    the cases feature registers, sanshe.groups.alerts.referral); refused while none is registered."""
    handler = referral.handler()
    if handler is None:
        raise ValidationError(_("转介功能尚未安装。"))
    alert = RiskAlert.objects.for_actor(actor, "view").select_related("group").filter(pk=alert.pk).first()
    if alert is None:
        raise ObjectNotFound("alert")
    person = Person.objects.filter(user_id=alert.subject_id).first() if alert.subject_id else None
    if person is None:
        raise ValidationError(_("该成员还没有登记人员信息，无法转介。请先由社区工作者在人员名册中登记，并电话联系本人。"))
    signals = "、".join(risk.label(code) for code in alert.signals[:6])
    reason = _("线上群“%(group)s”风险预警 %(level)d 级：%(signals)s。%(note)s") % {
        "group": alert.group.name, "level": alert.level, "signals": signals, "note": note.strip()}
    return handler.refer(actor=actor, alert=alert, person_id=person.pk, reason=reason[:2000],
                         imminent=alert.level >= risk.IMMINENT_LEVEL)
