"""The JSON form of an assessment: parsing, Chinese errors, and the schema agreeing with the parser."""

from __future__ import annotations

import json

import pytest

from sanshe.rules.redflags import Breathing
from sanshe.rules.triage import AssessmentError, triage
from sanshe.rules.triage_schema import ASSESSMENT_SCHEMA, assessment_from_json, assessment_from_text


def errors_of(data) -> list[str]:
    with pytest.raises(AssessmentError) as exc:
        triage(assessment_from_json(data))
    return exc.value.errors


def test_full_example_from_the_docs_parses_and_triages():
    data = {
        "phq9": {"answers": [1, 1, 2, 1, 0, 1, 0, 0, 1]},
        "gad7": {"total": 11},
        "cssrs": {"q1": True, "q2": False, "q6": False},
        "observation": {"temperature_c": 37.6, "spo2": 95, "breathing_rate": 20, "age_years": 67,
                        "breathing_difficulty": "none", "high_risk_conditions": ["diabetes"]},
        "status": {"under_quarantine": True, "unmet_needs": ["living_supplies"]},
    }
    assessment = assessment_from_json(data)
    assert assessment.observation.breathing_difficulty == Breathing.NONE
    assert assessment.observation.high_risk_conditions == frozenset({"diabetes"})
    result = triage(assessment)
    assert result.tier == 3
    assert set(result.rule_ids) == {"phq9_item9", "cssrs_positive", "medical_urgent", "gad7_moderate",
                                    "quarantine_unmet_needs"}


def test_a_bare_array_is_the_answers():
    assessment = assessment_from_json({"gad7": [3, 3, 3, 3, 3, 0, 0]})
    assert triage(assessment).rule_ids == ["gad7_severe"]


def test_c_ssrs_question_numbers_map_to_the_screener():
    assessment = assessment_from_json({"cssrs": {"q1": True, "q2": True, "q3": True, "q4": False, "q5": True,
                                                 "q6": True, "q6_past_3_months": False}})
    assert assessment.cssrs.plan is True and assessment.cssrs.intent is False
    assert assessment.cssrs.behaviour_past_3_months is False


def test_unknown_keys_are_refused_so_a_typo_never_drops_a_scale():
    assert errors_of({"phq_9": [0] * 9}) == [
        "评估数据 中有未知字段“phq_9”，可用字段：phq9、gad7、phq4、isi、cssrs、observation、red_flags、status、signals"]
    assert "GAD-7 中有未知字段“item9”" in errors_of({"gad7": {"total": 3, "item9": 0}})[0]
    assert "observation（健康观察） 中有未知字段“temp”" in errors_of({"observation": {"temp": 38}})[0]


@pytest.mark.parametrize(("data", "message"), [
    ([1, 2], "评估数据应为 JSON 对象"),
    ({"phq9": "12"}, "PHQ-9 应为 JSON 对象"),
    ({"phq9": {"answers": "000000000"}}, "PHQ-9 的 answers 应为逐题得分组成的列表"),
    ({"phq9": {"total": 12}}, "必须同时提供第9题"),
    ({"cssrs": {"q1": True, "q2": False, "q3": True, "q6": False}}, "第3题不应作答"),
    ({"cssrs": {"q1": 1, "q2": False, "q6": False}}, "收到“1”"),
    ({"observation": {"temperature_c": 44}}, "体温应在34–43℃之间"),
    ({"observation": {"pregnant": "yes"}}, "observation（健康观察）.pregnant 应为 true 或 false"),
    ({"observation": {"child_danger_signs": "lethargy"}}, "应为代码字符串组成的列表"),
    ({"observation": {"breathing_difficulty": "hard"}}, "呼吸困难程度应为"),
    ({"red_flags": ["nope"]}, "未知的医学预警代码“nope”"),
    ({"status": {"under_quarantine": 1}}, "under_quarantine 应为 true 或 false"),
    ({"status": {"unmet_needs": ["money"]}}, "未知的需求代码“money”"),
])
def test_bad_json_parts_get_chinese_messages(data, message):
    assert any(message in m for m in errors_of(data)), errors_of(data)


@pytest.mark.parametrize(("raw", "message"), [
    ("", "没有收到评估数据（内容为空）"),
    ("   \n", "没有收到评估数据（内容为空）"),
    ("{\"phq9\": [0,", "评估数据不是有效的 JSON：第1行第"),
    (b"\xff\xfe", "评估数据不是 UTF-8 编码的文本"),
])
def test_text_that_is_not_json(raw, message):
    with pytest.raises(AssessmentError) as exc:
        assessment_from_text(raw)
    assert message in exc.value.errors[0]


def test_utf8_bytes_with_a_byte_order_mark_are_read():
    assessment = assessment_from_text("\ufeff{\"gad7\": {\"total\": 10}}".encode())
    assert triage(assessment).tier == 2


def test_schema_is_json_and_lists_what_the_parser_accepts():
    json.dumps(ASSESSMENT_SCHEMA)  # serialisable for the API docs
    properties = ASSESSMENT_SCHEMA["properties"]
    assert set(properties) == {"phq9", "gad7", "phq4", "isi", "cssrs", "observation", "red_flags", "status",
                               "signals"}
    observation_keys = set(properties["observation"]["properties"])
    assessment = assessment_from_json({"observation": {
        "temperature_c": 37.0, "high_fever_days": 0, "breathing_difficulty": "mild", "spo2": 97,
        "breathing_rate": 18, "age_years": 1, "age_months": 14, "pregnant": False, "child_danger_signs": [],
        "pregnancy_danger_signs": [], "high_risk_conditions": [], "underlying_disease_uncontrolled": False,
        "bmi": 16.0}})
    assert assessment.observation.age_months == 14
    assert observation_keys == {
        "temperature_c", "high_fever_days", "breathing_difficulty", "spo2", "breathing_rate", "age_years",
        "age_months", "pregnant", "child_danger_signs", "pregnancy_danger_signs", "high_risk_conditions",
        "underlying_disease_uncontrolled", "bmi"}
    assert set(properties["cssrs"]["properties"]) == {"q1", "q2", "q3", "q4", "q5", "q6", "q6_past_3_months"}
    assert properties["phq9"]["oneOf"][0]["minItems"] == 9
    assert properties["isi"]["oneOf"][0]["items"]["maximum"] == 4
