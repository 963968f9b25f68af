"""Reads for learning from staff: verdicts on alerts, "should have alerted" marks, and the detector page's figures.

The detector page is for organisation admins and social workers of the organisation; its figures count the alerts
and labels each of them may already see (RiskAlert / RiskFeedback `for_actor`), never more.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sanshe.rules.chatrisk import ALERT_LEVEL, IMMINENT_LEVEL

from .models import Message, RiskAlert, RiskFeedback, RiskFeedbackKind
from .policies import rule_organisations

MONTHS_SHOWN = 12


def detector_organisations(*, actor):
    """Organisations whose detector page the actor may open: where they are an organisation admin or social
    worker (the people who tune the organisation's rules)."""
    return rule_organisations(actor)


def alert_verdicts(*, actor, alert_ids) -> dict[int, RiskFeedback]:
    """Alert id → its current verdict, for the alerts the actor may see."""
    ids = [int(i) for i in alert_ids if i]
    if not ids:
        return {}
    rows = (RiskFeedback.objects.for_actor(actor, "view").filter(alert_id__in=ids)
            .select_related("created_by", "updated_by"))
    return {row.alert_id: row for row in rows}


def alerted_message_ids(*, message_ids) -> set[int]:
    """Which of these messages raised an alert (whoever may see it): they get no "should have alerted" mark."""
    ids = [int(i) for i in message_ids if i]
    if not ids:
        return set()
    return set(RiskAlert.objects.filter(message_id__in=ids).values_list("message_id", flat=True))


def missed_mark_of(*, actor, message: Message) -> RiskFeedback | None:
    """The actor's own "should have alerted" mark on a message, if any."""
    return (RiskFeedback.objects.for_actor(actor, "view")
            .filter(message=message, created_by=actor, kind=RiskFeedbackKind.MISSED).first())


@dataclass(frozen=True)
class DetectorMonth:
    """One month of the detector's work as staff judged it."""

    month: date
    alerts: int
    verdicts: int
    true_risk: int
    false_alarm: int
    missed: int

    @property
    def precision(self) -> float | None:
        """true / (true + false alarms), None before any verdict."""
        judged = self.true_risk + self.false_alarm
        return self.true_risk / judged if judged else None

    @property
    def unjudged_share(self) -> float | None:
        """The share of the month's alerts still without a verdict, None without alerts."""
        return (self.alerts - self.verdicts) / self.alerts if self.alerts else None

    @property
    def unjudged(self) -> int:
        return self.alerts - self.verdicts

    @property
    def precision_pct(self) -> int | None:
        return None if self.precision is None else round(self.precision * 100)

    @property
    def unjudged_pct(self) -> int | None:
        return None if self.unjudged_share is None else round(self.unjudged_share * 100)

    @property
    def key(self) -> str:
        return self.month.strftime("%Y-%m")


@dataclass(frozen=True)
class DetectorSummary:
    months: list[DetectorMonth]
    total: DetectorMonth
    alert_level: int = ALERT_LEVEL
    imminent_level: int = IMMINENT_LEVEL


def _month(value: datetime | date) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def detector_summary(*, actor, organisation_id: int) -> DetectorSummary:
    """Per month (newest first, at most a year): alerts raised, verdicts, true risk, false alarms and
    messages marked as missed, for what the actor may see of one organisation."""
    alerts = (RiskAlert.objects.for_actor(actor, "view").filter(organisation_id=organisation_id)
              .annotate(month=TruncMonth("created_at")).values("month")
              .annotate(alerts=Count("pk", distinct=True),
                        verdicts=Count("feedback", distinct=True),
                        true_risk=Count("feedback", filter=Q(feedback__kind=RiskFeedbackKind.TRUE_RISK), distinct=True),
                        false_alarm=Count("feedback", filter=Q(feedback__kind=RiskFeedbackKind.FALSE_ALARM),
                                          distinct=True))
              .order_by())
    missed = (RiskFeedback.objects.for_actor(actor, "view")
              .filter(organisation_id=organisation_id, kind=RiskFeedbackKind.MISSED)
              .annotate(month=TruncMonth("message__created_at")).values("month")
              .annotate(messages=Count("message", distinct=True)).order_by())
    figures: dict[date, dict[str, int]] = {}
    for row in alerts:
        figures.setdefault(_month(row["month"]), {}).update(
            alerts=row["alerts"], verdicts=row["verdicts"], true_risk=row["true_risk"],
            false_alarm=row["false_alarm"])
    for row in missed:
        figures.setdefault(_month(row["month"]), {})["missed"] = row["messages"]
    months = [DetectorMonth(month=m, alerts=f.get("alerts", 0), verdicts=f.get("verdicts", 0),
                            true_risk=f.get("true_risk", 0), false_alarm=f.get("false_alarm", 0),
                            missed=f.get("missed", 0))
              for m, f in sorted(figures.items(), reverse=True)][:MONTHS_SHOWN]
    total = DetectorMonth(month=date.min, **{name: sum(getattr(m, name) for m in months) for name in
                                            ("alerts", "verdicts", "true_risk", "false_alarm", "missed")})
    return DetectorSummary(months=months, total=total)


# ----------------------------------------------------------------------------------------------- export

# Control characters go (C0, C1, DEL); line and paragraph separators and tabs become spaces (one line per label).
_SPACES = re.compile(r"[\t\r\n\u2028\u2029\x0b\x0c\x85]+")


def eval_text(text: str) -> str:
    """A chat text as one `risk_eval` field: breaks and tabs as spaces, no control characters."""
    text = _SPACES.sub(" ", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc")
    return re.sub(" {2,}", " ", text).strip()


def eval_label(kind: str, level: int) -> str:
    """The `risk_eval` label of a staff label: true risk by the level it reached, false alarm `none`, missed
    `high` (at least an alert)."""
    if kind == RiskFeedbackKind.TRUE_RISK:
        return "imminent" if level >= IMMINENT_LEVEL else "high"
    if kind == RiskFeedbackKind.FALSE_ALARM:
        return "none"
    return "high"


def feedback_export_rows(*, actor, organisation_id: int, month: date | None = None) -> list[tuple[str, str]]:
    """(label, text) per labelled message the actor may see, oldest first; one line per message (a verdict
    wins over "should have alerted" marks; several staff marking the same message give one line)."""
    rows = (RiskFeedback.objects.for_actor(actor, "view").filter(organisation_id=organisation_id)
            .select_related("message").order_by("message__created_at", "message_id", "id"))
    if month is not None:
        rows = rows.filter(message__created_at__year=month.year, message__created_at__month=month.month)
    chosen: dict[int, RiskFeedback] = {}
    for row in rows:
        current = chosen.get(row.message_id)
        if current is None or (current.kind == RiskFeedbackKind.MISSED and row.kind != RiskFeedbackKind.MISSED):
            chosen[row.message_id] = row
    lines = []
    for row in chosen.values():
        text = eval_text(row.message.body)
        if text:  # a picture without words has nothing for the text detector to learn from
            lines.append((eval_label(row.kind, row.risk_level), text))
    return lines


def feedback_months(*, actor, organisation_id: int) -> list[date]:
    """Months (newest first) with labels the actor may export."""
    values = (RiskFeedback.objects.for_actor(actor, "view").filter(organisation_id=organisation_id)
              .annotate(month=TruncMonth("message__created_at")).values_list("month", flat=True).distinct()
              .order_by())
    return sorted({_month(v) for v in values if v}, reverse=True)
