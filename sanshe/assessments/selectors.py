"""Reads for the case page's assessment section and the triage pages (a fixed number of queries)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.cases.models import Case
from sanshe.core.errors import ObjectNotFound
from sanshe.rules.needs import need_labels
from sanshe.rules.triage import TIER_LABELS, URGENCY_LABELS, Urgency

from . import scales
from .models import (
    Administration,
    AdministrationStatus,
    DecisionStatus,
    Placement,
    PlacementStatus,
    ScaleCode,
    TriageDecision,
)

HISTORY_LIMIT = 30


def result_summary(scale: str, result: dict[str, Any]) -> dict[str, Any]:
    """One line for a scored administration: the number, the band, and whether it needs attention."""
    if scale in scales.LIKERT:
        alert = result.get("band") in ("moderate", "moderately_severe", "severe") or bool(
            result.get("suicide_screen") or result.get("anxiety_positive") or result.get("depression_positive"))
        extra = []
        if result.get("suicide_screen"):
            extra.append(_("第9题%(n)s分，须做自杀风险筛查") % {"n": result.get("item9")})
        if scale == "phq4":
            extra.append(_("焦虑%(a)s分、抑郁%(d)s分") % {"a": result.get("anxiety"), "d": result.get("depression")})
        return {"score": f"{result.get('total')}/{result.get('max_total', '')}".rstrip("/"),
                "band": result.get("band_label", ""), "alert": alert, "extra": "；".join(extra)}
    if scale == ScaleCode.CSSRS:
        return {"score": "", "band": result.get("risk_label", ""), "alert": result.get("risk") not in (None, "none"),
                "extra": _("立即危机处理") if result.get("imminent") else ""}
    if scale == ScaleCode.MEDICAL:
        return {"score": "", "band": result.get("level_label", ""), "alert": bool(result.get("level")),
                "extra": "；".join(f["reason"] for f in result.get("flags", []))}
    return {"score": "", "band": "", "alert": False, "extra": ""}


def case_administrations(*, case: Case, limit: int = HISTORY_LIMIT) -> list[Administration]:
    """The case's administrations, newest first, each with `summary` (decrypted once here)."""
    rows = list(Administration.objects.filter(case=case).exclude(status=AdministrationStatus.CANCELLED)
                .select_related("given_by", "created_by").order_by("-completed_at", "-created_at", "-pk")[:limit])
    now = timezone.now()
    for row in rows:
        row.summary = result_summary(row.scale, row.result) if row.status == AdministrationStatus.COMPLETED else None
        row.expired = row.status == AdministrationStatus.PENDING and bool(row.expires_at and row.expires_at <= now)
    rows.sort(key=lambda r: (r.status != AdministrationStatus.PENDING, -(r.completed_at or r.created_at).timestamp()))
    return rows


def decision_view(decision: TriageDecision) -> dict[str, Any]:
    """The decision's stored engine result, with labels for the page."""
    result = decision.result
    scores = []
    for code in ("phq9", "gad7", "phq4", "isi", "cssrs"):
        if code in result.get("scores", {}):
            scores.append({"name": ScaleCode(code).label, **result_summary(code, result["scores"][code])})
    medical = result.get("scores", {}).get("medical")
    if medical:
        scores.append({"name": str(ScaleCode.MEDICAL.label), **result_summary("medical", medical)})
    status = decision.inputs.get("assessment", {}).get("status", {})
    basis = []
    if status.get("under_quarantine"):
        basis.append(_("隔离观察中"))
    if status.get("suspected"):
        basis.append(_("疑似患者"))
    if status.get("unmet_needs"):
        basis.append(_("需求评估：%(needs)s") % {"needs": "、".join(need_labels(status["unmet_needs"]))})
    if decision.inputs.get("assessment", {}).get("red_flags"):
        basis.append(_("健康监测中未处理的预警"))
    return {
        "decision": decision,
        "basis": basis,
        "tier_label": str(TIER_LABELS[decision.engine_tier]),
        "urgency_label": Urgency(decision.engine_urgency).label,
        "final_tier_label": str(TIER_LABELS[decision.tier]) if decision.tier else "",
        "final_urgency_label": str(URGENCY_LABELS[Urgency(decision.urgency)]) if decision.urgency else "",
        "crisis": decision.engine_crisis,
        "reasons": result.get("reasons", []),
        "actions": result.get("actions", []),
        "scores": scores,
    }


def latest_decision(*, case: Case) -> TriageDecision | None:
    return (TriageDecision.objects.filter(case=case).exclude(status=DecisionStatus.SUPERSEDED)
            .select_related("run_by", "decided_by").order_by("-run_at", "-pk").first())


def case_placements(*, case: Case) -> list[Placement]:
    return list(Placement.objects.filter(case=case).select_related("group", "invite", "placed_by")
                .order_by("-placed_at", "-pk")[:10])


def live_placement(placements: list[Placement]) -> Placement | None:
    return next((p for p in placements if p.status in (PlacementStatus.INVITED, PlacementStatus.ADDED)), None)


def access_decision(*, actor, id: int, action: str = "view") -> TriageDecision:
    decision = (TriageDecision.objects.for_actor(actor, action).select_related("case__person", "run_by",
                                                                                "decided_by", "case__community")
                .filter(pk=id).first())
    if decision is None:
        raise ObjectNotFound()
    return decision


def access_administration(*, actor, id: int, action: str = "view") -> Administration:
    administration = (Administration.objects.for_actor(actor, action)
                      .select_related("case__person", "given_by", "created_by").filter(pk=id).first())
    if administration is None:
        raise ObjectNotFound()
    return administration


def case_overview(*, actor, case: Case) -> dict[str, Any]:
    """Everything the assessment section of a case page shows."""
    placements = case_placements(case=case)
    decision = latest_decision(case=case)
    return {
        "administrations": case_administrations(case=case),
        "decision": decision_view(decision) if decision else None,
        "placements": placements,
        "live_placement": live_placement(placements),
        "scale_choices": ScaleCode.choices,
        "needs_placement": bool(decision and decision.is_decided and decision.tier in (2, 3)
                                and not (live_placement(placements) and live_placement(placements).tier
                                         == decision.tier)),
    }
