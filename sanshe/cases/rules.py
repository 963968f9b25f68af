"""Pure rules of case management (no database): which status changes are allowed, and what they need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

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


def intake_problems(values: dict[str, str], needs: list[str], *, max_text: int) -> dict[str, str]:
    from sanshe.triage.needs import NEEDS

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
