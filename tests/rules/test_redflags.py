"""Red-flag rules at their boundary values (issue 5): what a medic or community worker would be alerted to."""

from __future__ import annotations

import pytest

from sanshe.rules.redflags import (
    Breathing,
    Level,
    Observation,
    ObservationError,
    Source,
    flag_from_code,
    overall_level,
    red_flags,
)


def codes(observation: Observation, **kwargs) -> dict[str, Level]:
    return {flag.code: flag.level for flag in red_flags(observation, **kwargs)}


def test_nothing_abnormal_raises_nothing():
    flags = red_flags(Observation(temperature_c=36.6, spo2=98, breathing_rate=16, age_years=35))
    assert flags == []
    assert overall_level(flags) is None


@pytest.mark.parametrize(("temperature", "expected"), [(37.2, {}), (37.3, {"fever": Level.NOTICE}),
                                                       (39.1, {"fever": Level.NOTICE})])
def test_fever_threshold_is_inclusive(temperature, expected):
    assert codes(Observation(temperature_c=temperature, age_years=30)) == expected


def test_fever_reason_is_chinese_and_names_the_reading():
    (flag,) = red_flags(Observation(temperature_c=37.8))
    assert flag.reason == "体温37.8℃，达到发热标准（≥37.3℃）"
    assert "复测体温" in flag.action
    assert flag.source is Source.EPIDEMIC_PROFILE


def test_epidemic_profile_can_move_the_fever_threshold():
    assert codes(Observation(temperature_c=37.4), fever_threshold_c=37.5) == {}
    assert codes(Observation(temperature_c=37.5), fever_threshold_c=37.5) == {"fever": Level.NOTICE}


@pytest.mark.parametrize("risk", [
    {"age_years": 60}, {"age_years": 82}, {"high_risk_conditions": frozenset({"diabetes"})},
    {"high_risk_conditions": frozenset({"cardiovascular"})}, {"bmi": 30.0},
    {"high_risk_conditions": frozenset({"late_pregnancy"}), "pregnant": True},
])
def test_any_fever_in_a_high_risk_person_is_urgent(risk):
    flags = red_flags(Observation(temperature_c=37.3, **risk))
    assert [(f.code, f.level) for f in flags] == [("fever_high_risk", Level.URGENT)]
    assert "重症高风险人群" in flags[0].reason
    assert flags[0].source is Source.DIAGNOSIS_9TH


def test_not_high_risk_just_below_the_age_and_bmi_cut_offs():
    assert codes(Observation(temperature_c=37.5, age_years=59, bmi=29.9)) == {"fever": Level.NOTICE}


def test_high_risk_person_without_fever_raises_nothing():
    assert codes(Observation(temperature_c=37.2, age_years=75,
                             high_risk_conditions=frozenset({"chronic_lung"}))) == {}


@pytest.mark.parametrize(("days", "expected"), [(3, {}), (4, {"persistent_high_fever": Level.URGENT})])
def test_high_fever_for_more_than_three_days_despite_medication(days, expected):
    assert codes(Observation(high_fever_days=days)) == expected


@pytest.mark.parametrize(("breathing", "expected"), [
    (Breathing.NONE, {}),
    (Breathing.MILD, {"breathing_difficulty": Level.URGENT}),
    (Breathing.SEVERE, {"breathing_difficulty_severe": Level.EMERGENCY}),
])
def test_difficulty_breathing(breathing, expected):
    assert codes(Observation(breathing_difficulty=breathing)) == expected


@pytest.mark.parametrize(("spo2", "expected"), [
    (94, {}),
    (93, {"spo2_low": Level.URGENT}),
    (90, {"spo2_low": Level.URGENT}),
    (89, {"spo2_very_low": Level.EMERGENCY}),
    (75, {"spo2_very_low": Level.EMERGENCY}),
])
def test_spo2_boundaries(spo2, expected):
    assert codes(Observation(spo2=spo2)) == expected


def test_spo2_emergency_names_the_action_and_who():
    (flag,) = red_flags(Observation(spo2=88))
    assert flag.reason == "血氧饱和度88%，低于90%"
    assert "120" in flag.action
    assert flag.source is Source.WHO


@pytest.mark.parametrize(("rate", "expected"), [(29, {}), (30, {"fast_breathing": Level.URGENT})])
def test_adult_breathing_rate(rate, expected):
    assert codes(Observation(breathing_rate=rate, age_years=40)) == expected


@pytest.mark.parametrize(("age", "below", "at"), [
    ({"age_months": 1}, 59, 60),
    ({"age_months": 2}, 49, 50),
    ({"age_months": 11}, 49, 50),
    ({"age_months": 12}, 39, 40),
    ({"age_years": 4}, 39, 40),
    ({"age_months": 59}, 39, 40),
    ({"age_years": 5}, 29, 30),
    ({"age_years": 12}, 29, 30),
])
def test_child_fast_breathing_by_age(age, below, at):
    assert codes(Observation(breathing_rate=below, **age)) == {}
    flags = red_flags(Observation(breathing_rate=at, **age))
    assert [(f.code, f.level) for f in flags] == [("fast_breathing", Level.URGENT)]
    assert f"≥{at}次/分" in flags[0].reason


def test_infant_rate_normal_for_age_is_not_flagged_but_would_be_for_an_adult():
    assert codes(Observation(breathing_rate=45, age_months=1)) == {}
    assert codes(Observation(breathing_rate=45)) == {"fast_breathing": Level.URGENT}


def test_child_fast_breathing_cites_who_imci():
    (flag,) = red_flags(Observation(breathing_rate=52, age_months=6))
    assert flag.source is Source.WHO_IMCI
    assert "2–12月龄婴儿" in flag.reason


def test_infant_given_only_as_zero_years_uses_the_lower_infant_threshold():
    assert codes(Observation(breathing_rate=50, age_years=0)) == {"fast_breathing": Level.URGENT}
    assert codes(Observation(breathing_rate=49, age_years=0)) == {}


def test_uncontrolled_underlying_disease_is_urgent():
    assert codes(Observation(underlying_disease_uncontrolled=True)) == {
        "underlying_disease_uncontrolled": Level.URGENT}


def test_child_danger_signs_are_urgent_and_listed():
    (flag,) = red_flags(Observation(age_years=3, child_danger_signs=frozenset({"lethargy", "refusing_food"})))
    assert (flag.code, flag.level) == ("child_danger_signs", Level.URGENT)
    assert flag.reason == "儿童出现危险征象：嗜睡、精神差、持续拒食或喂养困难"


@pytest.mark.parametrize("sign", ["headache", "dizziness", "palpitations", "chest_tightness",
                                  "abdominal_pain", "bleeding", "abnormal_fetal_movement"])
def test_each_pregnancy_danger_sign_is_urgent(sign):
    (flag,) = red_flags(Observation(pregnant=True, pregnancy_danger_signs=frozenset({sign})))
    assert (flag.code, flag.level) == ("pregnancy_danger_signs", Level.URGENT)
    assert flag.source is Source.HOME_TREATMENT_2022


def test_flags_come_most_severe_first_and_overall_level_is_the_highest():
    flags = red_flags(Observation(temperature_c=38.0, spo2=92, breathing_difficulty=Breathing.SEVERE))
    assert [f.code for f in flags] == ["breathing_difficulty_severe", "spo2_low", "fever"]
    assert overall_level(flags) is Level.EMERGENCY
    assert overall_level(red_flags(Observation(temperature_c=38.0))) is Level.NOTICE


def test_flag_as_dict_is_json_ready_chinese():
    data = red_flags(Observation(spo2=92))[0].as_dict()
    assert data["code"] == "spo2_low"
    assert data["level"] == "urgent"
    assert data["level_label"] == "紧急"
    assert data["source"] == "cn_diagnosis_9th"
    assert "第九版" in data["source_label"]


def test_flag_rebuilt_from_a_code_keeps_its_level():
    flag = flag_from_code("spo2_very_low")
    assert flag.level is Level.EMERGENCY
    assert flag.reason == "血氧饱和度低于90%"


@pytest.mark.parametrize(("observation", "field", "message"), [
    (Observation(temperature_c=33.9), "temperature_c", "体温应在34–43℃之间，收到“33.9”"),
    (Observation(temperature_c=43.1), "temperature_c", "体温应在34–43℃之间"),
    (Observation(temperature_c="37.5"), "temperature_c", "体温应填写数字"),
    (Observation(spo2=49), "spo2", "血氧饱和度应在50%–100%之间"),
    (Observation(spo2=101), "spo2", "血氧饱和度应在50%–100%之间"),
    (Observation(breathing_rate=4), "breathing_rate", "呼吸频率应为每分钟5–80次之间的整数"),
    (Observation(breathing_rate=81), "breathing_rate", "呼吸频率应为每分钟5–80次之间的整数"),
    (Observation(breathing_rate=20.5), "breathing_rate", "呼吸频率应为每分钟5–80次之间的整数"),
    (Observation(age_years=131), "age_years", "年龄应为0–130岁之间的整数"),
    (Observation(age_years=2, age_months=40), "age_months", "年龄2岁与月龄40个月不一致"),
    (Observation(high_fever_days=-1), "high_fever_days", "服药后仍高于38.5℃的天数"),
    (Observation(breathing_difficulty="a_bit"), "breathing_difficulty", "呼吸困难程度应为"),
    (Observation(child_danger_signs=frozenset({"rash"})), "child_danger_signs", "未知的儿童危险征象代码“rash”"),
    (Observation(high_risk_conditions=frozenset({"tall"})), "high_risk_conditions", "未知的高风险因素代码"),
])
def test_impossible_values_are_refused_in_chinese(observation, field, message):
    with pytest.raises(ObservationError) as exc:
        red_flags(observation)
    assert exc.value.field == field
    assert message in str(exc.value)
    assert isinstance(exc.value, ValueError)


@pytest.mark.parametrize(("temperature", "spo2", "rate"), [(34.0, 50, 5), (43.0, 100, 80)])
def test_range_ends_are_accepted(temperature, spo2, rate):
    red_flags(Observation(temperature_c=temperature, spo2=spo2, breathing_rate=rate))


def test_implausible_fever_threshold_is_refused():
    with pytest.raises(ObservationError, match="发热标准应在"):
        red_flags(Observation(temperature_c=37.0), fever_threshold_c=35.0)
