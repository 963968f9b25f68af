"""Writes of the assessments feature: give a scale, send and submit a self-fill link, run and decide triage,
place the client in a focus or key group. Every write is audited in its own transaction; nothing is saved
half when an answer is missing, out of range or forbidden by skip logic.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.cases.models import URGENCY_RANK, Case, CaseStatus, ReferralUrgency
from sanshe.cases.policies import require_cases
from sanshe.cases.selectors import access_case
from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound
from sanshe.rules.triage import RULES_VERSION, TIER_LABELS, AssessmentError, triage
from sanshe.rules.triage_schema import assessment_from_json

from . import scales
from .models import (
    Administration,
    AdministrationMode,
    AdministrationStatus,
    DecisionStatus,
    Placement,
    PlacementStatus,
    ScaleCode,
    TriageDecision,
)

LINK_DAYS_DEFAULT = 3
LINK_DAYS_MAX = 7
OVERRIDE_REASON_MIN = 4
CRISIS_SUICIDE_RULES = ("cssrs_intent", "cssrs_plan", "cssrs_recent_behaviour")
CRISIS_RULES = (*CRISIS_SUICIDE_RULES, "medical_emergency", "open_crisis", "chat_alert_imminent",
                "health_alert_emergency")
RECENT_CHAT_DAYS = 7  # chat messages with risk signals this recent are one of triage's inputs
MEDICAL_SIGNAL_KINDS = frozenset({"breathing", "collapse", "bleeding", "chest", "child", "pregnancy", "spo2", "fever"})


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _open_case(actor, case_id: int) -> Case:
    """The case for a write: the actor's role must manage cases (403), the case in scope (404) and open."""
    require_cases(actor, "cases.manage")
    case = access_case(actor=actor, id=case_id, action="change")
    if not case.is_open:
        raise ValidationError(_("该个案已结案，不能再做评估或分流"))
    return case


def _scale_code(scale: str) -> str:
    if scale not in ScaleCode.values:
        raise ValidationError({"scale": _("请选择量表")})
    return scale


# --- administrations ------------------------------------------------------------------------------------------

@transaction.atomic
def administration_give(*, actor, case_id: int, scale: str, data: Any, now: datetime | None = None) -> Administration:
    """Record a scale a worker gave (asking the client, ticking the answers); scored before anything is saved."""
    now = _now(now)
    case = _open_case(actor, case_id)
    scale = _scale_code(scale)
    try:
        answers = scales.answers_from_form(scale, data)
    except scales.ScaleError as exc:
        raise ValidationError(str(exc)) from None
    result = scales.score(scale, answers)
    administration = Administration(case=case, scale=scale, mode=AdministrationMode.STAFF,
                                    status=AdministrationStatus.COMPLETED, created_by=actor, given_by=actor,
                                    completed_at=now)
    administration.answers = answers
    administration.result = result
    administration.full_clean()
    administration.save()
    audit_record(actor=actor, action="assessment.give", obj=case, detail={"administration": administration.pk,
                                                                          "scale": scale})
    return administration


@transaction.atomic
def administration_link_send(*, actor, case_id: int, scale: str, days: int = LINK_DAYS_DEFAULT,
                             now: datetime | None = None) -> tuple[Administration, str]:
    """A single-use link the client opens on their phone (no login); returns the administration and token.

    Only the token's hash is stored: the link is shown once, to the worker who sends it.
    """
    now = _now(now)
    case = _open_case(actor, case_id)
    scale = _scale_code(scale)
    if not isinstance(days, int) or not 1 <= days <= LINK_DAYS_MAX:
        raise ValidationError({"days": _("链接有效期应为1–%(max)s天") % {"max": LINK_DAYS_MAX}})
    token = secrets.token_urlsafe(32)
    administration = Administration(case=case, scale=scale, mode=AdministrationMode.SELF,
                                    status=AdministrationStatus.PENDING, token_hash=token_hash(token),
                                    expires_at=now + timedelta(days=days), created_by=actor)
    administration.full_clean()
    administration.save()
    audit_record(actor=actor, action="assessment.link_send", obj=case,
                 detail={"administration": administration.pk, "scale": scale, "days": days})
    return administration, token


@transaction.atomic
def administration_cancel(*, actor, administration_id: int) -> Administration:
    """Stop a pending self-fill link from working."""
    require_cases(actor, "cases.manage")
    administration = (Administration.objects.for_actor(actor, "change").select_for_update()
                      .filter(pk=administration_id).first())
    if administration is None:
        raise ObjectNotFound()
    if administration.status != AdministrationStatus.PENDING:
        raise ValidationError(_("该评估已完成或已作废"))
    administration.status = AdministrationStatus.CANCELLED
    administration.token_hash = None
    administration.save(update_fields=["status", "token_hash", "updated_at"])
    audit_record(actor=actor, action="assessment.link_cancel", obj=administration.case,
                 detail={"administration": administration.pk})
    return administration


def link_resolve(token: str, *, now: datetime | None = None) -> Administration | None:
    """The pending, unexpired administration a link names; None for unknown, used, cancelled or expired."""
    if not token or len(token) > 100:
        return None
    administration = (Administration.objects.filter(token_hash=token_hash(token),
                                                    status=AdministrationStatus.PENDING).only(
        "id", "scale", "status", "expires_at", "case_id").first())
    if administration is None or administration.expires_at is None or administration.expires_at <= _now(now):
        return None
    return administration


@transaction.atomic
def administration_self_submit(*, token: str, data: Any, now: datetime | None = None) -> Administration:
    """The client's own answers through the link: scored, saved once; the link then stops working."""
    now = _now(now)
    resolved = link_resolve(token, now=now)
    if resolved is None:
        raise ObjectNotFound()
    administration = Administration.objects.select_for_update().get(pk=resolved.pk)
    if administration.status != AdministrationStatus.PENDING:  # submitted a moment ago from another tab
        raise ObjectNotFound()
    try:
        answers = scales.answers_from_form(administration.scale, data)
    except scales.ScaleError as exc:
        raise ValidationError(str(exc)) from None
    result = scales.score(administration.scale, answers)
    administration.answers = answers
    administration.result = result
    administration.status = AdministrationStatus.COMPLETED
    administration.completed_at = now
    administration.token_hash = None  # single use: the hash goes, so the link can never resolve again
    administration.save()
    audit_record(actor=None, actor_label=_("服务对象本人（评估链接）"), action="assessment.self_submit",
                 obj=administration.case, detail={"administration": administration.pk, "scale": administration.scale,
                                                  "high_risk": is_high_risk(administration.scale, result)})
    self_fill_notify(administration.pk)  # the notify layer's outbox: sent after commit
    return administration


def is_high_risk(scale: str, result: dict[str, Any]) -> bool:
    """A result nobody may leave waiting: any C-SSRS yes, PHQ-9 item 9 or severe, GAD-7 severe, urgent red flags."""
    if scale == ScaleCode.CSSRS:
        return result.get("risk") not in (None, "none")
    if scale == ScaleCode.PHQ9:
        return bool(result.get("suicide_screen")) or result.get("total", 0) >= 20
    if scale == ScaleCode.GAD7:
        return result.get("total", 0) >= 15
    if scale == ScaleCode.MEDICAL:
        return result.get("level") in ("urgent", "emergency")
    return False


def self_fill_notify(administration_id: int) -> bool:
    """Tell the case's social worker (SMS and in-app, through the notify layer's outbox, sent after commit)
    that the client answered (no personal data in the text); a high-risk answer is critical."""
    from django.urls import reverse

    from sanshe.core.notify.models import Channel
    from sanshe.core.notify.services import notify_send

    administration = Administration.objects.select_related("case__owner").filter(pk=administration_id).first()
    if administration is None or administration.case.owner_id is None:
        return False
    case = administration.case
    scale = ScaleCode(administration.scale).label
    high_risk = is_high_risk(administration.scale, administration.result)
    if high_risk:
        text = _("【三社】个案%(number)s的服务对象刚提交了%(scale)s自评，结果提示高风险，请立即查看并运行分流。") % {
            "number": case.number, "scale": scale}
    else:
        text = _("【三社】个案%(number)s的服务对象已提交%(scale)s自评，请登录查看。") % {"number": case.number, "scale": scale}
    href = reverse("cases:case_detail", args=[case.pk])
    notified = notify_send(recipients=[case.owner_id], kind="assessments.self_fill", title=text.removeprefix("【三社】"),
                           url=href, sms_text=text, critical=high_risk, community_id=case.community_id,
                           data={"kind": "cases.self_fill", "href": href, "text": text.removeprefix("【三社】")},
                           channels=(Channel.INAPP, Channel.SMS))
    return bool(notified) and bool(case.owner.phone)


# --- triage ---------------------------------------------------------------------------------------------------

def latest_administrations(case: Case) -> list[Administration]:
    """The most recent completed administration of each scale (one query)."""
    latest: dict[str, Administration] = {}
    for administration in (Administration.objects.filter(case=case, status=AdministrationStatus.COMPLETED)
                           .order_by("scale", "-completed_at", "-pk")):
        latest.setdefault(administration.scale, administration)
    return [latest[code] for code in ScaleCode.values if code in latest]


def person_status(case: Case) -> dict[str, Any]:
    """Quarantine and suspected status of the case's person, with the case's needs as the unmet needs."""
    from sanshe.monitoring.models import OPEN_PERIOD_STATUSES, QuarantinePeriod
    from sanshe.people.choices import Category

    person = case.person
    in_period = QuarantinePeriod.objects.filter(person_id=person.pk, status__in=OPEN_PERIOD_STATUSES).exists()
    return {
        "under_quarantine": in_period or person.category in (Category.HOME_QUARANTINE, Category.CENTRAL_QUARANTINE),
        "suspected": person.category == Category.SUSPECTED,
        "unmet_needs": list(dict.fromkeys(case.needs or [])),
    }


def _open_health_alerts(case: Case) -> list[tuple[Any, list[dict]]]:
    """The person's unresolved monitoring alerts with their decoded flags (one query)."""
    from sanshe.monitoring.models import OPEN_ALERT_STATUSES, Alert

    rows = []
    for alert in Alert.objects.filter(person_id=case.person_id, status__in=OPEN_ALERT_STATUSES).order_by("-level",
                                                                                                         "pk"):
        try:
            flags = json.loads(alert.details or "{}").get("flags", [])
        except (TypeError, ValueError):
            flags = []
        rows.append((alert, [f for f in flags if isinstance(f, dict)]))
    return rows


def open_alert_flags(case: Case, alerts: list | None = None) -> list[str]:
    """Red-flag codes of the person's open monitoring alerts (a check-in already raised them)."""
    from sanshe.rules.redflags import FLAGS

    codes: list[str] = []
    for alert, flags in (alerts if alerts is not None else _open_health_alerts(case)):
        if alert.kind == "red_flag":
            codes += [f["code"] for f in flags if f.get("code") in FLAGS]
    return list(dict.fromkeys(codes))


def triage_signals(case: Case, *, health_alerts: list | None = None, now: datetime | None = None) -> dict[str, Any]:
    """What other features know about the person right now, in the engine's `signals` JSON form: the case's
    open crisis, chat risk alerts not closed, unresolved health alerts, and recent chat messages with risk."""
    from sanshe.crisis.models import CrisisStatus
    from sanshe.crisis.selectors import case_open_crisis
    from sanshe.groups.models import RiskAlertStatus
    from sanshe.groups.selectors import risk_alerts_open_for, risk_messages_recent_for
    from sanshe.rules import chatrisk as risk
    from sanshe.rules.redflags import Level

    now = _now(now)
    signals: dict[str, Any] = {}
    crisis = case_open_crisis(case_id=case.pk)
    if crisis is not None:
        signals["crises"] = [{"domain": crisis.domain, "acknowledged": crisis.status == CrisisStatus.ACKNOWLEDGED,
                              "escalations": crisis.escalation_step}]

    def labels(codes: list[str]) -> list[str]:
        return list(dict.fromkeys(risk.label(code) for code in codes if isinstance(code, str)))[:6]

    def domain(codes: list[str]) -> str:
        kinds = {str(code).partition(":")[0] for code in codes}
        return "medical" if kinds and kinds <= MEDICAL_SIGNAL_KINDS else "suicide"

    user_id = case.person.user_id
    alerts = risk_alerts_open_for(user_id=user_id)
    if alerts:
        signals["chat_alerts"] = [{"level": a.level, "imminent": a.level >= risk.IMMINENT_LEVEL,
                                   "acknowledged": a.status == RiskAlertStatus.ACKNOWLEDGED,
                                   "domain": domain(a.signals), "signals": labels(a.signals)} for a in alerts]
    health = []
    for alert, flags in (health_alerts if health_alerts is not None else _open_health_alerts(case)):
        reasons = [str(f.get("reason")) for f in flags if f.get("reason")]
        health.append({"level": Level(alert.level).code, "kind": alert.kind, "taken": alert.status == "taken",
                       "times_raised": max(1, alert.times_raised), "reasons": reasons[:6]})
    if health:
        signals["health_alerts"] = health
    messages = risk_messages_recent_for(user_id=user_id, since=now - timedelta(days=RECENT_CHAT_DAYS))
    if messages:
        top = max(m.risk_level for m in messages)
        signals["chat"] = {"messages": len(messages), "days": RECENT_CHAT_DAYS, "max_level": min(top, 10),
                           "at_alert_level": top >= risk.ALERT_LEVEL,
                           "signals": labels([c for m in messages for c in (m.risk_signals or [])])}
    return signals


def triage_inputs(case: Case) -> dict[str, Any]:
    """The assessment JSON the engine reads for this case, and which administrations it came from."""
    assessment: dict[str, Any] = {}
    used = latest_administrations(case)
    for administration in used:
        assessment.update(scales.engine_part(administration.scale, administration.answers))
    health_alerts = _open_health_alerts(case)
    flags = open_alert_flags(case, health_alerts)
    if flags:
        assessment["red_flags"] = flags
    assessment["status"] = person_status(case)
    signals = triage_signals(case, health_alerts=health_alerts)
    if signals:
        assessment["signals"] = signals
    return {"assessment": assessment, "administrations": sorted(a.pk for a in used)}


@transaction.atomic
def triage_run(*, actor, case_id: int, now: datetime | None = None) -> TriageDecision:
    """Run the engine over the case's latest scales, needs and status; a proposal for a person to decide."""
    now = _now(now)
    case = _open_case(actor, case_id)
    inputs = triage_inputs(case)
    try:
        result = triage(assessment_from_json(inputs["assessment"]))
    except AssessmentError as exc:
        raise ValidationError(exc.errors) from None
    TriageDecision.objects.filter(case=case, status=DecisionStatus.PROPOSED).update(
        status=DecisionStatus.SUPERSEDED, updated_at=now)
    decision = TriageDecision(case=case, rules_version=RULES_VERSION, engine_tier=result.tier,
                              engine_urgency=result.urgency.value, engine_crisis=result.crisis, run_by=actor,
                              run_at=now)
    decision.inputs = inputs
    decision.result = result.as_dict()
    decision.full_clean()
    decision.save()
    audit_record(actor=actor, action="triage.run", obj=case,
                 detail={"decision": decision.pk, "tier": result.tier, "urgency": result.urgency.value,
                         "crisis": result.crisis, "rules_version": RULES_VERSION, "rules": result.rule_ids})
    return decision


@dataclass
class DecideOutcome:
    decision: TriageDecision
    placement: Placement | None = None
    placement_problem: str = ""  # Chinese: why nobody was placed (no group with room …)
    crisis: Any = None
    notes: list[str] = field(default_factory=list)


@transaction.atomic
def triage_decide(*, actor, decision_id: int, accept: bool, tier: int | None = None, urgency: str | None = None,
                  reason: str = "", now: datetime | None = None) -> DecideOutcome:
    """Accept the engine's proposal, or override its tier/urgency with a written reason; apply it to the case.

    The case gets the decided tier, urgency and crisis flag and goes open → in service; a crisis opens the
    crisis protocol; tier 2 or 3 places the client in a group of that tier (or says why it could not).
    """
    now = _now(now)
    require_cases(actor, "cases.manage")
    decision = (TriageDecision.objects.for_actor(actor, "change").select_for_update(of=("self",))
                .filter(pk=decision_id).first())
    if decision is None:
        raise ObjectNotFound()
    case = _open_case(actor, decision.case_id)
    if decision.status != DecisionStatus.PROPOSED:
        raise ValidationError(_("这条分流结果已处理过（%(status)s），请重新评估") % {"status": decision.get_status_display()})
    if triage_inputs(case)["administrations"] != decision.inputs.get("administrations"):
        raise ValidationError(_("评估结果在分流后有更新，请重新运行分流再确认"))
    reason = (reason or "").strip()
    if accept:
        decision.status = DecisionStatus.ACCEPTED
        decision.tier, decision.urgency = decision.engine_tier, decision.engine_urgency
    else:
        errors: dict[str, str] = {}
        if tier not in (1, 2, 3):
            errors["tier"] = _("请选择调整后的层级")
        if urgency not in ReferralUrgency.values:
            errors["urgency"] = _("请选择调整后的紧急程度")
        if len(reason) < OVERRIDE_REASON_MIN:
            errors["reason"] = _("调整分流结果必须写明理由（至少%(n)s个字）") % {"n": OVERRIDE_REASON_MIN}
        if not errors and tier == decision.engine_tier and urgency == decision.engine_urgency:
            errors["tier"] = _("调整后的层级和紧急程度与建议相同，请直接点“采纳”")
        if errors:
            raise ValidationError(errors)
        decision.status = DecisionStatus.OVERRIDDEN
        decision.tier, decision.urgency, decision.override_reason = tier, urgency, reason
    decision.decided_by, decision.decided_at = actor, now
    decision.save()

    previous_tier = case.tier
    case.tier = decision.tier
    # While a crisis or an imminent chat alert about the person is open, nothing lowers the case's urgency or
    # crisis state: the scales answered today do not outweigh a person who said they saved up pills. The
    # crisis protocol (or closing the alert) ends that, not triage.
    from sanshe.crisis.selectors import case_open_crisis
    from sanshe.groups.selectors import imminent_alert_open_for

    held_by_crisis = (case_open_crisis(case_id=case.pk) is not None
                      or imminent_alert_open_for(user_id=case.person.user_id))
    decided_rank = URGENCY_RANK[ReferralUrgency(decision.urgency)]
    if held_by_crisis and decided_rank < case.urgency_rank:
        held_urgency = True
    else:
        held_urgency = False
        case.urgency, case.urgency_rank = decision.urgency, decided_rank
    case.is_crisis = decision.engine_crisis or (held_by_crisis and case.is_crisis)
    case.save(update_fields=["tier", "urgency", "urgency_rank", "is_crisis", "updated_at"])
    if case.status == CaseStatus.OPEN:
        from sanshe.cases.services import case_status_set

        case_status_set(actor=actor, case_id=case.pk, status=CaseStatus.IN_SERVICE, now=now,
                        reason=_("分流已确认：%(tier)s") % {"tier": TIER_LABELS[decision.tier]})
        case.status = CaseStatus.IN_SERVICE

    detail = {"decision": decision.pk, "engine_tier": decision.engine_tier,
              "engine_urgency": decision.engine_urgency, "tier": decision.tier, "urgency": decision.urgency,
              "crisis": decision.engine_crisis, "rules_version": decision.rules_version,
              "held_by_open_crisis": held_urgency}
    if accept:
        audit_record(actor=actor, action="triage.accept", obj=case, detail=detail)
    else:
        # The reason is clinical free text: it stays encrypted on the decision, the audit names the change.
        audit_record(actor=actor, action="triage.override", obj=case, detail=detail,
                     reason=_("调整分流：%(a)s → %(b)s") % {"a": TIER_LABELS[decision.engine_tier],
                                                          "b": TIER_LABELS[decision.tier]})
    outcome = DecideOutcome(decision=decision)
    if held_urgency:
        outcome.notes.append(_("危机处置或高危预警尚未结束：个案保持“%(urgency)s”和危机标记，分流建议的较低紧急程度未采用")
                             % {"urgency": case.get_urgency_display()})

    if decision.engine_crisis:
        outcome.crisis = _crisis_open(actor=actor, case=case, decision=decision, now=now)

    if decision.tier in (2, 3):
        try:
            with transaction.atomic():
                outcome.placement = _place(actor=actor, case=case, tier=decision.tier, decision=decision, now=now)
        except NoGroupWithRoom as problem:
            outcome.placement_problem = problem.messages[0]
        except ValidationError as problem:
            outcome.placement_problem = " ".join(problem.messages)
    elif previous_tier in (2, 3):
        outcome.notes.append(_("层级已降为一级：如需让服务对象退出咨询群，请到群成员页操作"))
    return outcome


def _crisis_open(*, actor, case: Case, decision: TriageDecision, now: datetime):
    """Start the crisis protocol (sanshe.crisis) for a crisis decision."""
    from sanshe.crisis.services import crisis_open

    reasons = [r for r in decision.result.get("reasons", []) if r.get("tier") == 3]
    signals = decision.inputs.get("assessment", {}).get("signals", {})
    suicide = any(r.get("rule_id") in CRISIS_SUICIDE_RULES for r in reasons) or any(
        a.get("imminent") and a.get("domain") == "suicide" for a in signals.get("chat_alerts", []))
    crisis_reasons = [r["text"] for r in reasons if r.get("rule_id") in CRISIS_RULES]
    return crisis_open(actor=actor, case=case, domain="suicide" if suicide else "medical", source="triage",
                       reason=("；".join(crisis_reasons) or _("分流结果为危机"))[:2000], now=now)


# --- placement ------------------------------------------------------------------------------------------------

class NoGroupWithRoom(ValidationError):
    """No focus/key group of the case's community that the actor runs has room."""


class NoDutyCover(ValidationError):
    """The group has nobody on medical or psychological duty in the next 12 hours: placing the client there would
    leave them without anyone to answer. `suggestion` is the staffed group of the same tier to offer instead;
    `counsellor` the (group, helper) of a psychological helper on duty now in the client's current group, who can
    talk with them privately meanwhile (placement_counsellor_thread)."""

    suggestion = None
    counsellor = None


def group_cover_start(group, now: datetime) -> datetime | None:
    """When the first medical or psychological duty of `group` within the cover window starts (None: nobody)."""
    from sanshe.groups.duty import duty_cover

    periods = duty_cover(group=group, start=now)
    return max(periods[0].starts_at, now) if periods else None


def staffed_groups_for_placement(*, actor, case: Case, tier: int, now: datetime,
                                 exclude_ids: tuple[int | None, ...] = ()) -> list:
    """Groups of `tier` with room and duty cover in the next 12 hours, the soonest staffed first."""
    rows = []
    for group in groups_for_placement(actor=actor, case=case, tier=tier):
        if group.pk in exclude_ids:
            continue
        start = group_cover_start(group, now)
        if start is not None:
            group.cover_starts_at = start
            rows.append(group)
    return sorted(rows, key=lambda g: (g.cover_starts_at, g.pk))


def placement_counsellor_on_duty(*, actor, case: Case, now: datetime):
    """(group, counsellor): a consultation group the client is in now, run by the actor, whose psychological helper
    is on duty now — who can talk with the client privately while the group they need has nobody. None if none."""
    from sanshe.groups.duty import on_duty_helper
    from sanshe.groups.models import Group, GroupMember, MemberRole, MemberStatus

    if case.person.user_id is None:
        return None
    managed = Group.objects.for_actor(actor, "manage").filter(tier__in=(2, 3), is_archived=False)
    for member in (GroupMember.objects.filter(user_id=case.person.user_id, role=MemberRole.CLIENT,
                                              status=MemberStatus.ACTIVE, group__in=managed)
                   .select_related("group").order_by("pk")):
        helper = on_duty_helper(group=member.group, kind="psychological", at=now)
        if helper is not None:
            return member.group, helper
    return None


def _require_duty_cover(*, actor, case: Case, group, now: datetime, current_group_id: int | None) -> None:
    """Refuse a group nobody staffs in the next 12 hours; name the soonest staffed group of its tier instead
    (not the one the client is in now: staying there needs no placement)."""
    from sanshe.groups.duty import COVER_HOURS

    if group_cover_start(group, now) is not None:
        return
    staffed = staffed_groups_for_placement(actor=actor, case=case, tier=group.tier, now=now,
                                           exclude_ids=(group.pk, current_group_id))
    parts = [_("“%(group)s”在未来%(h)s小时内没有医务或心理值班人员，服务对象入群后可能无人回应，未安排入群。") % {
        "group": group.name, "h": COVER_HOURS}]
    if staffed:
        start = timezone.localtime(staffed[0].cover_starts_at)
        when = _("现在有人值班") if staffed[0].cover_starts_at <= now else _("%(t)s起有人值班") % {
            "t": f"{start:%m-%d %H:%M}"}
        parts.append(_("建议改为安排到“%(group)s”（%(when)s）。") % {"group": staffed[0].name, "when": when})
    else:
        parts.append(_("本社区您负责的同级别的群都没有值班人员，请先在排班中安排医务或心理值班，再安排入群。"))
    counsellor = placement_counsellor_on_duty(actor=actor, case=case, now=now)
    if counsellor is not None:
        parts.append(_("服务对象目前在“%(group)s”，该群正在值班的心理咨询志愿者%(name)s可以先与其私聊。") % {
            "group": counsellor[0].name, "name": counsellor[1].display_name or counsellor[1].username})
    problem = NoDutyCover({"group": "".join(parts)})
    problem.suggestion = staffed[0] if staffed else None
    problem.counsellor = counsellor
    raise problem


def groups_for_placement(*, actor, case: Case, tier: int, with_room_only: bool = True) -> list:
    """Groups of `tier` in the case's community the actor manages, with their active member counts."""
    from sanshe.groups.models import Group, MemberStatus

    queryset = (Group.objects.for_actor(actor, "manage")
                .filter(community_id=case.community_id, tier=tier, is_archived=False)
                .annotate(active_count=Count("members", filter=Q(members__status=MemberStatus.ACTIVE)))
                .order_by("pk"))
    if with_room_only:
        queryset = queryset.filter(active_count__lt=F("capacity"))
    return list(queryset)


def _live_placement(case: Case) -> Placement | None:
    return (Placement.objects.select_for_update().filter(case=case, status__in=[PlacementStatus.INVITED,
                                                                                 PlacementStatus.ADDED]).first())


def _place(*, actor, case: Case, tier: int, decision: TriageDecision | None, now: datetime,
           group=None) -> Placement:
    """Put the client in `group` (or the soonest staffed group of `tier` with room): add their account, or invite
    them. A group with nobody on medical or psychological duty in the next 12 hours is refused (NoDutyCover)."""
    from sanshe.groups import services as group_services
    from sanshe.groups.models import GroupMember, MemberRole, MemberStatus

    if group is None:
        candidates = groups_for_placement(actor=actor, case=case, tier=tier)
        if not candidates:
            raise NoGroupWithRoom(_("本社区没有您负责的、还有空位的%(tier)s，请选择一个群或新建一个群后再安排入群") % {
                "tier": TIER_LABELS[tier]})
        staffed = staffed_groups_for_placement(actor=actor, case=case, tier=tier, now=now)
        group = staffed[0] if staffed else candidates[0]
    current = _live_placement(case)
    if current is not None and current.group_id == group.pk:
        return current  # already there (or invited there)
    _require_duty_cover(actor=actor, case=case, group=group, now=now,
                        current_group_id=current.group_id if current else None)
    user = case.person.user
    if current is not None:
        current.status, current.ended_at = PlacementStatus.ENDED, now
        current.save(update_fields=["status", "ended_at", "updated_at"])
        if current.invite_id:
            from sanshe.groups.models import Invite

            invite = Invite.objects.filter(pk=current.invite_id, revoked_at__isnull=True).first()
            if invite is not None:
                group_services.invite_revoke(actor=actor, invite=invite)
    placement = Placement(case=case, decision=decision, group=group, tier=group.tier, placed_by=actor, placed_at=now)
    if user is not None:
        moving = None
        if current is not None and current.member_id:
            moving = GroupMember.objects.filter(pk=current.member_id, status=MemberStatus.ACTIVE,
                                                role=MemberRole.CLIENT).first()
        if moving is not None:
            member = group_services.member_move(actor=actor, member=moving, to_group=group,
                                                reason=_("分流调整为%(tier)s") % {"tier": TIER_LABELS[group.tier]})
        else:
            existing = GroupMember.objects.filter(group=group, user=user, status=MemberStatus.ACTIVE).first()
            member = existing or group_services.member_add(actor=actor, group=group, user=user,
                                                           role=MemberRole.CLIENT)
            if existing is None:
                group_services.system_message_post(group=group, body=group_services.member_welcome_text(member),
                                                   now=now)
        placement.status, placement.member = PlacementStatus.ADDED, member
    else:
        invite = group_services.invite_create(actor=actor, group=group, days=7, max_uses=1)
        placement.status, placement.invite = PlacementStatus.INVITED, invite
    placement.full_clean()
    placement.save()
    audit_record(actor=actor, action="placement.create", obj=case,
                 detail={"placement": placement.pk, "group": group.pk, "tier": group.tier, "status": placement.status,
                         "moved_from": current.group_id if current else None})
    return placement


@transaction.atomic
def placement_create(*, actor, case_id: int, group_id: int, now: datetime | None = None) -> Placement:
    """Place the client in a group the worker picked (when no group had room, or to move them)."""
    from sanshe.groups.models import Group, MemberStatus

    now = _now(now)
    case = _open_case(actor, case_id)
    group = Group.objects.for_actor(actor, "manage").filter(pk=group_id, is_archived=False).first()
    if group is None or group.community_id != case.community_id:
        raise ObjectNotFound()
    if group.tier not in (2, 3):
        raise ValidationError({"group": _("只能安排进入聚焦服务群或重点陪助群")})
    active = group.members.filter(status=MemberStatus.ACTIVE).count()
    if active >= group.capacity:
        raise NoGroupWithRoom({"group": _("“%(name)s”已满（%(n)s人），请选择其他群") % {"name": group.name,
                                                                                  "n": group.capacity}})
    decision = (TriageDecision.objects.filter(case=case, status__in=[DecisionStatus.ACCEPTED,
                                                                     DecisionStatus.OVERRIDDEN])
                .order_by("-decided_at").first())
    return _place(actor=actor, case=case, tier=group.tier, decision=decision, now=now, group=group)


@transaction.atomic
def placement_counsellor_thread(*, actor, case_id: int, now: datetime | None = None):
    """The alternative to a refused placement: a private thread between the client and the psychological helper
    on duty now in the client's current group (opened by the groups feature, audited and told to both)."""
    from sanshe.groups import services as group_services
    from sanshe.groups.models import DutyKind

    now = _now(now)
    case = _open_case(actor, case_id)
    counsellor = placement_counsellor_on_duty(actor=actor, case=case, now=now)
    if counsellor is None:
        raise ValidationError(_("服务对象所在的群现在没有值班的心理咨询志愿者，无法开通私聊。请先安排值班，或选择有人值班的群。"))
    return group_services.thread_arrange(actor=actor, group=counsellor[0], client=case.person.user,
                                         kind=DutyKind.PSYCHOLOGICAL, now=now)


def administration_read_audit(*, actor, administration: Administration) -> None:
    """Someone other than who gave the scale opened its answers (mental-health data): kept in the audit log."""
    if administration.given_by_id != actor.pk:
        audit_record(actor=actor, action="assessment.read", obj=administration,
                     detail={"scale": administration.scale, "case": administration.case_id})
