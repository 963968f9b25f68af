"""Reads of chat risk alerts: scoped fetch, the alerts list, counts, and what triage reads about an account."""

from __future__ import annotations

from datetime import datetime

from sanshe.core.errors import ObjectNotFound
from sanshe.rules.chatrisk import IMMINENT_LEVEL

from ..models import (
    Message,
    RiskAlert,
    RiskAlertStatus,
)


def access_alert(*, actor, alert_id: int) -> RiskAlert:
    alert = (RiskAlert.objects.for_actor(actor, "view")
             .select_related("group", "message", "subject", "thread", "acknowledged_by")
             .filter(pk=alert_id).first())
    if alert is None:
        raise ObjectNotFound(alert_id)
    return alert


def imminent_alert_open_for(*, user_id: int | None) -> bool:
    """Whether an imminent-risk chat alert about this account is still open or only acknowledged (not closed)."""
    if user_id is None:
        return False
    return RiskAlert.objects.filter(subject_id=user_id, level__gte=IMMINENT_LEVEL).exclude(
        status=RiskAlertStatus.CLOSED).exists()


def risk_alerts_open_for(*, user_id: int | None) -> list[RiskAlert]:
    """Chat risk alerts about this account that are not closed, most severe first (for triage's inputs)."""
    if user_id is None:
        return []
    return list(RiskAlert.objects.filter(subject_id=user_id).exclude(status=RiskAlertStatus.CLOSED)
                .order_by("-level", "created_at", "pk")[:20])


def risk_messages_recent_for(*, user_id: int | None, since: datetime) -> list[Message]:
    """Messages this account wrote since `since` in which risk detection found a signal (level > 0)."""
    if user_id is None:
        return []
    return list(Message.objects.filter(sender_id=user_id, created_at__gte=since, risk_level__gt=0)
                .only("id", "risk_level", "risk_signals", "created_at").order_by("-created_at")[:100])


def alert_list(*, actor, open_only: bool = False) -> list[RiskAlert]:
    queryset = RiskAlert.objects.for_actor(actor, "view").select_related("group", "message", "subject",
                                                                          "acknowledged_by")
    if open_only:
        queryset = queryset.filter(status=RiskAlertStatus.OPEN)
    return list(queryset.order_by("status", "-level", "created_at")[:100])


def open_alert_count(*, actor) -> int:
    return RiskAlert.objects.for_actor(actor, "view").filter(status=RiskAlertStatus.OPEN).count()
