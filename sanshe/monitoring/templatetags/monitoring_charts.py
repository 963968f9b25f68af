"""Server-drawn charts (SVG): no chart library, no script, works in WeChat's browser and on paper."""

from __future__ import annotations

from django import template

register = template.Library()

CHART_TOP = 8
CHART_BOTTOM = 152  # baseline; day labels below


@register.simple_tag
def trend_bars(trend: list[dict], peak: int) -> list[dict]:
    """Stacked bars per day: well, with symptoms, missed or unreachable, still pending (bottom to top)."""
    scale = (CHART_BOTTOM - CHART_TOP) / max(peak, 1)
    bars = []
    for index, row in enumerate(trend):
        x = 6 + index * 24.4
        missed = row["missed"] + row["unreachable"]
        y = CHART_BOTTOM
        bar = {"day": row["day"], "row": row, "missed": missed, "x": round(x, 1), "cx": round(x + 9, 1)}
        for name, value in (("well", row["seen_well"]), ("symptoms", row["seen_symptoms"]), ("missed", missed),
                            ("pending", row["pending"])):
            height = value * scale
            y -= height
            bar[f"h_{name}"] = round(height, 1)
            bar[f"y_{name}"] = round(y, 1)
        bars.append(bar)
    return bars
