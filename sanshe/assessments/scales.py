"""The scales as pages see them: questions, parsing a posted form into answers, and scoring through the
pure modules (sanshe.rules.scales, sanshe.rules.redflags). Nothing here is scored twice: totals,
bands, C-SSRS risk and red flags come from those modules only.

Stored answers use the triage input schema's shape for each part (sanshe.rules.triage_schema), so the latest
administrations of a case join into one assessment for the engine without translation:
PHQ-9/GAD-7/PHQ-4/ISI → {"answers": [...]}, C-SSRS → {"q1": true, ...}, medical → an observation object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanshe.rules.redflags import (
    BREATHING_LABELS,
    CHILD_DANGER_SIGNS,
    HIGH_RISK_CONDITIONS,
    PREGNANCY_DANGER_SIGNS,
    Breathing,
    Observation,
    ObservationError,
    overall_level,
    red_flags,
)
from sanshe.rules.scales import (
    CSSRS_BEHAVIOUR_RECENT,
    CSSRS_INSTRUCTION,
    CSSRS_QUESTIONS,
    CSSRS_SKIPPED_IF_NO_THOUGHTS,
    CSSRS_TITLE,
    SCALES,
    CssrsAnswers,
    ScaleError,
    score_cssrs,
    score_gad7,
    score_isi,
    score_phq4,
    score_phq9,
)

from .models import ScaleCode

LIKERT = ("phq9", "gad7", "phq4", "isi")
SCORERS = {"phq9": score_phq9, "gad7": score_gad7, "phq4": score_phq4, "isi": score_isi}
MEDICAL_TITLE = gettext_lazy("医学预警清单")
MEDICAL_INSTRUCTION = gettext_lazy("请按实际情况填写；不知道的测量值可以不填。")
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Question:
    """One question on the page: a name for the form field, its text, and its choices (value, label)."""

    name: str
    text: Any
    choices: tuple[tuple[str, Any], ...] = ()
    kind: str = "radio"  # radio | number | checks
    number: int | None = None
    skip_group: str = ""  # "thoughts": C-SSRS Q3–Q5, shown only when Q2 is yes; "behaviour": Q6 follow-up
    unit: str = ""


def scale_title(code: str) -> str:
    if code in SCALES:
        return str(SCALES[code].title)
    return str(CSSRS_TITLE if code == ScaleCode.CSSRS else MEDICAL_TITLE)


def scale_instruction(code: str) -> str:
    if code in SCALES:
        return str(SCALES[code].instruction)
    return str(CSSRS_INSTRUCTION if code == ScaleCode.CSSRS else MEDICAL_INSTRUCTION)


YES_NO = ((YES, gettext_lazy("是")), (NO, gettext_lazy("否")))


def questions(code: str) -> list[Question]:
    """The questions of a scale, in order, as the page shows them."""
    if code in SCALES:
        return [Question(f"item{item.number}", item.text, tuple((str(c.value), c.label) for c in item.choices),
                         number=item.number) for item in SCALES[code].items]
    if code == ScaleCode.CSSRS:
        result = []
        for q in CSSRS_QUESTIONS:
            group = "thoughts" if q.number in CSSRS_SKIPPED_IF_NO_THOUGHTS else ""
            result.append(Question(f"q{q.number}", q.text, YES_NO, number=q.number, skip_group=group))
        result.append(Question("q6_past_3_months", CSSRS_BEHAVIOUR_RECENT, YES_NO, skip_group="behaviour"))
        return result
    if code == ScaleCode.MEDICAL:
        return [
            Question("breathing_difficulty", gettext_lazy("有没有呼吸困难或气促？"),
                     tuple((b.value, BREATHING_LABELS[b]) for b in Breathing)),
            Question("temperature_c", gettext_lazy("体温（℃）"), kind="number", unit="℃"),
            Question("high_fever_days", gettext_lazy("吃了退烧药后体温仍高于38.5℃有几天？（没有填0）"), kind="number",
                     unit=gettext_lazy("天")),
            Question("spo2", gettext_lazy("血氧饱和度（%，有血氧仪时填）"), kind="number", unit="%"),
            Question("breathing_rate", gettext_lazy("安静时每分钟呼吸次数（会数时填）"), kind="number",
                     unit=gettext_lazy("次/分")),
            Question("age_years", gettext_lazy("年龄（岁）"), kind="number", unit=gettext_lazy("岁")),
            Question("underlying_disease_uncontrolled", gettext_lazy("原有的基础疾病是否明显加重、控制不住？"), YES_NO),
            Question("pregnant", gettext_lazy("是否怀孕？"), YES_NO),
            Question("high_risk_conditions", gettext_lazy("有以下哪些情况？（可多选）"),
                     tuple(HIGH_RISK_CONDITIONS.items()), kind="checks"),
            Question("pregnancy_danger_signs", gettext_lazy("孕妇：有以下哪些不适？（可多选）"),
                     tuple(PREGNANCY_DANGER_SIGNS.items()), kind="checks"),
            Question("child_danger_signs", gettext_lazy("儿童：有以下哪些情况？（可多选）"),
                     tuple(CHILD_DANGER_SIGNS.items()), kind="checks"),
        ]
    raise ValidationError(_("没有这个量表"))


# --- parsing a posted form ------------------------------------------------------------------------------------

def _likert_answers(code: str, data: Mapping[str, Any]) -> list[int | str | None]:
    values: list[int | str | None] = []
    for item in SCALES[code].items:
        raw = (data.get(f"item{item.number}") or "").strip()
        values.append(int(raw) if raw.lstrip("-").isdigit() else (raw or None))
    return values


def _yes_no(raw: Any) -> bool | str | None:
    raw = (raw or "").strip() if isinstance(raw, str) else raw
    if raw in ("", None):
        return None
    if raw == YES:
        return True
    if raw == NO:
        return False
    return raw  # the scale says which answers are allowed, naming the question


def _number(raw: str, field: str) -> float | int | None:
    raw = (raw or "").strip().replace("，", ".").replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ScaleError(_("“%(label)s”应填写数字，收到“%(got)s”") % {
            "label": _medical_label(field), "got": raw}, scale="medical") from None
    return int(value) if value.is_integer() else value


def _medical_label(field: str) -> str:
    return next((str(q.text) for q in questions(ScaleCode.MEDICAL) if q.name == field), field)


def answers_from_form(code: str, data: Any) -> Any:
    """The answers a posted form holds, in the stored (schema) shape; unanswered items stay None.

    `data` is a QueryDict or a plain dict (lists for multiple choices). Raises ScaleError for a value that
    is not even of the right kind (a letter where a number goes).
    """
    if code in SCALES:
        return {"answers": _likert_answers(code, data)}
    if code == ScaleCode.CSSRS:
        answers = {f"q{q.number}": _yes_no(data.get(f"q{q.number}")) for q in CSSRS_QUESTIONS}
        answers["q6_past_3_months"] = _yes_no(data.get("q6_past_3_months"))
        return {key: value for key, value in answers.items() if value is not None}
    if code == ScaleCode.MEDICAL:
        observation: dict[str, Any] = {}
        for field in ("temperature_c", "high_fever_days", "spo2", "breathing_rate", "age_years"):
            value = _number(data.get(field, ""), field)
            if value is not None:
                observation[field] = value
        breathing = (data.get("breathing_difficulty") or "").strip()
        if breathing:
            observation["breathing_difficulty"] = breathing
        for field in ("underlying_disease_uncontrolled", "pregnant"):
            value = _yes_no(data.get(field))
            if value is not None:
                observation[field] = value
        for field in ("high_risk_conditions", "pregnancy_danger_signs", "child_danger_signs"):
            values = data.getlist(field) if hasattr(data, "getlist") else data.get(field, [])
            if values:
                observation[field] = sorted(set(values))
        return observation
    raise ScaleError(_("没有这个量表"), scale=code)


# --- scoring --------------------------------------------------------------------------------------------------

def _cssrs_answers(answers: Mapping[str, Any]) -> CssrsAnswers:
    kwargs = {q.field: answers.get(f"q{q.number}") for q in CSSRS_QUESTIONS}
    return CssrsAnswers(**kwargs, behaviour_past_3_months=answers.get("q6_past_3_months"))


def _observation(answers: Mapping[str, Any]) -> Observation:
    kwargs = dict(answers)
    for key in ("high_risk_conditions", "pregnancy_danger_signs", "child_danger_signs"):
        if key in kwargs:
            kwargs[key] = frozenset(kwargs[key])
    if kwargs.get("breathing_difficulty") not in (None, *[b.value for b in Breathing]):
        raise ScaleError(_("请选择有没有呼吸困难或气促"), scale="medical")
    unknown = set(kwargs) - set(Observation.__dataclass_fields__)
    if unknown:
        raise ScaleError(_("医学预警清单中有未知项目：%(keys)s") % {"keys": "、".join(sorted(unknown))}, scale="medical")
    return Observation(**kwargs)


def score(code: str, answers: Any) -> dict[str, Any]:
    """Score complete answers; ValidationError with the scale's Chinese message for missing or bad ones."""
    try:
        if code in SCALES:
            result = SCORERS[code](answers.get("answers") if isinstance(answers, Mapping) else answers).as_dict()
            result["max_total"] = SCALES[code].max_total
            return result
        if code == ScaleCode.CSSRS:
            return score_cssrs(_cssrs_answers(answers)).as_dict()
        if code == ScaleCode.MEDICAL:
            if not answers.get("breathing_difficulty"):
                raise ScaleError(_("请回答“有没有呼吸困难或气促？”"), scale="medical")
            flags = red_flags(_observation(answers))
            level = overall_level(flags)
            return {"level": level.code if level else None, "level_label": level.label if level else _("未发现预警"),
                    "flags": [flag.as_dict() for flag in flags]}
    except (ScaleError, ObservationError) as exc:
        raise ValidationError(str(exc)) from None
    raise ValidationError(_("没有这个量表"))


def engine_part(code: str, answers: Any) -> dict[str, Any]:
    """This administration's part of the triage engine's assessment JSON."""
    if code == ScaleCode.MEDICAL:
        return {"observation": answers}
    return {code: answers}


def live(code: str, data: Any) -> dict[str, Any]:
    """What the staff page shows while answers come in: answered count, running total, band when complete.

    Scoring is the pure modules' (never a second copy in the browser); an incomplete form is not an error.
    """
    try:
        answers = answers_from_form(code, data)
    except ScaleError as exc:
        return {"error": str(exc)}
    if code in SCALES:
        values = answers["answers"]
        answered = [v for v in values if isinstance(v, int)]
        view: dict[str, Any] = {"answered": len(answered), "count": len(values),
                                "subtotal": sum(answered), "max_total": SCALES[code].max_total}
        if len(answered) == len(values):
            try:
                view["result"] = score(code, answers)
            except ValidationError as exc:
                view["error"] = " ".join(exc.messages)
        if code == "phq9" and isinstance(values[8], int) and values[8] >= 1:
            view["item9_warning"] = True
        return view
    if code == ScaleCode.CSSRS:
        view = {"skip_thoughts": answers.get("q2") is False, "ask_recent": answers.get("q6") is True}
        try:
            view["result"] = score(code, answers)
        except ValidationError:
            pass  # not complete yet (or a skipped question still ticked: the page hides it)
        return view
    if code == ScaleCode.MEDICAL:
        try:
            return {"result": score(code, {"breathing_difficulty": "none", **answers})}
        except ValidationError as exc:
            return {"error": " ".join(exc.messages)}
    return {}
