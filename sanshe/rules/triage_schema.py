"""The JSON form of an assessment: its JSON Schema (documented below) and a parser into engine dataclasses.

Shared by `python manage.py triage` (stdin) and `POST /api/v1/triage`. Every part is optional; unknown keys
are errors (a typo such as "phq_9" must not silently drop a scale). Example — a person in home quarantine
with PHQ-9 answers, a C-SSRS screen and a morning check-in:

    {
      "phq9": {"answers": [1, 1, 2, 1, 0, 1, 0, 0, 1]},
      "gad7": {"total": 11},
      "cssrs": {"q1": true, "q2": false, "q6": false},
      "observation": {"temperature_c": 37.6, "spo2": 95, "breathing_rate": 20, "age_years": 67},
      "status": {"under_quarantine": true, "unmet_needs": ["living_supplies"]}
    }

Scales: `answers` lists every item's score in item order (PHQ-9 nine 0–3, GAD-7 seven 0–3, PHQ-4 four 0–3,
ISI seven 0–4); alternatively `total` (PHQ-9 then also needs `item9`), or for PHQ-4 `anxiety` (items 1–2)
and `depression` (items 3–4). A bare array is accepted as `answers`.
C-SSRS screener: `q1`–`q6` true/false and `q6_past_3_months`; when `q2` is false, `q3`–`q5` must be left
out (skip to Q6); `q6_past_3_months` only when `q6` is true.
Medical: `observation` is a check-in (see sanshe.rules.redflags.Observation); `red_flags` lists codes of
flags already raised elsewhere.
Status: `under_quarantine`, `suspected`, `unmet_needs` (codes of the guide's tool 4 needs assessment).
Signals (what other features already know about the person; the case page gathers them): `crises` (open crisis
responses: `domain` suicide/medical, `acknowledged`, `escalations`), `chat_alerts` (chat risk alerts not closed:
`level` 0–10, `imminent`, `acknowledged`, `domain`, `signals` labels), `health_alerts` (unresolved monitoring
alerts: `level` notice/urgent/emergency, `kind` red_flag/lost, `taken`, `times_raised`, `reasons`), and `chat`
(recent messages with risk signals: `messages`, `days`, `max_level`, `at_alert_level`, `signals`).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from django.utils.translation import gettext as _

from sanshe.rules.redflags import (
    BREATHING_RATE_RANGE,
    CHILD_DANGER_SIGNS,
    FLAGS,
    HIGH_RISK_CONDITIONS,
    PREGNANCY_DANGER_SIGNS,
    SPO2_RANGE,
    TEMPERATURE_RANGE_C,
    Breathing,
    Observation,
)

from .needs import NEEDS
from .scales import CSSRS_QUESTIONS, SCALES, CssrsAnswers
from .triage import (
    HEALTH_LEVELS,
    Assessment,
    AssessmentError,
    ChatAlert,
    ChatSignals,
    HealthAlert,
    OpenCrisis,
    PersonStatus,
    ScaleInput,
    Signals,
)


def _answers_schema(count: int, high: int) -> dict[str, Any]:
    return {"type": "array", "minItems": count, "maxItems": count,
            "items": {"type": ["integer", "null"], "minimum": 0, "maximum": high},
            "description": f"{count} item scores in item order, each 0–{high}; null = not answered (an error)"}


def _scale_schema(code: str, extra: dict[str, Any]) -> dict[str, Any]:
    scale = SCALES[code]
    count, high = len(scale.items), max(c.value for c in scale.items[0].choices)
    answers = _answers_schema(count, high)
    return {
        "description": f"{scale.name}: item answers, or scores",
        "oneOf": [
            answers,
            {"type": "object", "additionalProperties": False,
             "properties": {"answers": answers, **extra}},
        ],
    }


_TOTAL = {"type": "integer", "minimum": 0}
_LABELS = {"type": "array", "items": {"type": "string"}}
_DOMAIN = {"enum": ["suicide", "medical"]}
_SIGNALS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "what other features already know: open crises, open chat and health alerts, recent chat signals",
    "properties": {
        "crises": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "properties": {"domain": _DOMAIN, "acknowledged": {"type": "boolean"},
                           "escalations": {"type": "integer", "minimum": 0}}}},
        "chat_alerts": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["level", "imminent"],
            "properties": {"level": {"type": "integer", "minimum": 0, "maximum": 10}, "imminent": {"type": "boolean"},
                           "acknowledged": {"type": "boolean"}, "domain": _DOMAIN, "signals": _LABELS}}},
        "health_alerts": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["level"],
            "properties": {"level": {"enum": list(HEALTH_LEVELS)}, "kind": {"enum": ["red_flag", "lost"]},
                           "taken": {"type": "boolean"}, "times_raised": {"type": "integer", "minimum": 1},
                           "reasons": _LABELS}}},
        "chat": {
            "type": "object", "additionalProperties": False, "required": ["messages", "days", "max_level"],
            "properties": {"messages": {"type": "integer", "minimum": 0}, "days": {"type": "integer", "minimum": 1},
                           "max_level": {"type": "integer", "minimum": 0, "maximum": 10},
                           "at_alert_level": {"type": "boolean"}, "signals": _LABELS}},
    },
}
_CSSRS_PROPERTIES: dict[str, Any] = {
    f"q{q.number}": {"type": ["boolean", "null"], "description": q.field} for q in CSSRS_QUESTIONS
}
_CSSRS_PROPERTIES["q6_past_3_months"] = {"type": ["boolean", "null"], "description": "only when q6 is true"}

ASSESSMENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://sanshe.local/schemas/triage-assessment.json",
    "title": "Sanshe triage assessment",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "phq9": _scale_schema("phq9", {"total": {**_TOTAL, "maximum": 27},
                                       "item9": {**_TOTAL, "maximum": 3, "description": "required with total"}}),
        "gad7": _scale_schema("gad7", {"total": {**_TOTAL, "maximum": 21}}),
        "phq4": _scale_schema("phq4", {"anxiety": {**_TOTAL, "maximum": 6, "description": "items 1–2"},
                                       "depression": {**_TOTAL, "maximum": 6, "description": "items 3–4"}}),
        "isi": _scale_schema("isi", {"total": {**_TOTAL, "maximum": 28}}),
        "cssrs": {
            "type": "object", "additionalProperties": False, "properties": _CSSRS_PROPERTIES,
            "required": ["q1", "q2", "q6"],
            "description": "C-SSRS screener; q3–q5 only when q2 is true",
        },
        "observation": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "temperature_c": {"type": "number", "minimum": TEMPERATURE_RANGE_C[0],
                                  "maximum": TEMPERATURE_RANGE_C[1]},
                "high_fever_days": {"type": "integer", "minimum": 0, "maximum": 60,
                                    "description": "days above 38.5 ℃ despite fever medicine"},
                "breathing_difficulty": {"enum": [b.value for b in Breathing]},
                "spo2": {"type": "number", "minimum": SPO2_RANGE[0], "maximum": SPO2_RANGE[1]},
                "breathing_rate": {"type": "integer", "minimum": BREATHING_RATE_RANGE[0],
                                   "maximum": BREATHING_RATE_RANGE[1]},
                "age_years": {"type": "integer", "minimum": 0, "maximum": 130},
                "age_months": {"type": "integer", "minimum": 0, "maximum": 216,
                               "description": "for young children; wins over age_years"},
                "pregnant": {"type": "boolean"},
                "child_danger_signs": {"type": "array", "uniqueItems": True,
                                       "items": {"enum": list(CHILD_DANGER_SIGNS)}},
                "pregnancy_danger_signs": {"type": "array", "uniqueItems": True,
                                           "items": {"enum": list(PREGNANCY_DANGER_SIGNS)}},
                "high_risk_conditions": {"type": "array", "uniqueItems": True,
                                         "items": {"enum": list(HIGH_RISK_CONDITIONS)}},
                "underlying_disease_uncontrolled": {"type": "boolean"},
                "bmi": {"type": "number", "minimum": 10, "maximum": 80},
            },
        },
        "red_flags": {"type": "array", "uniqueItems": True, "items": {"enum": list(FLAGS)}},
        "status": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "under_quarantine": {"type": "boolean"},
                "suspected": {"type": "boolean"},
                "unmet_needs": {"type": "array", "uniqueItems": True, "items": {"enum": list(NEEDS)}},
            },
        },
        "signals": _SIGNALS_SCHEMA,
    },
}

SECTION_NAMES = {
    "phq9": "PHQ-9", "gad7": "GAD-7", "phq4": "PHQ-4", "isi": "ISI", "cssrs": "C-SSRS",
    "observation": "observation（健康观察）", "red_flags": "red_flags（医学预警）", "status": "status（人员状况）",
    "signals": "signals（危机与预警）",
}


def _unknown_keys(data: dict[str, Any], allowed: Collection[str], where: str, errors: list[str]) -> None:
    for key in data:
        if key not in allowed:
            errors.append(_("%(where)s 中有未知字段“%(key)s”，可用字段：%(allowed)s") % {
                "where": where, "key": key, "allowed": "、".join(allowed)})


def _object(value: Any, where: str, errors: list[str]) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        errors.append(_("%(where)s 应为 JSON 对象") % {"where": where})
        return None
    return value


def _bool(value: Any, where: str, errors: list[str]) -> bool:
    if not isinstance(value, bool):
        errors.append(_("%(where)s 应为 true 或 false，收到“%(got)s”") % {"where": where, "got": _show(value)})
        return False
    return value


def _code_list(value: Any, where: str, errors: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.append(_("%(where)s 应为代码字符串组成的列表") % {"where": where})
        return ()
    return tuple(dict.fromkeys(value))


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _scale(code: str, value: Any, errors: list[str]) -> ScaleInput | None:
    name = SECTION_NAMES[code]
    if isinstance(value, list):
        return ScaleInput(answers=tuple(value))
    data = _object(value, name, errors)
    if data is None:
        return None
    fields = {"phq9": {"answers", "total", "item9"}, "phq4": {"answers", "anxiety", "depression"}}.get(
        code, {"answers", "total"})
    _unknown_keys(data, sorted(fields), name, errors)
    answers = data.get("answers")
    if answers is not None and not isinstance(answers, list):
        errors.append(_("%(scale)s 的 answers 应为逐题得分组成的列表") % {"scale": name})
        return None
    return ScaleInput(
        answers=tuple(answers) if answers is not None else None,
        total=data.get("total"), item9=data.get("item9"),
        anxiety=data.get("anxiety"), depression=data.get("depression"),
    )


def _cssrs(value: Any, errors: list[str]) -> CssrsAnswers | None:
    data = _object(value, "C-SSRS", errors)
    if data is None:
        return None
    _unknown_keys(data, _CSSRS_PROPERTIES, "C-SSRS", errors)
    # Type and skip-logic checks are the scale's own (score_cssrs), so its messages name the question.
    kwargs = {q.field: data.get(f"q{q.number}") for q in CSSRS_QUESTIONS}
    return CssrsAnswers(**kwargs, behaviour_past_3_months=data.get("q6_past_3_months"))


_OBSERVATION_NUMBERS = ("temperature_c", "spo2", "breathing_rate", "age_years", "age_months", "bmi")
_OBSERVATION_CODES = ("child_danger_signs", "pregnancy_danger_signs", "high_risk_conditions")
_OBSERVATION_BOOLS = ("pregnant", "underlying_disease_uncontrolled")


def _observation(value: Any, errors: list[str]) -> Observation | None:
    where = SECTION_NAMES["observation"]
    data = _object(value, where, errors)
    if data is None:
        return None
    _unknown_keys(data, ASSESSMENT_SCHEMA["properties"]["observation"]["properties"], where, errors)
    kwargs: dict[str, Any] = {}
    for key in _OBSERVATION_NUMBERS:
        if data.get(key) is not None:
            kwargs[key] = data[key]  # ranges and types are checked by validate_observation, in Chinese
    if data.get("high_fever_days") is not None:
        kwargs["high_fever_days"] = data["high_fever_days"]
    if data.get("breathing_difficulty") is not None:
        kwargs["breathing_difficulty"] = data["breathing_difficulty"]
    for key in _OBSERVATION_BOOLS:
        if key in data:
            kwargs[key] = _bool(data[key], f"{where}.{key}", errors)
    for key in _OBSERVATION_CODES:
        if key in data:
            kwargs[key] = frozenset(_code_list(data[key], f"{where}.{key}", errors))
    return Observation(**kwargs)


def _status(value: Any, errors: list[str]) -> PersonStatus:
    where = SECTION_NAMES["status"]
    data = _object(value, where, errors)
    if data is None:
        return PersonStatus()
    _unknown_keys(data, ASSESSMENT_SCHEMA["properties"]["status"]["properties"], where, errors)
    return PersonStatus(
        under_quarantine=_bool(data.get("under_quarantine", False), f"{where}.under_quarantine", errors),
        suspected=_bool(data.get("suspected", False), f"{where}.suspected", errors),
        unmet_needs=_code_list(data.get("unmet_needs", []), f"{where}.unmet_needs", errors),
    )


def _labels(value: Any, where: str, errors: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.append(_("%(where)s 应为文字组成的列表") % {"where": where})
        return ()
    return tuple(value)


def _items(data: dict[str, Any], key: str, errors: list[str]) -> list[dict[str, Any]]:
    where = f"{SECTION_NAMES['signals']}.{key}"
    value = data.get(key, [])
    if not isinstance(value, list):
        errors.append(_("%(where)s 应为列表") % {"where": where})
        return []
    items = []
    for item in value:
        obj = _object(item, where, errors)
        if obj is not None:
            _unknown_keys(obj, _SIGNALS_SCHEMA["properties"][key]["items"]["properties"], where, errors)
            items.append(obj)
    return items


def _int(value: Any, where: str, errors: list[str], default: int = 0) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(_("%(where)s 应为整数，收到“%(got)s”") % {"where": where, "got": _show(value)})
        return default
    return value


def _signals(value: Any, errors: list[str]) -> Signals:
    where = SECTION_NAMES["signals"]
    data = _object(value, where, errors)
    if data is None:
        return Signals()
    _unknown_keys(data, _SIGNALS_SCHEMA["properties"], where, errors)
    crises = tuple(OpenCrisis(domain=c.get("domain", "suicide"),
                              acknowledged=_bool(c.get("acknowledged", False), f"{where}.crises", errors),
                              escalations=_int(c.get("escalations"), f"{where}.crises", errors))
                   for c in _items(data, "crises", errors))
    chat_alerts = tuple(ChatAlert(level=_int(a.get("level"), f"{where}.chat_alerts.level", errors),
                                  imminent=_bool(a.get("imminent", False), f"{where}.chat_alerts", errors),
                                  acknowledged=_bool(a.get("acknowledged", False), f"{where}.chat_alerts", errors),
                                  domain=a.get("domain", "suicide"),
                                  signals=_labels(a.get("signals", []), f"{where}.chat_alerts", errors))
                        for a in _items(data, "chat_alerts", errors))
    health_alerts = tuple(HealthAlert(level=h.get("level", ""), kind=h.get("kind", "red_flag"),
                                      taken=_bool(h.get("taken", False), f"{where}.health_alerts", errors),
                                      times_raised=_int(h.get("times_raised"), f"{where}.health_alerts", errors, 1),
                                      reasons=_labels(h.get("reasons", []), f"{where}.health_alerts", errors))
                          for h in _items(data, "health_alerts", errors))
    chat = None
    if data.get("chat") is not None:
        c = _object(data["chat"], f"{where}.chat", errors)
        if c is not None:
            _unknown_keys(c, _SIGNALS_SCHEMA["properties"]["chat"]["properties"], f"{where}.chat", errors)
            chat = ChatSignals(messages=_int(c.get("messages"), f"{where}.chat.messages", errors),
                               days=_int(c.get("days"), f"{where}.chat.days", errors, 7),
                               max_level=_int(c.get("max_level"), f"{where}.chat.max_level", errors),
                               at_alert_level=_bool(c.get("at_alert_level", False), f"{where}.chat", errors),
                               signals=_labels(c.get("signals", []), f"{where}.chat", errors))
    return Signals(crises=crises, chat_alerts=chat_alerts, health_alerts=health_alerts, chat=chat)


def assessment_from_json(data: Any) -> Assessment:
    """Build an Assessment from decoded JSON; AssessmentError listing every structural problem (Chinese).

    Values inside the parts (answers, ranges, skip logic) are checked when the engine scores them.
    """
    errors = []
    if not isinstance(data, dict):
        raise AssessmentError([_("评估数据应为 JSON 对象，例如 {\"phq9\": {\"answers\": [0, 1, 0, 0, 0, 0, 0, 0, 0]}}")])
    _unknown_keys(data, ASSESSMENT_SCHEMA["properties"], _("评估数据"), errors)
    kwargs: dict[str, Any] = {}
    for code in SCALES:
        if data.get(code) is not None:
            kwargs[code] = _scale(code, data[code], errors)
    if data.get("cssrs") is not None:
        kwargs["cssrs"] = _cssrs(data["cssrs"], errors)
    if data.get("observation") is not None:
        kwargs["observation"] = _observation(data["observation"], errors)
    if data.get("red_flags") is not None:
        kwargs["red_flags"] = _code_list(data["red_flags"], SECTION_NAMES["red_flags"], errors)
    if data.get("status") is not None:
        kwargs["status"] = _status(data["status"], errors)
    if data.get("signals") is not None:
        kwargs["signals"] = _signals(data["signals"], errors)
    if errors:
        raise AssessmentError(errors)
    return Assessment(**kwargs)


def assessment_from_text(raw: str | bytes) -> Assessment:
    """Decode JSON text (UTF-8) and build an Assessment; AssessmentError with a Chinese reason otherwise."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise AssessmentError([_("评估数据不是 UTF-8 编码的文本")]) from None
    if not raw.strip():
        raise AssessmentError([_("没有收到评估数据（内容为空）")])
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise AssessmentError([_("评估数据不是有效的 JSON：第%(line)s行第%(col)s列附近有误") % {
            "line": exc.lineno, "col": exc.colno}]) from None
    return assessment_from_json(data)
