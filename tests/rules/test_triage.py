"""Triage vignettes for every default rule and its boundaries (issue 6): the tier, urgency, crisis flag,
reasons and actions a social worker sees for a client."""

from __future__ import annotations

import pytest

from sanshe.rules.redflags import Breathing, Observation
from sanshe.rules.scales import CssrsAnswers
from sanshe.rules.triage import (
    RULES,
    RULES_VERSION,
    Assessment,
    AssessmentError,
    PersonStatus,
    ScaleInput,
    Urgency,
    triage,
)


def answers(total: int, count: int, high: int = 3) -> ScaleInput:
    values = []
    for _ in range(count):
        values.append(min(high, total))
        total -= values[-1]
    return ScaleInput(answers=tuple(values))


def phq9(total: int, item9: int = 0) -> ScaleInput:
    """PHQ-9 answers with the given total and item 9 score."""
    rest = answers(total - item9, 8).answers
    return ScaleInput(answers=(*rest, item9))


NO_RISK = CssrsAnswers(wish_dead=False, suicidal_thoughts=False, behaviour=False)


def thoughts(**kwargs) -> CssrsAnswers:
    base = {"wish_dead": True, "suicidal_thoughts": True, "method": False, "intent": False, "plan": False,
            "behaviour": False}
    return CssrsAnswers(**{**base, **kwargs})


def test_nothing_given_is_tier_1_routine_with_a_reason():
    result = triage(Assessment())
    assert (result.tier, result.urgency, result.crisis) == (1, Urgency.ROUTINE, False)
    assert result.rule_ids == ["no_rule_fired"]
    assert result.reasons[0].text == "未触发任何分流规则：留在线上小区居民群"
    assert result.action_codes == ["stay_resident_group"]
    assert result.rules_version == RULES_VERSION


def test_every_rule_has_an_id_a_source_and_a_docstring():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert str(rule.source).strip(), rule.id
        assert rule.check.__doc__, rule.id
        assert rule.tier in (1, 2, 3)


# --- GAD-7 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("total", "tier", "rule_id"), [
    (9, 1, None), (10, 2, "gad7_moderate"), (14, 2, "gad7_moderate"), (15, 3, "gad7_severe"), (21, 3, "gad7_severe"),
])
def test_gad7_boundaries(total, tier, rule_id):
    result = triage(Assessment(gad7=answers(total, 7)))
    assert result.tier == tier
    assert result.crisis is False
    if rule_id:
        assert result.rule_ids == [rule_id]
        assert f"GAD-7 总分{total}分" in result.reasons[0].text
    else:
        assert result.rule_ids == ["no_rule_fired"]


def test_gad7_severe_is_within_24h_and_moderate_is_routine():
    assert triage(Assessment(gad7=ScaleInput(total=15))).urgency is Urgency.WITHIN_24H
    assert triage(Assessment(gad7=ScaleInput(total=10))).urgency is Urgency.ROUTINE
    assert "psych_referral" in triage(Assessment(gad7=ScaleInput(total=10))).action_codes


# --- PHQ-9 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("total", "tier", "rule_id"), [
    (9, 1, None), (10, 2, "phq9_moderate"), (19, 2, "phq9_moderate"), (20, 3, "phq9_severe"), (27, 3, "phq9_severe"),
])
def test_phq9_boundaries_with_item9_zero(total, tier, rule_id):
    result = triage(Assessment(phq9=phq9(total, item9=0)))
    assert result.tier == tier
    assert result.rule_ids == [rule_id or "no_rule_fired"]


def test_phq9_item9_one_with_total_three_is_tier_3_and_starts_the_suicide_screen():
    result = triage(Assessment(phq9=phq9(3, item9=1)))
    assert (result.tier, result.urgency, result.crisis) == (3, Urgency.WITHIN_24H, False)
    assert result.rule_ids == ["phq9_item9"]
    assert "无论总分多少（本次3分）" in result.reasons[0].text
    assert result.action_codes[0] == "suicide_screen"
    assert result.actions[0].text == "立即使用C-SSRS筛查版进行自杀风险筛查"
    assert result.scores["phq9"]["suicide_screen"] is True
    assert "place_key_group" in result.action_codes


def test_phq9_item9_with_a_screen_already_done_keeps_tier_3_without_asking_again():
    result = triage(Assessment(phq9=phq9(3, item9=1), cssrs=NO_RISK))
    assert result.tier == 3
    assert "suicide_screen" not in result.action_codes


def test_phq9_severe_with_item9_lists_both_rules():
    result = triage(Assessment(phq9=phq9(22, item9=2)))
    assert result.rule_ids == ["phq9_severe", "phq9_item9"]


# --- ISI and PHQ-4 ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("total", "tier"), [(14, 1), (15, 2), (28, 2)])
def test_isi_boundary(total, tier):
    result = triage(Assessment(isi=answers(total, 7, high=4)))
    assert result.tier == tier
    if tier == 2:
        assert result.rule_ids == ["isi_clinical"]
        assert "sleep_support" in result.action_codes


@pytest.mark.parametrize(("phq4", "tier", "rule_ids"), [
    (ScaleInput(answers=(1, 1, 1, 1)), 1, ["no_rule_fired"]),
    (ScaleInput(answers=(2, 1, 1, 1)), 2, ["phq4_anxiety"]),
    (ScaleInput(answers=(1, 1, 1, 2)), 2, ["phq4_depression"]),
    (ScaleInput(anxiety=3, depression=3), 2, ["phq4_anxiety", "phq4_depression"]),
    (ScaleInput(anxiety=2, depression=2), 1, ["no_rule_fired"]),
])
def test_phq4_subscale_boundary_2_vs_3(phq4, tier, rule_ids):
    result = triage(Assessment(phq4=phq4))
    assert (result.tier, result.rule_ids) == (tier, rule_ids)


# --- C-SSRS --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("answers", "rule_id"), [
    (thoughts(intent=True), "cssrs_intent"),
    (thoughts(method=True, plan=True), "cssrs_plan"),
    (CssrsAnswers(wish_dead=False, suicidal_thoughts=False, behaviour=True, behaviour_past_3_months=True),
     "cssrs_recent_behaviour"),
])
def test_cssrs_intent_plan_or_recent_behaviour_is_an_immediate_crisis(answers, rule_id):
    result = triage(Assessment(cssrs=answers))
    assert (result.tier, result.urgency, result.crisis) == (3, Urgency.IMMEDIATE, True)
    assert result.rule_ids[0] == rule_id
    assert result.action_codes[:3] == ["crisis_protocol", "psych_immediate", "contact_emergency_contact"]
    assert "不让其独处" in result.actions[0].text
    assert "Columbia" in result.reasons[0].source


def test_cssrs_behaviour_longer_ago_is_tier_3_but_not_a_crisis():
    result = triage(Assessment(cssrs=CssrsAnswers(wish_dead=False, suicidal_thoughts=False, behaviour=True,
                                                  behaviour_past_3_months=False)))
    assert (result.tier, result.urgency, result.crisis) == (3, Urgency.WITHIN_24H, False)
    assert result.rule_ids == ["cssrs_positive"]
    assert "第6题“是”（3个月以前）" in result.reasons[0].text


def test_cssrs_q1_yes_only_is_tier_3():
    result = triage(Assessment(cssrs=CssrsAnswers(wish_dead=True, suicidal_thoughts=False, behaviour=False)))
    assert (result.tier, result.crisis) == (3, False)
    assert result.rule_ids == ["cssrs_positive"]
    assert result.reasons[0].text == "C-SSRS：第1题“是”，风险等级：低风险"
    assert result.scores["cssrs"]["risk"] == "low"


def test_cssrs_all_no_is_tier_1():
    result = triage(Assessment(cssrs=NO_RISK))
    assert result.tier == 1
    assert result.scores["cssrs"] == {"risk": "none", "risk_label": "未发现自杀风险", "positive_items": [],
                                      "behaviour_past_3_months": None, "imminent": False}


def test_cssrs_intent_also_reports_the_other_yes_answers():
    result = triage(Assessment(cssrs=thoughts(intent=True)))
    assert result.rule_ids == ["cssrs_intent", "cssrs_positive"]
    assert "第1题“是”、第2题“是”" in result.reasons[1].text


# --- medical red flags ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("spo2", "tier", "crisis", "urgency", "rule_id"), [
    (94, 1, False, Urgency.ROUTINE, "no_rule_fired"),
    (93, 3, False, Urgency.WITHIN_24H, "medical_urgent"),
    (90, 3, False, Urgency.WITHIN_24H, "medical_urgent"),
    (89, 3, True, Urgency.IMMEDIATE, "medical_emergency"),
])
def test_spo2_boundaries(spo2, tier, crisis, urgency, rule_id):
    result = triage(Assessment(observation=Observation(spo2=spo2)))
    assert (result.tier, result.crisis, result.urgency) == (tier, crisis, urgency)
    assert result.rule_ids == [rule_id]


def test_medical_emergency_calls_120_and_cites_the_flags_source():
    result = triage(Assessment(observation=Observation(spo2=89)))
    assert result.action_codes[:2] == ["crisis_protocol", "call_120"]
    assert result.reasons[0].text == "医学危急：血氧饱和度89%，低于90%"
    assert "WHO" in result.reasons[0].source
    assert result.scores["medical"]["level"] == "emergency"


def test_severe_breathing_difficulty_is_a_crisis():
    result = triage(Assessment(observation=Observation(breathing_difficulty=Breathing.SEVERE)))
    assert (result.tier, result.crisis, result.urgency) == (3, True, Urgency.IMMEDIATE)


def test_urgent_medical_flag_is_tier_3_with_a_medical_transfer():
    result = triage(Assessment(observation=Observation(temperature_c=37.5, age_years=70)))
    assert result.rule_ids == ["medical_urgent"]
    assert "medical_transfer" in result.action_codes
    assert "第九版" in result.reasons[0].source


def test_fever_alone_is_noted_but_stays_tier_1():
    result = triage(Assessment(observation=Observation(temperature_c=37.3, age_years=30)))
    assert (result.tier, result.rule_ids) == (1, ["medical_notice"])
    assert result.action_codes == ["monitor_health", "stay_resident_group"]


def test_flags_raised_elsewhere_count_like_observed_ones():
    result = triage(Assessment(red_flags=("spo2_very_low",)))
    assert (result.tier, result.crisis) == (3, True)
    assert result.scores["medical"]["flags"][0]["code"] == "spo2_very_low"


def test_the_profile_fever_threshold_reaches_the_rules():
    observation = Observation(temperature_c=37.4, age_years=30)
    assert triage(Assessment(observation=observation)).rule_ids == ["medical_notice"]
    assert triage(Assessment(observation=observation), fever_threshold_c=37.5).rule_ids == ["no_rule_fired"]


# --- person status ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "tier"), [
    (PersonStatus(under_quarantine=True, unmet_needs=("living_supplies",)), 2),
    (PersonStatus(suspected=True, unmet_needs=("medical_supplies", "emotional_support")), 2),
    (PersonStatus(under_quarantine=True), 1),
    (PersonStatus(unmet_needs=("living_supplies",)), 1),
])
def test_quarantine_or_suspected_with_unmet_needs_is_tier_2(status, tier):
    result = triage(Assessment(status=status))
    assert result.tier == tier


def test_quarantine_reason_names_the_needs():
    result = triage(Assessment(status=PersonStatus(under_quarantine=True,
                                                   unmet_needs=("emotional_support", "living_supplies"))))
    assert result.reasons[0].text == "隔离人员，有未满足的需求：生活物资、情绪支持"
    assert result.action_codes == ["link_resources", "place_focus_group"]


# --- combined and errors ---------------------------------------------------------------------------------

def test_highest_tier_wins_and_every_fired_rule_is_listed_in_severity_order():
    result = triage(Assessment(
        gad7=ScaleInput(total=12), isi=ScaleInput(total=16), phq9=phq9(21, item9=0),
        status=PersonStatus(under_quarantine=True, unmet_needs=("living_supplies",)),
    ))
    assert result.tier == 3
    assert result.rule_ids == ["phq9_severe", "gad7_moderate", "isi_clinical", "quarantine_unmet_needs"]
    assert result.action_codes[-1] == "place_key_group"
    assert len(result.action_codes) == len(set(result.action_codes))


def test_result_as_dict_has_the_contract_keys():
    data = triage(Assessment(gad7=ScaleInput(total=10))).as_dict()
    assert {"tier", "urgency", "crisis", "scores", "reasons", "actions", "rules_version"} <= set(data)
    assert data["scores"]["gad7"]["refer"] is True
    assert data["reasons"][0]["rule_id"] == "gad7_moderate"
    assert data["tier_label"] == "二级：聚焦服务群"


def test_every_bad_part_is_reported_together():
    with pytest.raises(AssessmentError) as exc:
        triage(Assessment(
            gad7=ScaleInput(answers=(0, 0, 0, 0, 0, 0, 9)),
            cssrs=CssrsAnswers(wish_dead=True, suicidal_thoughts=False, intent=True, behaviour=False),
            observation=Observation(spo2=120),
            red_flags=("spo2_lowish",),
            status=PersonStatus(unmet_needs=("money",)),
        ))
    messages = exc.value.errors
    assert len(messages) == 5
    assert any("GAD-7 第7题" in m for m in messages)
    assert any("第4题不应作答" in m for m in messages)
    assert any("血氧饱和度应在50%–100%之间" in m for m in messages)
    assert any("未知的医学预警代码“spo2_lowish”" in m for m in messages)
    assert any("未知的需求代码“money”" in m for m in messages)


# --- signals other features already hold (issue 12 item 1) -------------------------------------------------

from sanshe.rules.triage import ChatAlert, ChatSignals, HealthAlert, OpenCrisis, Signals  # noqa: E402
from sanshe.rules.triage_schema import assessment_from_json  # noqa: E402

PILLS = ChatAlert(level=10, imminent=True, signals=("方式与工具：安眠药", "准备行为：攒了"))


def test_an_open_crisis_makes_mild_scales_immediate_and_a_crisis_and_says_so_first():
    result = triage(Assessment(phq9=phq9(6, item9=3), signals=Signals(crises=(OpenCrisis(escalations=2),))))
    assert (result.tier, result.urgency, result.crisis) == (3, Urgency.IMMEDIATE, True)
    assert result.rule_ids[0] == "open_crisis"
    assert result.reasons[0].text == "危机处置进行中：自杀/自伤风险，尚无人确认，已升级2次"
    assert "phq9_item9" in result.rule_ids
    assert "crisis_protocol" in result.action_codes


def test_an_imminent_chat_alert_not_closed_is_immediate_and_a_crisis_with_what_was_said():
    result = triage(Assessment(gad7=answers(5, 7), signals=Signals(chat_alerts=(PILLS,))))
    assert (result.tier, result.urgency, result.crisis) == (3, Urgency.IMMEDIATE, True)
    assert result.rule_ids == ["chat_alert_imminent", ]
    assert result.reasons[0].text == "线上群高危风险预警未关闭：10级，尚无人确认（方式与工具：安眠药、准备行为：攒了）"


def test_a_chat_alert_below_imminent_is_tier_3_within_24_hours_not_a_crisis():
    alert = ChatAlert(level=7, imminent=False, acknowledged=True, signals=("绝望无助：撑不下去",))
    result = triage(Assessment(signals=Signals(chat_alerts=(alert,))))
    assert (result.tier, result.urgency, result.crisis) == (3, Urgency.WITHIN_24H, False)
    assert result.rule_ids == ["chat_alert_open"]
    assert "已有人确认处置" in result.reasons[0].text


@pytest.mark.parametrize(("level", "rule_id", "tier", "urgency", "crisis"), [
    ("emergency", "health_alert_emergency", 3, Urgency.IMMEDIATE, True),
    ("urgent", "health_alert_urgent", 3, Urgency.WITHIN_24H, False),
    ("notice", "health_alert_notice", 1, Urgency.ROUTINE, False),
])
def test_an_open_health_alert_gives_at_least_the_urgency_its_level_implies(level, rule_id, tier, urgency, crisis):
    alert = HealthAlert(level=level, taken=True, times_raised=3, reasons=("血氧饱和度92%（≤93%）",))
    result = triage(Assessment(signals=Signals(health_alerts=(alert,))))
    assert (result.tier, result.urgency, result.crisis) == (tier, urgency, crisis)
    assert result.rule_ids == [rule_id]
    assert "血氧饱和度92%（≤93%）（处理中，已出现3次）" in result.reasons[0].text


def test_a_lost_person_alert_says_lost():
    result = triage(Assessment(signals=Signals(health_alerts=(HealthAlert(level="notice", kind="lost"),))))
    assert result.reasons[0].text == "健康监测黄色预警未处理：失访（待处理）"


def test_recent_chat_signals_below_the_alert_level_are_a_tier_2_reason():
    chat = ChatSignals(messages=3, days=7, max_level=4, signals=("绝望无助：没意思",))
    result = triage(Assessment(signals=Signals(chat=chat)))
    assert (result.tier, result.urgency) == (2, Urgency.ROUTINE)
    assert result.rule_ids == ["chat_signals_recent"]
    assert result.reasons[0].text == "近7天本人在群聊或私聊中有3条消息出现风险信号（最高4级）：绝望无助：没意思"


def test_a_recent_message_at_the_alert_level_is_tier_3_within_24_hours_even_with_its_alert_closed():
    chat = ChatSignals(messages=1, days=7, max_level=8, at_alert_level=True)
    result = triage(Assessment(signals=Signals(chat=chat)))
    assert (result.tier, result.urgency) == (3, Urgency.WITHIN_24H)
    assert result.rule_ids == ["chat_signals_recent_high"]


def test_no_signals_change_nothing():
    chat = ChatSignals(messages=0, days=7, max_level=0)
    assert triage(Assessment(signals=Signals(chat=chat))).rule_ids == ["no_rule_fired"]


def test_signals_round_trip_through_the_json_form_and_bad_ones_are_refused_in_chinese():
    assessment = assessment_from_json({"signals": {
        "crises": [{"domain": "suicide", "acknowledged": False, "escalations": 2}],
        "chat_alerts": [{"level": 10, "imminent": True, "signals": ["方式与工具：安眠药"]}],
        "health_alerts": [{"level": "urgent", "reasons": ["发热38.6℃"]}],
        "chat": {"messages": 2, "days": 7, "max_level": 10, "at_alert_level": True}}})
    result = triage(assessment)
    assert result.rule_ids[:2] == ["open_crisis", "chat_alert_imminent"]
    assert {"health_alert_urgent", "chat_signals_recent_high"} <= set(result.rule_ids)
    with pytest.raises(AssessmentError) as bad:
        triage(assessment_from_json({"signals": {"health_alerts": [{"level": "red"}], "crisis": []}}))
    assert any("未知字段“crisis”" in e for e in bad.value.errors)
    with pytest.raises(AssessmentError) as bad:
        triage(assessment_from_json({"signals": {"health_alerts": [{"level": "red"}]}}))
    assert bad.value.errors == ["未知的健康预警级别“red”，可选：notice、urgent、emergency"]
