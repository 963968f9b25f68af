"""The versioned triage rule engine: an assessment goes in; tier, urgency, crisis, scores, reasons and actions
come out. Pure: no database, no request, no clock.

Tiers are the guide's three tiers of online groups (《社区“三社联动”线上抗疫模式工作导引》, 2020):
1 compound resident group 线上小区居民群, 2 focus service group 聚焦服务群, 3 key accompaniment group
重点陪助群. Every rule that fires is reported with its id, its tier and its source, so a social worker can
see why and override with a written reason. Change a rule → bump RULES_VERSION (stored with each decision).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanshe.rules.redflags import (
    DEFAULT_FEVER_THRESHOLD_C,
    FLAGS,
    Level,
    Observation,
    ObservationError,
    RedFlag,
    flag_from_code,
    overall_level,
    red_flags,
    validate_fever_threshold,
)

from .needs import NEEDS, need_labels
from .scales import (
    CssrsAnswers,
    CssrsScore,
    Gad7Score,
    Phq4Score,
    Phq9Score,
    ScaleError,
    ScaleScore,
    score_cssrs,
    score_gad7,
    score_isi,
    score_phq4,
    score_phq9,
)

RULES_VERSION = "2026.2"  # 2026.2: open crises, chat and health alerts, recent chat signals


class Urgency(StrEnum):
    """How soon a human must act on the decision."""

    IMMEDIATE = "immediate"
    WITHIN_24H = "within_24h"
    ROUTINE = "routine"

    @property
    def rank(self) -> int:
        return {"immediate": 3, "within_24h": 2, "routine": 1}[self.value]

    @property
    def label(self) -> str:
        return str(URGENCY_LABELS[self])


URGENCY_LABELS = {
    Urgency.IMMEDIATE: gettext_lazy("立即处理"),
    Urgency.WITHIN_24H: gettext_lazy("24小时内处理"),
    Urgency.ROUTINE: gettext_lazy("常规跟进"),
}

TIER_LABELS = {
    1: gettext_lazy("一级：线上小区居民群"),
    2: gettext_lazy("二级：聚焦服务群"),
    3: gettext_lazy("三级：重点陪助群"),
}


# --- input ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScaleInput:
    """A summed scale given as item answers, or as scores (total; PHQ-9 item 9; PHQ-4 subscales)."""

    answers: tuple[Any, ...] | None = None
    total: int | None = None
    item9: int | None = None  # PHQ-9 only
    anxiety: int | None = None  # PHQ-4 only: items 1–2
    depression: int | None = None  # PHQ-4 only: items 3–4


@dataclass(frozen=True)
class PersonStatus:
    """What the referral or the person record says about the person's situation."""

    under_quarantine: bool = False
    suspected: bool = False
    unmet_needs: tuple[str, ...] = ()  # codes of sanshe.rules.needs.NEEDS


@dataclass(frozen=True)
class OpenCrisis:
    """A crisis response of the person that is still open (sanshe.crisis)."""

    domain: str = "suicide"  # "suicide" or "medical"
    acknowledged: bool = False
    escalations: int = 0


@dataclass(frozen=True)
class ChatAlert:
    """A chat risk alert about the person that is not closed (sanshe.groups)."""

    level: int
    imminent: bool
    acknowledged: bool = False
    domain: str = "suicide"  # "suicide" or "medical"
    signals: tuple[str, ...] = ()  # Chinese labels of what was said ("方式与工具：安眠药")


@dataclass(frozen=True)
class HealthAlert:
    """A health-monitoring alert about the person that is not resolved (sanshe.monitoring)."""

    level: str  # sanshe.rules.redflags.Level code: "notice", "urgent", "emergency"
    kind: str = "red_flag"  # "red_flag" or "lost"
    taken: bool = False
    times_raised: int = 1
    reasons: tuple[str, ...] = ()  # Chinese reasons of its flags ("血氧饱和度92%")


@dataclass(frozen=True)
class ChatSignals:
    """Messages the person wrote in the last `days` days in which risk detection found signals."""

    messages: int
    days: int
    max_level: int
    at_alert_level: bool = False  # at least one message reached the level that raises an alert
    signals: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signals:
    """What other features already know about the person right now, gathered by the caller."""

    crises: tuple[OpenCrisis, ...] = ()
    chat_alerts: tuple[ChatAlert, ...] = ()
    health_alerts: tuple[HealthAlert, ...] = ()
    chat: ChatSignals | None = None


@dataclass(frozen=True)
class Assessment:
    """Everything triage looks at; every part is optional."""

    phq9: ScaleInput | None = None
    gad7: ScaleInput | None = None
    phq4: ScaleInput | None = None
    isi: ScaleInput | None = None
    cssrs: CssrsAnswers | None = None
    observation: Observation | None = None
    # Red flags already raised elsewhere (a monitoring alert), by code of sanshe.rules.redflags.FLAGS.
    red_flags: tuple[str, ...] = ()
    status: PersonStatus = field(default_factory=PersonStatus)
    signals: Signals = field(default_factory=Signals)


class AssessmentError(ValueError):
    """One or more bad parts of an assessment; each message is Chinese and names the part and item."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


# --- scored findings --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Findings:
    """The scored assessment the rules read."""

    phq9: Phq9Score | None = None
    gad7: Gad7Score | None = None
    phq4: Phq4Score | None = None
    isi: ScaleScore | None = None
    cssrs: CssrsScore | None = None
    flags: tuple[RedFlag, ...] = ()
    medical_assessed: bool = False
    status: PersonStatus = field(default_factory=PersonStatus)
    signals: Signals = field(default_factory=Signals)

    def flags_at(self, level: Level) -> list[RedFlag]:
        return [flag for flag in self.flags if flag.level == level]


def _merge_flags(observed: Iterable[RedFlag], raised: Iterable[RedFlag]) -> tuple[RedFlag, ...]:
    """One flag per code: an observation's specific reason wins over a bare code from elsewhere."""
    merged: dict[str, RedFlag] = {}
    for flag in (*observed, *raised):
        merged.setdefault(flag.code, flag)
    return tuple(sorted(merged.values(), key=lambda flag: flag.level, reverse=True))


def score_assessment(assessment: Assessment, *, fever_threshold_c: float = DEFAULT_FEVER_THRESHOLD_C) -> Findings:
    """Score every part given; AssessmentError listing every bad part (Chinese) otherwise."""
    errors: list[str] = []
    scored: dict[str, Any] = {}

    def attempt(key: str, fn: Callable[[], Any]) -> None:
        try:
            scored[key] = fn()
        except (ScaleError, ObservationError) as exc:
            errors.append(str(exc))

    a = assessment
    attempt("threshold", lambda: validate_fever_threshold(fever_threshold_c))
    if a.phq9 is not None:
        attempt("phq9", lambda: score_phq9(a.phq9.answers, total=a.phq9.total, item9=a.phq9.item9))
    if a.gad7 is not None:
        attempt("gad7", lambda: score_gad7(a.gad7.answers, total=a.gad7.total))
    if a.phq4 is not None:
        attempt("phq4", lambda: score_phq4(a.phq4.answers, anxiety=a.phq4.anxiety, depression=a.phq4.depression))
    if a.isi is not None:
        attempt("isi", lambda: score_isi(a.isi.answers, total=a.isi.total))
    if a.cssrs is not None:
        attempt("cssrs", lambda: score_cssrs(a.cssrs))
    if a.observation is not None:
        attempt("observed", lambda: red_flags(a.observation, fever_threshold_c=fever_threshold_c))
    raised: list[RedFlag] = []
    for code in a.red_flags:
        if code in FLAGS:
            raised.append(flag_from_code(code))
        else:
            errors.append(_("未知的医学预警代码“%(code)s”") % {"code": code})
    for code in a.status.unmet_needs:
        if code not in NEEDS:
            errors.append(_("未知的需求代码“%(code)s”，可选：%(allowed)s") % {
                "code": code, "allowed": "、".join(f"{k}（{v}）" for k, v in NEEDS.items())})
    errors += _signal_errors(a.signals)
    if errors:
        raise AssessmentError(errors)
    return Findings(
        phq9=scored.get("phq9"), gad7=scored.get("gad7"), phq4=scored.get("phq4"), isi=scored.get("isi"),
        cssrs=scored.get("cssrs"), flags=_merge_flags(scored.get("observed", ()), raised),
        medical_assessed=a.observation is not None or bool(a.red_flags), status=a.status, signals=a.signals,
    )


HEALTH_LEVELS = ("notice", "urgent", "emergency")
DOMAINS = ("suicide", "medical")


def _signal_errors(signals: Signals) -> list[str]:
    """Chinese messages for signals that cannot be read (a caller's bug must not pass silently)."""
    errors: list[str] = []
    for crisis in signals.crises:
        if crisis.domain not in DOMAINS:
            errors.append(_("未知的危机类型“%(code)s”") % {"code": crisis.domain})
    for alert in signals.chat_alerts:
        if not isinstance(alert.level, int) or not 0 <= alert.level <= 10:
            errors.append(_("聊天风险预警等级应为0–10的整数，收到“%(got)s”") % {"got": alert.level})
    for health in signals.health_alerts:
        if health.level not in HEALTH_LEVELS:
            errors.append(_("未知的健康预警级别“%(code)s”，可选：%(allowed)s") % {
                "code": health.level, "allowed": "、".join(HEALTH_LEVELS)})
    chat = signals.chat
    if chat is not None and (not isinstance(chat.messages, int) or chat.messages < 0 or not isinstance(chat.days, int)
                             or chat.days < 1):
        errors.append(_("近期聊天风险信号的条数或天数不正确"))
    return errors


# --- rules -------------------------------------------------------------------------------------------------

# A rule's check returns None (did not fire), the Chinese reason, or (reason, source) when the source
# depends on the findings (medical flags carry their own guideline).
Check = Callable[[Findings], "str | tuple[str, str] | None"]


@dataclass(frozen=True)
class Rule:
    id: str
    tier: int
    urgency: Urgency
    crisis: bool
    source: Any  # lazy Chinese citation
    actions: tuple[str, ...]
    check: Check


RULES: list[Rule] = []


def rule(rule_id: str, *, tier: int, urgency: Urgency, source: Any, crisis: bool = False,
         actions: tuple[str, ...] = ()) -> Callable[[Check], Check]:
    """Register a check as a triage rule, in severity order (the order reasons are listed in)."""
    def register(check: Check) -> Check:
        RULES.append(Rule(rule_id, tier, urgency, crisis, source, actions, check))
        return check
    return register


SRC_CSSRS_HIGH = gettext_lazy(
    "C-SSRS筛查版分诊建议（Columbia Lighthouse Project）：过去一个月有自杀意图（第4题）或计划（第5题），"
    "或过去3个月内有自杀行为，为高风险，须立即处置")
SRC_CSSRS_OTHER = gettext_lazy(
    "C-SSRS筛查版分诊建议（Columbia Lighthouse Project）：第1–3题回答“是”或3个月以前有自杀行为，"
    "须由专业人员进一步评估和跟进")
SRC_PHQ9 = gettext_lazy("PHQ-9 严重程度分级（Kroenke、Spitzer、Williams，2001）")
SRC_PHQ9_ITEM9 = gettext_lazy("PHQ-9 使用说明：第9题得分≥1时，无论总分多少，都须进行自杀风险评估")
SRC_GAD7 = gettext_lazy("GAD-7 严重程度分级与转介界值（Spitzer 等，2006）：≥10分建议转介评估")
SRC_ISI = gettext_lazy("ISI 失眠严重程度分级（Morin 等，2011）：≥15分为临床失眠")
SRC_PHQ4 = gettext_lazy("PHQ-4 分量表界值（Kroenke 等，2009）：焦虑或抑郁分量表≥3分为阳性")
SRC_GUIDE = gettext_lazy(
    "《社区“三社联动”线上抗疫模式工作导引（第一版）》（中国社会工作联合会，2020）：居家/集中隔离人员及家属、"
    "疑似患者等需求未满足者转介至线上咨询服务群")
SRC_DEFAULT = gettext_lazy("《社区“三社联动”线上抗疫模式工作导引（第一版）》（2020）三级分流")


def _flag_sources(flags: Iterable[RedFlag]) -> str:
    labels: list[str] = []
    for flag in flags:
        if flag.source.label not in labels:
            labels.append(flag.source.label)
    return "；".join(labels)


def _flag_reasons(flags: Iterable[RedFlag]) -> str:
    return "；".join(flag.reason for flag in flags)


# What other features already know (open crises and alerts): triage never proposes less than they imply.

SRC_OPEN_CRISIS = gettext_lazy(
    "三社危机处置规程：危机处置未结束前，个案保持“立即处理”和危机标记，由危机处置结束，不由量表结果结束")
SRC_CHAT_IMMINENT = gettext_lazy(
    "线上群风险识别（Crisis Text Line 研究：提及具体方式、药物和剂量比“自杀”一词更能预测风险）：高危预警须立即处置")
SRC_CHAT_ALERT = gettext_lazy("线上群风险识别：达到预警等级的消息须由专业人员在24小时内评估")
SRC_CHAT_RECENT = gettext_lazy("线上群风险识别：近期消息中出现的风险信号，作为需求评估的参考")
SRC_HEALTH_ALERT = gettext_lazy(
    "健康监测预警（新冠病毒感染者居家治疗指南2022、诊疗方案第九版、WHO）：未处理的预警按其级别处置")


def _state(acknowledged: bool) -> str:
    return str(_("已有人确认处置") if acknowledged else _("尚无人确认"))


@rule("open_crisis", tier=3, urgency=Urgency.IMMEDIATE, crisis=True, source=SRC_OPEN_CRISIS,
      actions=("crisis_protocol",))
def open_crisis(f: Findings) -> str | None:
    """A crisis response of the person is open: immediate and a crisis until the crisis protocol closes it."""
    crises = f.signals.crises
    if not crises:
        return None
    parts = []
    for crisis in crises:
        domain = _("自杀/自伤风险") if crisis.domain == "suicide" else _("急症/医疗紧急")
        text = _("%(domain)s，%(state)s") % {"domain": domain, "state": _state(crisis.acknowledged)}
        if crisis.escalations:
            text += _("，已升级%(n)s次") % {"n": crisis.escalations}
        parts.append(text)
    return _("危机处置进行中：%(crises)s") % {"crises": "；".join(parts)}


def _chat_alert_text(alerts: list[ChatAlert]) -> str:
    parts = []
    for alert in sorted(alerts, key=lambda a: a.level, reverse=True):
        text = _("%(level)s级，%(state)s") % {"level": alert.level, "state": _state(alert.acknowledged)}
        if alert.signals:
            text += _("（%(signals)s）") % {"signals": "、".join(alert.signals[:6])}
        parts.append(text)
    return "；".join(parts)


@rule("chat_alert_imminent", tier=3, urgency=Urgency.IMMEDIATE, crisis=True, source=SRC_CHAT_IMMINENT,
      actions=("crisis_protocol", "psych_immediate", "contact_emergency_contact"))
def chat_alert_imminent(f: Findings) -> str | None:
    """An imminent chat risk alert about the person is not closed (e.g. saved-up sleeping pills)."""
    alerts = [a for a in f.signals.chat_alerts if a.imminent]
    if not alerts:
        return None
    return _("线上群高危风险预警未关闭：%(alerts)s") % {"alerts": _chat_alert_text(alerts)}


@rule("health_alert_emergency", tier=3, urgency=Urgency.IMMEDIATE, crisis=True, source=SRC_HEALTH_ALERT,
      actions=("crisis_protocol", "call_120"))
def health_alert_emergency(f: Findings) -> str | None:
    """A red (emergency) health-monitoring alert about the person is not resolved."""
    return _health_alert_text(f, "emergency")


def _health_alert_text(f: Findings, level: str) -> str | None:
    alerts = [a for a in f.signals.health_alerts if a.level == level]
    if not alerts:
        return None
    parts = []
    for alert in alerts:
        state = _("处理中") if alert.taken else _("待处理")
        what = "；".join(alert.reasons) or (_("失访") if alert.kind == "lost" else _("健康危险信号"))
        text = _("%(what)s（%(state)s") % {"what": what, "state": state}
        if alert.times_raised > 1:
            text += _("，已出现%(n)s次") % {"n": alert.times_raised}
        parts.append(text + "）")
    label = {"emergency": _("红色"), "urgent": _("橙色"), "notice": _("黄色")}[level]
    return _("健康监测%(label)s预警未处理：%(alerts)s") % {"label": label, "alerts": "；".join(parts)}


# Crisis: tier 3, immediate.

@rule("cssrs_intent", tier=3, urgency=Urgency.IMMEDIATE, crisis=True, source=SRC_CSSRS_HIGH,
      actions=("crisis_protocol", "psych_immediate", "contact_emergency_contact"))
def cssrs_intent(f: Findings) -> str | None:
    """C-SSRS Q4 yes: suicidal thoughts with some intention of acting on them in the past month."""
    if f.cssrs and f.cssrs.answers.intent:
        return _("C-SSRS：过去一个月内有自杀想法，并有付诸行动的意图（第4题“是”）")
    return None


@rule("cssrs_plan", tier=3, urgency=Urgency.IMMEDIATE, crisis=True, source=SRC_CSSRS_HIGH,
      actions=("crisis_protocol", "psych_immediate", "contact_emergency_contact"))
def cssrs_plan(f: Findings) -> str | None:
    """C-SSRS Q5 yes: worked out the details of a suicide plan and intends to carry it out."""
    if f.cssrs and f.cssrs.answers.plan:
        return _("C-SSRS：过去一个月内已想好或开始想自杀的具体细节，并打算执行（第5题“是”）")
    return None


@rule("cssrs_recent_behaviour", tier=3, urgency=Urgency.IMMEDIATE, crisis=True, source=SRC_CSSRS_HIGH,
      actions=("crisis_protocol", "psych_immediate", "contact_emergency_contact"))
def cssrs_recent_behaviour(f: Findings) -> str | None:
    """C-SSRS Q6 yes within the past 3 months: recent suicidal behaviour."""
    if f.cssrs and f.cssrs.recent_behaviour:
        return _("C-SSRS：过去3个月内做过、开始做过或准备做过结束自己生命的事情（第6题“是”）")
    return None


@rule("medical_emergency", tier=3, urgency=Urgency.IMMEDIATE, crisis=True,
      source=gettext_lazy("医学危急征象（见各预警的来源）"), actions=("crisis_protocol", "call_120"))
def medical_emergency(f: Findings) -> tuple[str, str] | None:
    """Any emergency red flag (SpO2 < 90 %, severe breathing difficulty): WHO emergency signs."""
    flags = f.flags_at(Level.EMERGENCY)
    if flags:
        return _("医学危急：%(reasons)s") % {"reasons": _flag_reasons(flags)}, _flag_sources(flags)
    return None


# Tier 3 within 24 hours.

@rule("phq9_severe", tier=3, urgency=Urgency.WITHIN_24H, source=SRC_PHQ9, actions=("psych_urgent",))
def phq9_severe(f: Findings) -> str | None:
    """PHQ-9 ≥ 20: severe depression."""
    if f.phq9 and f.phq9.total >= 20:
        return _("PHQ-9 总分%(total)s分（≥20分，重度抑郁）") % {"total": f.phq9.total}
    return None


@rule("gad7_severe", tier=3, urgency=Urgency.WITHIN_24H, source=SRC_GAD7, actions=("psych_urgent",))
def gad7_severe(f: Findings) -> str | None:
    """GAD-7 ≥ 15: severe anxiety."""
    if f.gad7 and f.gad7.total >= 15:
        return _("GAD-7 总分%(total)s分（≥15分，重度焦虑）") % {"total": f.gad7.total}
    return None


@rule("phq9_item9", tier=3, urgency=Urgency.WITHIN_24H, source=SRC_PHQ9_ITEM9,
      actions=("suicide_screen", "psych_urgent"))
def phq9_item9(f: Findings) -> str | None:
    """PHQ-9 item 9 ≥ 1: thoughts of being better off dead or of self-harm; always starts a suicide screen."""
    if f.phq9 and f.phq9.suicide_screen:
        return _("PHQ-9 第9题（有不如死掉或用某种方式伤害自己的念头）得%(score)s分：无论总分多少（本次%(total)s分），"
                 "都须进行自杀风险筛查") % {"score": f.phq9.item9, "total": f.phq9.total}
    return None


@rule("cssrs_positive", tier=3, urgency=Urgency.WITHIN_24H, source=SRC_CSSRS_OTHER, actions=("psych_urgent",))
def cssrs_positive(f: Findings) -> str | None:
    """Any other C-SSRS yes (Q1, Q2, Q3, or behaviour longer than 3 months ago): low or moderate risk."""
    if not f.cssrs:
        return None
    others = [n for n in f.cssrs.positive_items if n in (1, 2, 3) or (n == 6 and not f.cssrs.recent_behaviour)]
    if not others:
        return None
    parts = [_("第%(n)s题“是”") % {"n": n} for n in others if n != 6]
    if 6 in others:
        parts.append(_("第6题“是”（3个月以前）"))
    return _("C-SSRS：%(items)s，风险等级：%(risk)s") % {"items": "、".join(parts), "risk": f.cssrs.risk_label}


@rule("medical_urgent", tier=3, urgency=Urgency.WITHIN_24H,
      source=gettext_lazy("医学紧急征象（见各预警的来源）"), actions=("medical_transfer",))
def medical_urgent(f: Findings) -> tuple[str, str] | None:
    """Any urgent red flag (home-treatment guide 2022 transfer triggers, diagnosis guide 9th ed., WHO)."""
    flags = f.flags_at(Level.URGENT)
    if flags:
        return _("医学紧急：%(reasons)s") % {"reasons": _flag_reasons(flags)}, _flag_sources(flags)
    return None


@rule("chat_alert_open", tier=3, urgency=Urgency.WITHIN_24H, source=SRC_CHAT_ALERT, actions=("psych_urgent",))
def chat_alert_open(f: Findings) -> str | None:
    """A chat risk alert below the imminent level about the person is not closed."""
    alerts = [a for a in f.signals.chat_alerts if not a.imminent]
    if not alerts:
        return None
    return _("线上群风险预警未关闭：%(alerts)s") % {"alerts": _chat_alert_text(alerts)}


@rule("health_alert_urgent", tier=3, urgency=Urgency.WITHIN_24H, source=SRC_HEALTH_ALERT,
      actions=("medical_transfer",))
def health_alert_urgent(f: Findings) -> str | None:
    """An urgent (orange) health-monitoring alert about the person is not resolved."""
    return _health_alert_text(f, "urgent")


@rule("chat_signals_recent_high", tier=3, urgency=Urgency.WITHIN_24H, source=SRC_CHAT_ALERT,
      actions=("psych_urgent",))
def chat_signals_recent_high(f: Findings) -> str | None:
    """A message of the last days reached the alert level (even when its alert was closed since)."""
    chat = f.signals.chat
    if chat is None or not chat.messages or not chat.at_alert_level:
        return None
    return _chat_recent_text(chat)


def _chat_recent_text(chat: ChatSignals) -> str:
    text = _("近%(days)s天本人在群聊或私聊中有%(n)s条消息出现风险信号（最高%(level)s级）") % {
        "days": chat.days, "n": chat.messages, "level": chat.max_level}
    if chat.signals:
        text += _("：%(signals)s") % {"signals": "、".join(chat.signals[:6])}
    return text


# Tier 2, routine.

@rule("phq9_moderate", tier=2, urgency=Urgency.ROUTINE, source=SRC_PHQ9, actions=("psych_referral",))
def phq9_moderate(f: Findings) -> str | None:
    """PHQ-9 10–19: moderate to moderately severe depression."""
    if f.phq9 and 10 <= f.phq9.total <= 19:
        return _("PHQ-9 总分%(total)s分（10–19分，%(band)s）") % {"total": f.phq9.total, "band": f.phq9.band_label}
    return None


@rule("gad7_moderate", tier=2, urgency=Urgency.ROUTINE, source=SRC_GAD7, actions=("psych_referral",))
def gad7_moderate(f: Findings) -> str | None:
    """GAD-7 10–14: moderate anxiety, at the referral cut-off."""
    if f.gad7 and 10 <= f.gad7.total <= 14:
        return _("GAD-7 总分%(total)s分（10–14分，中度焦虑，达到转介界值）") % {"total": f.gad7.total}
    return None


@rule("isi_clinical", tier=2, urgency=Urgency.ROUTINE, source=SRC_ISI, actions=("sleep_support",))
def isi_clinical(f: Findings) -> str | None:
    """ISI ≥ 15: clinical insomnia."""
    if f.isi and f.isi.total >= 15:
        return _("ISI 总分%(total)s分（≥15分，%(band)s）") % {"total": f.isi.total, "band": f.isi.band_label}
    return None


@rule("phq4_anxiety", tier=2, urgency=Urgency.ROUTINE, source=SRC_PHQ4, actions=("psych_referral",))
def phq4_anxiety(f: Findings) -> str | None:
    """PHQ-4 anxiety subscale (items 1–2) ≥ 3."""
    if f.phq4 and f.phq4.anxiety_positive:
        return _("PHQ-4 焦虑分量表（第1–2题）%(score)s分（≥3分，阳性）") % {"score": f.phq4.anxiety}
    return None


@rule("phq4_depression", tier=2, urgency=Urgency.ROUTINE, source=SRC_PHQ4, actions=("psych_referral",))
def phq4_depression(f: Findings) -> str | None:
    """PHQ-4 depression subscale (items 3–4) ≥ 3."""
    if f.phq4 and f.phq4.depression_positive:
        return _("PHQ-4 抑郁分量表（第3–4题）%(score)s分（≥3分，阳性）") % {"score": f.phq4.depression}
    return None


@rule("quarantine_unmet_needs", tier=2, urgency=Urgency.ROUTINE, source=SRC_GUIDE, actions=("link_resources",))
def quarantine_unmet_needs(f: Findings) -> str | None:
    """A person under quarantine or suspected, with needs not yet met (the guide's clients of tier 2 and 3)."""
    status = f.status
    if (status.under_quarantine or status.suspected) and status.unmet_needs:
        who = _("隔离人员") if status.under_quarantine else _("疑似患者")
        if status.under_quarantine and status.suspected:
            who = _("隔离中的疑似患者")
        return _("%(who)s，有未满足的需求：%(needs)s") % {"who": who, "needs": "、".join(need_labels(status.unmet_needs))}
    return None


@rule("chat_signals_recent", tier=2, urgency=Urgency.ROUTINE, source=SRC_CHAT_RECENT, actions=("psych_referral",))
def chat_signals_recent(f: Findings) -> str | None:
    """Messages of the last days with risk signals below the alert level."""
    chat = f.signals.chat
    if chat is None or not chat.messages or chat.at_alert_level:
        return None
    return _chat_recent_text(chat)


# Tier 1, noted.

@rule("medical_notice", tier=1, urgency=Urgency.ROUTINE,
      source=gettext_lazy("医学关注征象（见各预警的来源）"), actions=("monitor_health",))
def medical_notice(f: Findings) -> tuple[str, str] | None:
    """A notice-level red flag (fever without other risk): keep monitoring, no tier change by itself."""
    flags = f.flags_at(Level.NOTICE)
    if flags:
        return _("医学关注：%(reasons)s") % {"reasons": _flag_reasons(flags)}, _flag_sources(flags)
    return None


@rule("health_alert_notice", tier=1, urgency=Urgency.ROUTINE, source=SRC_HEALTH_ALERT, actions=("monitor_health",))
def health_alert_notice(f: Findings) -> str | None:
    """A notice (yellow) health-monitoring alert about the person is not resolved (fever, lost to follow-up)."""
    return _health_alert_text(f, "notice")


DEFAULT_RULE_ID = "no_rule_fired"

ACTIONS = {
    "crisis_protocol": gettext_lazy(
        "立即启动危机处理：保持与服务对象联系，不让其独处；同时通知当班心理咨询志愿者或医务志愿者、社会工作者和机构管理员"),
    "contact_emergency_contact": gettext_lazy(
        "联系服务对象的紧急联系人和所在社区，共同确认其安全；有生命危险时立即拨打110或120"),
    "call_120": gettext_lazy("立即拨打120急救电话，并联系所在社区协助转运就医，确认救助已到达"),
    "medical_transfer": gettext_lazy("请当班医务志愿者尽快评估，按居家治疗指南协助转诊就医，并告知所在社区"),
    "psych_immediate": gettext_lazy("当班心理咨询志愿者立即进行危机评估和干预，与服务对象共同制定安全计划"),
    "suicide_screen": gettext_lazy("立即使用C-SSRS筛查版进行自杀风险筛查"),
    "psych_urgent": gettext_lazy("由心理咨询志愿者在24小时内进行个别评估和安全计划，社会工作者一对一跟进"),
    "psych_referral": gettext_lazy("转介心理咨询志愿者进一步评估，提供情绪疏导和心理支持"),
    "sleep_support": gettext_lazy("提供睡眠卫生指导，由心理咨询志愿者跟进失眠问题"),
    "link_resources": gettext_lazy("与所在社区和资源方联系，链接资源解决其未满足的需求"),
    "monitor_health": gettext_lazy("继续早晚测量体温并观察症状，如有加重及时联系医务志愿者"),
    "place_key_group": gettext_lazy("分流至重点陪助群，安排专人密切跟进"),
    "place_focus_group": gettext_lazy("分流至聚焦服务群，接受线上咨询服务"),
    "stay_resident_group": gettext_lazy("留在线上小区居民群，继续提供科普宣传和信息咨询"),
}
PLACEMENT_ACTIONS = {3: "place_key_group", 2: "place_focus_group", 1: "stay_resident_group"}


# --- result ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    rule_id: str
    tier: int
    text: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "tier": self.tier, "text": self.text, "source": self.source}


@dataclass(frozen=True)
class Action:
    code: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True)
class TriageResult:
    tier: int
    urgency: Urgency
    crisis: bool
    scores: dict[str, Any]
    reasons: tuple[Reason, ...]
    actions: tuple[Action, ...]
    rules_version: str = RULES_VERSION

    @property
    def rule_ids(self) -> list[str]:
        return [reason.rule_id for reason in self.reasons]

    @property
    def action_codes(self) -> list[str]:
        return [action.code for action in self.actions]

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract of `manage.py triage` and `POST /api/v1/triage`."""
        return {
            "tier": self.tier,
            "tier_label": str(TIER_LABELS[self.tier]),
            "urgency": self.urgency.value,
            "urgency_label": self.urgency.label,
            "crisis": self.crisis,
            "scores": self.scores,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "actions": [action.as_dict() for action in self.actions],
            "rules_version": self.rules_version,
        }


def _scores(f: Findings) -> dict[str, Any]:
    scores: dict[str, Any] = {}
    for key in ("phq9", "gad7", "phq4", "isi", "cssrs"):
        value = getattr(f, key)
        if value is not None:
            scores[key] = value.as_dict()
    if f.medical_assessed:
        level = overall_level(f.flags)
        scores["medical"] = {
            "level": level.code if level else None,
            "level_label": level.label if level else None,
            "flags": [flag.as_dict() for flag in f.flags],
        }
    return scores


def evaluate(findings: Findings) -> TriageResult:
    """Run every rule over scored findings."""
    fired: list[tuple[Rule, Reason]] = []
    for r in RULES:
        outcome = r.check(findings)
        if outcome is None:
            continue
        text, source = outcome if isinstance(outcome, tuple) else (outcome, str(r.source))
        fired.append((r, Reason(rule_id=r.id, tier=r.tier, text=text, source=source)))

    tier = max((r.tier for r, _reason in fired), default=1)
    crisis = any(r.crisis for r, _reason in fired)
    urgency = max((r.urgency for r, _reason in fired), key=lambda u: u.rank, default=Urgency.ROUTINE)
    reasons = [reason for _r, reason in fired]
    if not fired:
        reasons.append(Reason(DEFAULT_RULE_ID, 1, _("未触发任何分流规则：留在线上小区居民群"), str(SRC_DEFAULT)))

    codes: list[str] = []
    for r, _reason in fired:
        codes.extend(r.actions)
    codes.append(PLACEMENT_ACTIONS[tier])
    if findings.cssrs is not None:
        codes = [code for code in codes if code != "suicide_screen"]  # the screen has been done
    ordered = list(dict.fromkeys(codes))
    actions = tuple(Action(code, str(ACTIONS[code])) for code in ordered)

    return TriageResult(tier=tier, urgency=urgency, crisis=crisis, scores=_scores(findings),
                        reasons=tuple(reasons), actions=actions)


def triage(assessment: Assessment, *, fever_threshold_c: float = DEFAULT_FEVER_THRESHOLD_C) -> TriageResult:
    """Score and triage an assessment; AssessmentError (Chinese, every bad part) for bad input."""
    return evaluate(score_assessment(assessment, fever_threshold_c=fever_threshold_c))
