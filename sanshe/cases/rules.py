"""Pure rules of case management (no database): which status changes are allowed, and what they need."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

OPEN, IN_SERVICE, REFERRED_OUT, CLOSED = "open", "in_service", "referred_out", "closed"

# Tool 5: open → in service → referred out → closed. A referral out that comes back returns to service;
# a closed case is final unless reopened (back into service) with a written reason.
TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({IN_SERVICE, REFERRED_OUT, CLOSED}),
    IN_SERVICE: frozenset({REFERRED_OUT, CLOSED}),
    REFERRED_OUT: frozenset({IN_SERVICE, CLOSED}),
    CLOSED: frozenset({IN_SERVICE}),
}
MIN_REASON = 4


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def reason_required(current: str, target: str) -> bool:
    """Closing, and reopening a closed case, need a reason; so does sending a case out of our service."""
    return target in {CLOSED, REFERRED_OUT} or current == CLOSED


def status_change_problem(current: str, target: str, reason: str) -> Problem | None:
    """Why `current → target` with this reason is not allowed, or None."""
    if target not in TRANSITIONS:
        return Problem("status", _("请选择有效的个案状态"))
    if target not in TRANSITIONS.get(current, frozenset()):
        if current == CLOSED:
            return Problem("status", _("个案已结案；如需继续服务，请选择“重新开启（服务中）”并写明原因"))
        return Problem("status", _("个案不能从当前状态直接改为该状态"))
    if reason_required(current, target) and len((reason or "").strip()) < MIN_REASON:
        if target == CLOSED:
            return Problem("reason", _("结案请写明原因（至少4个字），如：需求已满足、转介至医院、本人拒绝服务"))
        if current == CLOSED:
            return Problem("reason", _("重新开启个案请写明原因（至少4个字）"))
        return Problem("reason", _("请写明转介去向或原因（至少4个字）"))
    return None


def is_overdue(due_at: datetime | None, done_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and done_at is None and due_at < now


PHONE_CHARS = set("0123456789-+")


def _phone_problem(value: str) -> str | None:
    if value and (not set(value) <= PHONE_CHARS or not 5 <= len(value) <= 20):
        return _("请填写正确的电话号码（数字，可含“-”）")
    return None


def help_request_problems(*, kinds, text: str, urgency: str, allowed_kinds: set[str],
                          allowed_urgency: set[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not kinds or not set(kinds) <= allowed_kinds:
        errors["kinds"] = _("请选择需要哪方面的帮助")
    if len(text) < 4:
        errors["text"] = _("请简单说说您的情况（至少4个字），方便社工准备")
    elif len(text) > 1000:
        errors["text"] = _("请控制在1000字以内")
    if urgency not in allowed_urgency:
        errors["urgency"] = _("请选择有多着急")
    return errors


# ------------------------------------------------------------------------------------------ 求助 urgency
#
# How urgent a resident's request is, read from what they wrote, whatever they chose: the resident's own
# choice is a floor the rules may raise, never lower.
# - Danger to life (sanshe.rules.chatrisk: suicide risk or a medical emergency at alert level, e.g. breathing
#   difficulty, SpO2 ≤ 93 %, unconsciousness): immediate.
# - Medicines that must not run out (brief, "Domain facts for the ground work": insulin, anti-epileptics,
#   anticoagulants, antipsychotics and other psychiatric medicines, immunosuppressants after transplant, heart
#   medicines for unstable patients) running short, or asked for under 买药: within 24 hours; already out, or out
#   by tomorrow: immediate. Haemodialysis and chemo/radiotherapy sessions that may be missed likewise (missing
#   dialysis can kill within days).
# - A lesser medical signal (chest tightness, palpitations): within 24 hours.

HELP_IMMEDIATE, HELP_WITHIN_24H = "immediate", "within_24h"
_HELP_RANK = {"routine": 1, HELP_WITHIN_24H: 2, HELP_IMMEDIATE: 3}

CRITICAL_MEDICINES: dict[str, tuple[str, str]] = {
    # code: (label, pattern)
    "insulin": (gettext_lazy("胰岛素"), r"胰岛素|甘精|门冬|赖脯|地特|德谷"),
    "antiepileptic": (gettext_lazy("抗癫痫药"), r"抗癫痫|癫痫药|丙戊酸|德巴金|卡马西平|左乙拉西坦|开浦兰|拉莫三嗪|奥卡西平|苯妥英|托吡酯"),
    "anticoagulant": (gettext_lazy("抗凝药"), r"抗凝|华法林|利伐沙班|拜瑞妥|达比加群|阿哌沙班|肝素"),
    "psychiatric": (gettext_lazy("精神科药物"), r"抗精神病|精神科的?药|精神类药|奥氮平|利培酮|喹硫平|阿立哌唑|氯氮平|碳酸锂|帕利哌酮"),
    "immunosuppressant": (gettext_lazy("抗排异药"), r"抗排异|抗排斥|免疫抑制剂|他克莫司|环孢素|吗替麦考酚酯|骁悉|西罗莫司"),
    "cardiac": (gettext_lazy("心脏急救药"), r"硝酸甘油|速效救心|心脏病的?药|强心药|地高辛|胺碘酮"),
}
CRITICAL_TREATMENTS: dict[str, tuple[str, str]] = {
    "dialysis": (gettext_lazy("透析"), r"透析"),
    "chemotherapy": (gettext_lazy("放化疗"), r"化疗|放疗"),
}
_SHORT = re.compile(r"用完|吃完|打完|没了|没有了|快没|不够|只剩|剩下|剩最后|断药|停药|断了|买不到|配不到|开不到|拿不到|用光|"
                    r"吃光|续药|配药|拿药|买药|缺药|去不了|做不了|耽误|错过")
_NOW = re.compile(r"已经(?:用|吃|打)?(?:完|没|断|停)|断药|停药了|今天|今晚|今早|明天|明早|明晚|马上|停了")


@dataclass(frozen=True)
class HelpUrgency:
    urgency: str | None          # the floor the text sets ("immediate", "within_24h"), or None
    reasons: tuple[str, ...] = ()  # Chinese, for the staff who read the request


def help_urgency_from_text(*, kinds, text: str) -> HelpUrgency:
    """The urgency the request's own words call for (see above), with the reasons; pure."""
    from sanshe.rules import chatrisk as risk

    norm = risk.normalise(text)
    found: list[tuple[str, str]] = []
    assessed = risk.assess(text)
    if assessed.level >= risk.ALERT_LEVEL:
        signals = "、".join(dict.fromkeys(risk.label(s.kind) for s in assessed.signals if s.weight))
        found.append((HELP_IMMEDIATE, _("有生命危险的信号：%(signals)s") % {"signals": signals}))
    elif assessed.level >= 4:
        signals = "、".join(dict.fromkeys(risk.label(s.kind) for s in assessed.signals if s.weight))
        found.append((HELP_WITHIN_24H, _("身体不适：%(signals)s") % {"signals": signals}))
    short, now = bool(_SHORT.search(norm)), bool(_NOW.search(norm))
    for table, message in ((CRITICAL_MEDICINES, _("不能断的药：%(what)s")),
                           (CRITICAL_TREATMENTS, _("不能中断的治疗：%(what)s"))):
        names = [str(label) for label, pattern in table.values() if re.search(pattern, norm)]
        if names and (short or "medicine" in kinds or table is CRITICAL_TREATMENTS):
            level = HELP_IMMEDIATE if (short or table is CRITICAL_TREATMENTS) and now else HELP_WITHIN_24H
            found.append((level, message % {"what": "、".join(names)}))
    if not found:
        return HelpUrgency(None)
    top = max((level for level, _reason in found), key=_HELP_RANK.__getitem__)
    return HelpUrgency(top, tuple(reason for _level, reason in found))


def more_urgent(first: str, second: str | None) -> str:
    """The more urgent of two urgency codes (the first when equal or the second is None)."""
    if second is not None and _HELP_RANK.get(second, 0) > _HELP_RANK.get(first, 0):
        return second
    return first


def intake_problems(values: dict[str, str], needs: list[str], *, max_text: int) -> dict[str, str]:
    from sanshe.rules.needs import NEEDS

    errors: dict[str, str] = {}
    if len(values["emergency_contact_name"]) > 64:
        errors["emergency_contact_name"] = _("紧急联系人姓名请控制在64字以内")
    problem = _phone_problem(values["emergency_contact_phone"])
    if problem:
        errors["emergency_contact_phone"] = problem
    if values["emergency_contact_phone"] and not values["emergency_contact_name"]:
        errors["emergency_contact_name"] = _("请填写紧急联系人姓名")
    for name, value in values.items():
        if name.startswith(("demand_", "needs_other", "plan")) and len(value) > max_text:
            errors[name] = _("请控制在%(n)s字以内") % {"n": max_text}
    unknown = [code for code in needs if code not in NEEDS]
    if unknown:
        errors["needs"] = _("需求评估中有无效选项，请重新勾选")
    if any(code.endswith("_other") for code in needs) and not values["needs_other"]:
        errors["needs_other"] = _("勾选了“其他”需求，请写明具体内容")
    return errors


def followup_problems(*, date, domain: str, content: str, responsible_name: str, contact: str, due_at, done: bool,
                      now: datetime, max_text: int) -> dict[str, str]:
    from .models import CasePart

    errors: dict[str, str] = {}
    if date is None:
        errors["date"] = _("请填写日期")
    elif due_at is None and date > timezone.localdate(now):
        errors["date"] = _("跟进日期不能晚于今天；计划中的跟进请填写完成时限")
    if domain not in CasePart.values:
        errors["domain"] = _("请选择类别（医疗、心理或其他）")
    if len(content) < 2:
        errors["content"] = _("请填写跟进内容")
    elif len(content) > max_text:
        errors["content"] = _("请控制在%(n)s字以内") % {"n": max_text}
    if not responsible_name:
        errors["responsible_name"] = _("请填写负责人")
    elif len(responsible_name) > 50:
        errors["responsible_name"] = _("负责人姓名请控制在50字以内")
    problem = _phone_problem(contact)
    if problem:
        errors["contact"] = problem
    if due_at is not None and done:
        errors["due_at"] = _("已完成的跟进无需填写完成时限")
    return errors
