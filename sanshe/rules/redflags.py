"""Medical red flags of a health check-in, as pure functions over plain data.

Shared by daily check-ins (monitoring) and the triage engine. No database, no models: an observation goes
in, a list of flags comes out, each with its level, a Chinese reason, a Chinese suggested action and the
guideline it comes from. Levels: notice (keep watching), urgent (a medic should assess and arrange a
hospital visit soon), emergency (call 120 now).

Sources:
- 国务院联防联控机制《新冠病毒感染者居家治疗指南》(2022): transfer to hospital on difficulty breathing or
  shortness of breath; temperature still above 38.5 ℃ for more than 3 days despite medication; an
  underlying disease that clearly worsens and cannot be controlled; children with lethargy, persistent
  refusal of food or feeding difficulty, persistent diarrhoea or vomiting; pregnant women with headache,
  dizziness, palpitations, chest tightness, or abdominal pain, vaginal bleeding or fluid, abnormal fetal
  movement.
- 国家卫生健康委《新型冠状病毒肺炎诊疗方案（试行第九版）》(2022): severe adult case when breathing rate
  ≥ 30/min or resting SpO2 ≤ 93 % on room air; children's fast breathing by age (>5 years ≥ 30/min); the
  high-risk groups for severe illness (over 60, cardiovascular disease incl. hypertension, chronic lung
  disease, diabetes, chronic liver or kidney disease, cancer, immunodeficiency, BMI ≥ 30, late pregnancy
  and the perinatal period, heavy smoking).
- WHO, Clinical management of COVID-19 (living guideline): SpO2 < 90 % and severe respiratory
  distress are emergency signs.
- WHO, Integrated Management of Childhood Illness (IMCI): fast breathing in children < 2 months ≥ 60,
  2–12 months ≥ 50, 1–5 years ≥ 40 breaths/min.
- Fever itself (≥ 37.3 ℃ by default) is the screening threshold of the deployment's epidemic profile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_FEVER_THRESHOLD_C = 37.3
HIGH_FEVER_C = 38.5
HIGH_FEVER_MAX_DAYS = 3  # more than this many days above 38.5 ℃ despite medication is a red flag
HIGH_RISK_AGE_YEARS = 60
HIGH_RISK_BMI = 30.0
SPO2_URGENT_AT_OR_BELOW = 93
SPO2_EMERGENCY_BELOW = 90
ADULT_FAST_BREATHING = 30
# (age in months below which the threshold applies, breaths per minute at or above which breathing is fast)
CHILD_FAST_BREATHING: tuple[tuple[int, int], ...] = ((2, 60), (12, 50), (60, 40))

# Ranges a real measurement can take; anything outside is a typing or device error, never a reading.
TEMPERATURE_RANGE_C = (34.0, 43.0)
SPO2_RANGE = (50, 100)
BREATHING_RATE_RANGE = (5, 80)
FEVER_THRESHOLD_RANGE_C = (36.5, 39.0)
AGE_YEARS_RANGE = (0, 130)
AGE_MONTHS_RANGE = (0, 216)
HIGH_FEVER_DAYS_RANGE = (0, 60)
BMI_RANGE = (10.0, 80.0)


class Level(IntEnum):
    """How soon someone must act; ordered so that max() is the most severe."""

    NOTICE = 1
    URGENT = 2
    EMERGENCY = 3

    @property
    def code(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])

    @classmethod
    def from_code(cls, code: str) -> Level:
        return cls[code.upper()]


LEVEL_LABELS = {
    Level.NOTICE: gettext_lazy("关注"),
    Level.URGENT: gettext_lazy("紧急"),
    Level.EMERGENCY: gettext_lazy("危急"),
}


class Source(StrEnum):
    """The guideline a rule comes from."""

    HOME_TREATMENT_2022 = "cn_home_treatment_2022"
    DIAGNOSIS_9TH = "cn_diagnosis_9th"
    WHO = "who"
    WHO_IMCI = "who_imci"
    EPIDEMIC_PROFILE = "epidemic_profile"

    @property
    def label(self) -> str:
        return str(SOURCE_LABELS[self])


SOURCE_LABELS = {
    Source.HOME_TREATMENT_2022: gettext_lazy("国务院联防联控机制《新冠病毒感染者居家治疗指南》（2022）"),
    Source.DIAGNOSIS_9TH: gettext_lazy("国家卫生健康委《新型冠状病毒肺炎诊疗方案（试行第九版）》（2022）"),
    Source.WHO: gettext_lazy("世界卫生组织（WHO）《COVID-19临床管理》指南"),
    Source.WHO_IMCI: gettext_lazy("世界卫生组织（WHO）儿童疾病综合管理（IMCI）儿童气促标准"),
    Source.EPIDEMIC_PROFILE: gettext_lazy("本部署疫情配置的发热标准（默认37.3℃）"),
}


class Breathing(StrEnum):
    """Difficulty breathing as the person or the caller describes it."""

    NONE = "none"
    MILD = "mild"
    SEVERE = "severe"


BREATHING_LABELS = {
    Breathing.NONE: gettext_lazy("无"),
    Breathing.MILD: gettext_lazy("轻度（活动后气促、胸闷）"),
    Breathing.SEVERE: gettext_lazy("严重（静息时也喘不过气、说话困难）"),
}

CHILD_DANGER_SIGNS = {
    "lethargy": gettext_lazy("嗜睡、精神差"),
    "refusing_food": gettext_lazy("持续拒食或喂养困难"),
    "persistent_vomiting_diarrhoea": gettext_lazy("持续腹泻或呕吐"),
}

PREGNANCY_DANGER_SIGNS = {
    "headache": gettext_lazy("头痛"),
    "dizziness": gettext_lazy("头晕"),
    "palpitations": gettext_lazy("心慌"),
    "chest_tightness": gettext_lazy("憋气、胸闷"),
    "abdominal_pain": gettext_lazy("腹痛"),
    "bleeding": gettext_lazy("阴道出血或流液"),
    "abnormal_fetal_movement": gettext_lazy("胎动异常"),
}

# High-risk groups for severe illness (diagnosis guide, 9th ed.). "over_60" and "obesity" are also derived
# from age and BMI when those are given.
HIGH_RISK_CONDITIONS = {
    "over_60": gettext_lazy("60岁及以上"),
    "cardiovascular": gettext_lazy("心脑血管疾病（含高血压）"),
    "chronic_lung": gettext_lazy("慢性肺部疾病"),
    "diabetes": gettext_lazy("糖尿病"),
    "chronic_liver_kidney": gettext_lazy("慢性肝脏、肾脏疾病"),
    "cancer": gettext_lazy("肿瘤"),
    "immunodeficiency": gettext_lazy("免疫功能缺陷"),
    "obesity": gettext_lazy("肥胖（体质指数≥30）"),
    "late_pregnancy": gettext_lazy("晚孕期或围生期"),
    "heavy_smoking": gettext_lazy("重度吸烟"),
}


@dataclass(frozen=True)
class FlagDefinition:
    """What a flag code means, independent of one observation."""

    code: str
    level: Level
    title: object  # lazy Chinese title
    action: object  # lazy Chinese suggested action
    source: Source


FLAGS: dict[str, FlagDefinition] = {
    definition.code: definition
    for definition in (
        FlagDefinition(
            "fever", Level.NOTICE, gettext_lazy("发热"),
            gettext_lazy("复测体温，继续早晚测量体温并观察症状；体温持续升高或出现其他不适时联系医务志愿者。"),
            Source.EPIDEMIC_PROFILE,
        ),
        FlagDefinition(
            "fever_high_risk", Level.URGENT, gettext_lazy("高风险人群发热"),
            gettext_lazy("属于重症高风险人群，请当班医务志愿者尽快评估，必要时及时就医。"),
            Source.DIAGNOSIS_9TH,
        ),
        FlagDefinition(
            "persistent_high_fever", Level.URGENT, gettext_lazy("服药后仍高热超过3天"),
            gettext_lazy("经药物治疗体温仍持续高于38.5℃超过3天，应尽快转至医院就诊。"),
            Source.HOME_TREATMENT_2022,
        ),
        FlagDefinition(
            "breathing_difficulty", Level.URGENT, gettext_lazy("呼吸困难或气促"),
            gettext_lazy("出现呼吸困难或气促，应尽快转至医院就诊（可自驾车或拨打120）。"),
            Source.HOME_TREATMENT_2022,
        ),
        FlagDefinition(
            "breathing_difficulty_severe", Level.EMERGENCY, gettext_lazy("严重呼吸困难"),
            gettext_lazy("立即拨打120急救电话，同时通知社区协助转运；等待期间保持坐位或半卧位，有人陪伴。"),
            Source.WHO,
        ),
        FlagDefinition(
            "spo2_low", Level.URGENT, gettext_lazy("血氧饱和度≤93%"),
            gettext_lazy("静息状态下复测血氧；仍≤93%时应尽快转至医院就诊。"),
            Source.DIAGNOSIS_9TH,
        ),
        FlagDefinition(
            "spo2_very_low", Level.EMERGENCY, gettext_lazy("血氧饱和度低于90%"),
            gettext_lazy("立即拨打120急救电话，同时通知社区协助转运就医。"),
            Source.WHO,
        ),
        FlagDefinition(
            "fast_breathing", Level.URGENT, gettext_lazy("呼吸频率过快"),
            gettext_lazy("安静状态下复测呼吸频率（儿童需排除发热和哭闹的影响）；仍达到标准时应尽快就医。"),
            Source.DIAGNOSIS_9TH,
        ),
        FlagDefinition(
            "underlying_disease_uncontrolled", Level.URGENT, gettext_lazy("基础疾病加重且不能控制"),
            gettext_lazy("原有基础疾病明显加重且不能控制，应尽快转至医院就诊。"),
            Source.HOME_TREATMENT_2022,
        ),
        FlagDefinition(
            "child_danger_signs", Level.URGENT, gettext_lazy("儿童危险征象"),
            gettext_lazy("儿童出现危险征象，应尽快带至医院儿科就诊。"),
            Source.HOME_TREATMENT_2022,
        ),
        FlagDefinition(
            "pregnancy_danger_signs", Level.URGENT, gettext_lazy("孕妇危险征象"),
            gettext_lazy("孕妇出现危险征象，应尽快至医院产科就诊。"),
            Source.HOME_TREATMENT_2022,
        ),
    )
}


class ObservationError(ValueError):
    """An impossible or unknown value in an observation; the message is the user-facing Chinese reason."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Observation:
    """One check-in or staff observation of a person's health; every measurement is optional."""

    temperature_c: float | None = None
    # Days the temperature has stayed above 38.5 ℃ despite fever medicine.
    high_fever_days: int = 0
    breathing_difficulty: Breathing = Breathing.NONE
    spo2: float | None = None
    breathing_rate: int | None = None  # breaths per minute, at rest
    age_years: int | None = None
    age_months: int | None = None  # for young children; takes precedence over age_years
    pregnant: bool = False
    child_danger_signs: frozenset[str] = field(default_factory=frozenset)
    pregnancy_danger_signs: frozenset[str] = field(default_factory=frozenset)
    high_risk_conditions: frozenset[str] = field(default_factory=frozenset)
    underlying_disease_uncontrolled: bool = False
    bmi: float | None = None


@dataclass(frozen=True)
class RedFlag:
    """A raised flag: what, how severe, why (Chinese), what to do (Chinese), and the guideline behind it."""

    code: str
    level: Level
    reason: str
    action: str
    source: Source

    def as_dict(self) -> dict[str, str]:
        """Plain JSON-ready form."""
        return {
            "code": self.code,
            "level": self.level.code,
            "level_label": self.level.label,
            "reason": self.reason,
            "action": self.action,
            "source": self.source.value,
            "source_label": self.source.label,
        }


def flag_from_code(code: str, *, reason: str | None = None) -> RedFlag:
    """A flag raised elsewhere (e.g. a stored alert), rebuilt from its code; KeyError for an unknown code."""
    definition = FLAGS[code]
    return RedFlag(
        code=code,
        level=definition.level,
        reason=reason or str(definition.title),
        action=str(definition.action),
        source=definition.source,
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


FIELD_LABELS = {
    "temperature_c": gettext_lazy("体温"),
    "high_fever_days": gettext_lazy("服药后仍高于38.5℃的天数"),
    "spo2": gettext_lazy("血氧饱和度"),
    "breathing_rate": gettext_lazy("呼吸频率"),
    "age_years": gettext_lazy("年龄"),
    "age_months": gettext_lazy("月龄"),
    "bmi": gettext_lazy("体质指数（BMI）"),
    "fever_threshold_c": gettext_lazy("发热标准"),
}


def _check_range(value: object, bounds: tuple[float, float], *, field: str, message: str,
                 integer: bool = False) -> None:
    low, high = bounds
    if not _is_number(value):
        raise ObservationError(_("%(label)s应填写数字，收到“%(value)s”") % {
            "label": FIELD_LABELS[field], "value": value}, field=field)
    ok = low <= value <= high  # type: ignore[operator]
    if ok and integer:
        ok = float(value).is_integer()  # type: ignore[arg-type]
    if not ok:
        raise ObservationError(message % {"low": f"{low:g}", "high": f"{high:g}", "value": value}, field=field)


def _check_codes(codes: Iterable[str], known: dict[str, object], *, field: str, what: str) -> None:
    for code in codes:
        if code not in known:
            allowed = "、".join(f"{key}（{label}）" for key, label in known.items())
            raise ObservationError(
                _("未知的%(what)s代码“%(code)s”，可选：%(allowed)s") % {"what": what, "code": code, "allowed": allowed},
                field=field,
            )


def validate_observation(observation: Observation) -> None:
    """Raise ObservationError (Chinese message naming the field) for an impossible or unknown value."""
    obs = observation
    if obs.temperature_c is not None:
        _check_range(obs.temperature_c, TEMPERATURE_RANGE_C, field="temperature_c",
                     message=_("体温应在%(low)s–%(high)s℃之间，收到“%(value)s”，请复测后重新填写"))
    _check_range(obs.high_fever_days, HIGH_FEVER_DAYS_RANGE, field="high_fever_days", integer=True,
                 message=_("服药后仍高于38.5℃的天数应为%(low)s–%(high)s之间的整数，收到“%(value)s”"))
    if not isinstance(obs.breathing_difficulty, Breathing):
        try:
            Breathing(obs.breathing_difficulty)
        except ValueError:
            raise ObservationError(
                _("呼吸困难程度应为 none（无）、mild（轻度）或 severe（严重），收到“%(value)s”")
                % {"value": obs.breathing_difficulty},
                field="breathing_difficulty",
            ) from None
    if obs.spo2 is not None:
        _check_range(obs.spo2, SPO2_RANGE, field="spo2",
                     message=_("血氧饱和度应在%(low)s%%–%(high)s%%之间，收到“%(value)s”，请复测后重新填写"))
    if obs.breathing_rate is not None:
        _check_range(obs.breathing_rate, BREATHING_RATE_RANGE, field="breathing_rate", integer=True,
                     message=_("呼吸频率应为每分钟%(low)s–%(high)s次之间的整数，收到“%(value)s”，请数满1分钟后重新填写"))
    if obs.age_years is not None:
        _check_range(obs.age_years, AGE_YEARS_RANGE, field="age_years", integer=True,
                     message=_("年龄应为%(low)s–%(high)s岁之间的整数，收到“%(value)s”"))
    if obs.age_months is not None:
        _check_range(obs.age_months, AGE_MONTHS_RANGE, field="age_months", integer=True,
                     message=_("月龄应为%(low)s–%(high)s个月之间的整数，收到“%(value)s”"))
        if obs.age_years is not None and int(obs.age_months) // 12 != int(obs.age_years):
            raise ObservationError(
                _("年龄%(years)s岁与月龄%(months)s个月不一致，请核对") % {
                    "years": obs.age_years, "months": obs.age_months},
                field="age_months",
            )
    if obs.bmi is not None:
        _check_range(obs.bmi, BMI_RANGE, field="bmi",
                     message=_("体质指数（BMI）应在%(low)s–%(high)s之间，收到“%(value)s”"))
    _check_codes(obs.child_danger_signs, CHILD_DANGER_SIGNS, field="child_danger_signs", what=_("儿童危险征象"))
    _check_codes(obs.pregnancy_danger_signs, PREGNANCY_DANGER_SIGNS, field="pregnancy_danger_signs",
                 what=_("孕妇危险征象"))
    _check_codes(obs.high_risk_conditions, HIGH_RISK_CONDITIONS, field="high_risk_conditions",
                 what=_("高风险因素"))


def validate_fever_threshold(threshold_c: float) -> None:
    """The epidemic profile's fever threshold must be a plausible body temperature."""
    _check_range(threshold_c, FEVER_THRESHOLD_RANGE_C, field="fever_threshold_c",
                 message=_("发热标准应在%(low)s–%(high)s℃之间，收到“%(value)s”"))


def age_in_months(observation: Observation) -> int | None:
    """Age in whole months when known (months win over years)."""
    if observation.age_months is not None:
        return int(observation.age_months)
    if observation.age_years is not None:
        return int(observation.age_years) * 12
    return None


def fast_breathing_threshold(observation: Observation) -> tuple[int, Source]:
    """Breaths per minute at or above which breathing is fast for this person's age, and the source.

    With the age unknown the adult threshold (the lowest) applies, so nobody is missed. A child given only
    as "0 years" gets the 2–12 months threshold, the lower of the two infant thresholds, for the same reason.
    """
    months = age_in_months(observation)
    if months is None:
        return ADULT_FAST_BREATHING, Source.DIAGNOSIS_9TH
    if observation.age_months is None and observation.age_years == 0:
        return CHILD_FAST_BREATHING[1][1], Source.WHO_IMCI
    for below_months, threshold in CHILD_FAST_BREATHING:
        if months < below_months:
            return threshold, Source.WHO_IMCI
    return ADULT_FAST_BREATHING, Source.DIAGNOSIS_9TH


def high_risk_reasons(observation: Observation) -> list[str]:
    """The high-risk conditions that apply, as Chinese labels (age and BMI included when given)."""
    codes = set(observation.high_risk_conditions)
    if observation.age_years is not None and observation.age_years >= HIGH_RISK_AGE_YEARS:
        codes.add("over_60")
    if observation.bmi is not None and observation.bmi >= HIGH_RISK_BMI:
        codes.add("obesity")
    return [str(label) for code, label in HIGH_RISK_CONDITIONS.items() if code in codes]


def _flag(code: str, reason: str, *, source: Source | None = None) -> RedFlag:
    definition = FLAGS[code]
    return RedFlag(code=code, level=definition.level, reason=reason, action=str(definition.action),
                   source=source or definition.source)


def _number(value: float) -> str:
    return f"{value:g}"


def red_flags(observation: Observation, *, fever_threshold_c: float = DEFAULT_FEVER_THRESHOLD_C) -> list[RedFlag]:
    """Every red flag the observation raises, most severe first; ObservationError for a bad value."""
    validate_observation(observation)
    validate_fever_threshold(fever_threshold_c)
    obs = observation
    flags: list[RedFlag] = []

    # A thermometer reads to 0.1 ℃; the epsilon keeps 37.3 ≥ 37.3 true whatever the float arithmetic.
    has_fever = obs.temperature_c is not None and obs.temperature_c >= fever_threshold_c - 1e-9
    if has_fever:
        risks = high_risk_reasons(obs)
        if risks:
            flags.append(_flag("fever_high_risk", _("体温%(t)s℃（≥%(threshold)s℃），且属于重症高风险人群：%(risks)s") % {
                "t": _number(obs.temperature_c), "threshold": _number(fever_threshold_c),
                "risks": "、".join(risks)}))
        else:
            flags.append(_flag("fever", _("体温%(t)s℃，达到发热标准（≥%(threshold)s℃）") % {
                "t": _number(obs.temperature_c), "threshold": _number(fever_threshold_c)}))

    if obs.high_fever_days > HIGH_FEVER_MAX_DAYS:
        flags.append(_flag("persistent_high_fever", _("经药物治疗后体温仍高于38.5℃已%(days)s天（超过3天）") % {
            "days": int(obs.high_fever_days)}))

    breathing = Breathing(obs.breathing_difficulty)
    if breathing == Breathing.SEVERE:
        flags.append(_flag("breathing_difficulty_severe", _("严重呼吸困难（静息时也喘不过气、说话困难）")))
    elif breathing == Breathing.MILD:
        flags.append(_flag("breathing_difficulty", _("出现呼吸困难或气促")))

    if obs.spo2 is not None:
        if obs.spo2 < SPO2_EMERGENCY_BELOW:
            flags.append(_flag("spo2_very_low", _("血氧饱和度%(v)s%%，低于90%%") % {"v": _number(obs.spo2)}))
        elif obs.spo2 <= SPO2_URGENT_AT_OR_BELOW:
            flags.append(_flag("spo2_low", _("血氧饱和度%(v)s%%，≤93%%") % {"v": _number(obs.spo2)}))

    if obs.breathing_rate is not None:
        threshold, source = fast_breathing_threshold(obs)
        if obs.breathing_rate >= threshold:
            flags.append(_flag("fast_breathing", _("呼吸频率每分钟%(rate)s次，达到%(who)s气促标准（≥%(threshold)s次/分）") % {
                "rate": int(obs.breathing_rate), "threshold": threshold,
                "who": _age_band_label(obs)}, source=source))

    if obs.underlying_disease_uncontrolled:
        flags.append(_flag("underlying_disease_uncontrolled", _("原有基础疾病明显加重且不能控制")))

    if obs.child_danger_signs:
        signs = [str(label) for code, label in CHILD_DANGER_SIGNS.items() if code in obs.child_danger_signs]
        flags.append(_flag("child_danger_signs", _("儿童出现危险征象：%(signs)s") % {"signs": "、".join(signs)}))

    if obs.pregnancy_danger_signs:
        signs = [str(label) for code, label in PREGNANCY_DANGER_SIGNS.items() if code in obs.pregnancy_danger_signs]
        flags.append(_flag("pregnancy_danger_signs", _("孕妇出现危险征象：%(signs)s") % {"signs": "、".join(signs)}))

    flags.sort(key=lambda flag: flag.level, reverse=True)  # stable: same-level flags keep rule order
    return flags


def _age_band_label(observation: Observation) -> str:
    months = age_in_months(observation)
    if months is None:
        return _("成人")
    if observation.age_months is None and observation.age_years == 0:
        return _("1岁以下婴儿")
    if months < 2:
        return _("2月龄以下婴儿")
    if months < 12:
        return _("2–12月龄婴儿")
    if months < 60:
        return _("1–5岁儿童")
    if months < 18 * 12:
        return _("5岁以上儿童")
    return _("成人")


def overall_level(flags: Iterable[RedFlag]) -> Level | None:
    """The most severe level among the flags, or None when there are none."""
    return max((flag.level for flag in flags), default=None)
