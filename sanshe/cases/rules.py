"""Pure rules of case management (no database): which status changes are allowed, and what they need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
