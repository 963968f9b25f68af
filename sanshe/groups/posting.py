"""Who may post in a group right now (在线工作守则 第二条: off-duty staff stay quiet). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

# Roles that speak in a consultation group only while on duty (the admin always may).
DUTY_BOUND_ROLES = frozenset({"social_worker", "community_worker", "secretary", "medical", "psychological"})
CONSULTATION_TIERS = frozenset({2, 3})


@dataclass(frozen=True)
class PostingDecision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def posting_decision(*, tier: int, role: str | None, status: str | None, is_admin: bool, on_duty: bool,
                     muted_until: datetime | None, now: datetime, archived: bool = False) -> PostingDecision:
    """Whether a member may post in the group's main stream, and if not, why (in Chinese)."""
    if archived:
        return PostingDecision(False, _("本群已解散，不能再发言。"))
    if role is None or status != "active":
        if status == "pending":
            return PostingDecision(False, _("入群申请待群管理员审核，通过后即可发言。"))
        return PostingDecision(False, _("您不在本群中，不能发言。"))
    if is_admin:
        return PostingDecision(True)
    if muted_until is not None and muted_until > now:
        local = timezone.localtime(muted_until)
        return PostingDecision(False, _("您已被禁言至 %(time)s。") % {"time": f"{local:%m-%d %H:%M}"})
    if tier in CONSULTATION_TIERS and role in DUTY_BOUND_ROLES and not on_duty:
        return PostingDecision(False, _("非值班时间请勿在群内发言（在线工作守则第二条）。值班时输入框会自动开启；"
                                        "有急事请私聊群管理员。"))
    return PostingDecision(True)
