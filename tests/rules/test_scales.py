"""Scale scoring, bands and validation (issue 6): the numbers and Chinese labels staff see as they score."""

from __future__ import annotations

import pytest

from sanshe.rules.scales import (
    CSSRS_QUESTIONS,
    GAD7,
    ISI,
    PHQ4,
    PHQ9,
    CssrsAnswers,
    ScaleError,
    cssrs_as_dict,
    score_cssrs,
    score_gad7,
    score_isi,
    score_phq4,
    score_phq9,
)


def spread(total: int, count: int, high: int) -> list[int]:
    """Item answers adding up to `total` (fills items from the first)."""
    answers = []
    for _ in range(count):
        answers.append(min(high, total))
        total -= answers[-1]
    assert total == 0
    return answers


def test_item_wording_is_kept_as_chinese_data():
    assert len(PHQ9.items) == 9 and len(GAD7.items) == 7 and len(PHQ4.items) == 4 and len(ISI.items) == 7
    assert str(PHQ9.items[8].text) == "有不如死掉或用某种方式伤害自己的念头"
    assert str(GAD7.items[0].text) == "感觉紧张，焦虑或急切"
    assert [str(c.label) for c in PHQ9.items[0].choices] == ["完全不会", "好几天", "一半以上的天数", "几乎每天"]
    assert str(ISI.items[3].choices[4].label) == "很不满意"
    assert (PHQ9.max_total, GAD7.max_total, PHQ4.max_total, ISI.max_total) == (27, 21, 12, 28)
    form = PHQ9.as_dict()
    assert form["items"][2]["text"] == "入睡困难、睡不安稳或睡眠过多"
    assert form["bands"][-1] == {"low": 20, "high": 27, "code": "severe", "label": "重度抑郁"}


@pytest.mark.parametrize(("total", "band", "label"), [
    (0, "minimal", "无或极轻微抑郁"), (4, "minimal", "无或极轻微抑郁"), (5, "mild", "轻度抑郁"),
    (9, "mild", "轻度抑郁"), (10, "moderate", "中度抑郁"), (14, "moderate", "中度抑郁"),
    (15, "moderately_severe", "中重度抑郁"), (19, "moderately_severe", "中重度抑郁"),
    (20, "severe", "重度抑郁"), (27, "severe", "重度抑郁"),
])
def test_phq9_bands(total, band, label):
    score = score_phq9(spread(total, 9, 3))
    assert (score.total, score.band, score.band_label) == (total, band, label)


@pytest.mark.parametrize(("total", "band", "refer"), [
    (4, "minimal", False), (5, "mild", False), (9, "mild", False), (10, "moderate", True),
    (14, "moderate", True), (15, "severe", True), (21, "severe", True),
])
def test_gad7_bands_and_referral_at_10(total, band, refer):
    score = score_gad7(spread(total, 7, 3))
    assert (score.band, score.refer) == (band, refer)


@pytest.mark.parametrize(("total", "band", "label"), [
    (7, "none", "无临床意义的失眠"), (8, "subthreshold", "亚临床失眠"), (14, "subthreshold", "亚临床失眠"),
    (15, "moderate", "临床失眠（中度）"), (21, "moderate", "临床失眠（中度）"), (22, "severe", "临床失眠（重度）"),
])
def test_isi_bands(total, band, label):
    score = score_isi(spread(total, 7, 4))
    assert (score.band, score.band_label) == (band, label)


def test_phq9_item9_flags_a_suicide_screen_whatever_the_total():
    score = score_phq9([0, 0, 0, 0, 0, 1, 1, 0, 1])
    assert score.total == 3 and score.band == "minimal"
    assert score.item9 == 1 and score.suicide_screen
    assert not score_phq9([3, 3, 3, 3, 3, 3, 3, 3, 0]).suicide_screen


def test_phq9_from_total_needs_item9():
    assert score_phq9(total=12, item9=0).band == "moderate"
    with pytest.raises(ScaleError, match="只提供总分时，必须同时提供第9题"):
        score_phq9(total=12)
    with pytest.raises(ScaleError, match="第9题得分3不能大于总分2"):
        score_phq9(total=2, item9=3)


def test_phq9_total_must_agree_with_answers():
    assert score_phq9([1] * 9, total=9).total == 9
    with pytest.raises(ScaleError, match="PHQ-9 总分10与逐题答案之和9不一致"):
        score_phq9([1] * 9, total=10)
    with pytest.raises(ScaleError, match="第9题得分0与逐题答案中的1不一致"):
        score_phq9([1] * 9, item9=0)


@pytest.mark.parametrize(("answers", "anxiety", "depression", "a_pos", "d_pos"), [
    ([1, 1, 1, 1], 2, 2, False, False),
    ([2, 1, 0, 2], 3, 2, True, False),
    ([0, 2, 1, 2], 2, 3, False, True),
    ([3, 3, 3, 3], 6, 6, True, True),
])
def test_phq4_subscales_positive_at_3(answers, anxiety, depression, a_pos, d_pos):
    score = score_phq4(answers)
    assert (score.anxiety, score.depression) == (anxiety, depression)
    assert (score.anxiety_positive, score.depression_positive) == (a_pos, d_pos)
    assert score.total == sum(answers)


def test_phq4_from_subscale_scores():
    score = score_phq4(anxiety=3, depression=1)
    assert score.total == 4 and score.band_label == "轻度心理困扰" and score.anxiety_positive
    with pytest.raises(ScaleError, match="抑郁分量表（第3–4题）得分应为0–6之间的整数"):
        score_phq4(anxiety=3, depression=7)
    with pytest.raises(ScaleError, match="请只提供逐题答案"):
        score_phq4([0, 0, 0, 0], anxiety=0)


@pytest.mark.parametrize(("call", "message", "item"), [
    (lambda: score_phq9([0, 0, None, 0, 0, 0, 0, 0, 0]), "PHQ-9 第3题（入睡困难、睡不安稳或睡眠过多）未作答", 3),
    (lambda: score_phq9([0, 0, 0, 0, 0, 0, 0, 0, 4]),
     "PHQ-9 第9题（有不如死掉或用某种方式伤害自己的念头）的答案应为0–3之间的整数，收到“4”", 9),
    (lambda: score_gad7([0, -1, 0, 0, 0, 0, 0]), "GAD-7 第2题（不能够停止或控制担忧）的答案应为0–3之间的整数", 2),
    (lambda: score_gad7([0, 1.5, 0, 0, 0, 0, 0]), "GAD-7 第2题", 2),
    (lambda: score_gad7([0, True, 0, 0, 0, 0, 0]), "GAD-7 第2题", 2),
    (lambda: score_isi([0, 0, 0, 5, 0, 0, 0]), "ISI 第4题（您对目前的睡眠状况满意吗？）的答案应为0–4之间的整数", 4),
    (lambda: score_phq4([0, 0, 0, "2"]), "PHQ-4 第4题", 4),
])
def test_bad_answers_name_the_item(call, message, item):
    with pytest.raises(ScaleError) as exc:
        call()
    assert message in str(exc.value)
    assert exc.value.item == item


@pytest.mark.parametrize(("call", "message"), [
    (lambda: score_phq9([0] * 8), "PHQ-9 共9题，收到8个答案"),
    (lambda: score_gad7(), "GAD-7 未提供逐题答案或总分"),
    (lambda: score_gad7(total=22), "GAD-7 总分应为0–21之间的整数，收到“22”"),
    (lambda: score_isi(total=-1), "ISI 总分应为0–28之间的整数"),
    (lambda: score_isi("0000000"), "ISI 的逐题答案应为7个数字组成的列表"),
])
def test_bad_totals_and_shapes(call, message):
    with pytest.raises(ScaleError, match=message):
        call()


# --- C-SSRS screener -----------------------------------------------------------------------------------

def test_cssrs_wording_and_skip_logic_are_data():
    assert [q.number for q in CSSRS_QUESTIONS] == [1, 2, 3, 4, 5, 6]
    form = cssrs_as_dict()
    assert form["skip_if_q2_no"] == [3, 4, 5]
    assert "想要自杀的念头" in form["items"][1]["text"]
    assert form["behaviour_recent"]["text"] == "如果是：这是否发生在过去3个月内？"


@pytest.mark.parametrize(("answers", "risk", "imminent"), [
    (CssrsAnswers(wish_dead=False, suicidal_thoughts=False, behaviour=False), "none", False),
    (CssrsAnswers(wish_dead=True, suicidal_thoughts=False, behaviour=False), "low", False),
    (CssrsAnswers(wish_dead=True, suicidal_thoughts=True, method=False, intent=False, plan=False,
                  behaviour=False), "low", False),
    (CssrsAnswers(wish_dead=True, suicidal_thoughts=True, method=True, intent=False, plan=False,
                  behaviour=False), "moderate", False),
    (CssrsAnswers(wish_dead=False, suicidal_thoughts=False, behaviour=True, behaviour_past_3_months=False),
     "moderate", False),
    (CssrsAnswers(wish_dead=True, suicidal_thoughts=True, method=True, intent=True, plan=False,
                  behaviour=False), "high", True),
    (CssrsAnswers(wish_dead=True, suicidal_thoughts=True, method=True, intent=False, plan=True,
                  behaviour=False), "high", True),
    (CssrsAnswers(wish_dead=False, suicidal_thoughts=False, behaviour=True, behaviour_past_3_months=True),
     "high", True),
])
def test_cssrs_risk_levels(answers, risk, imminent):
    score = score_cssrs(answers)
    assert (score.risk, score.imminent) == (risk, imminent)


@pytest.mark.parametrize(("answers", "message", "item"), [
    (CssrsAnswers(suicidal_thoughts=False, behaviour=False), "C-SSRS 第1题", 1),
    (CssrsAnswers(wish_dead=True, behaviour=False), "C-SSRS 第2题", 2),
    (CssrsAnswers(wish_dead=True, suicidal_thoughts=False), "C-SSRS 第6题", 6),
    (CssrsAnswers(wish_dead=True, suicidal_thoughts=False, method=True, behaviour=False),
     "C-SSRS 第2题回答“否”时应直接跳到第6题，第3题不应作答", 3),
    (CssrsAnswers(wish_dead=True, suicidal_thoughts=False, plan=False, behaviour=False),
     "第5题不应作答", 5),
    (CssrsAnswers(wish_dead=True, suicidal_thoughts=True, method=True, plan=False, behaviour=False),
     "C-SSRS 第2题回答“是”时，C-SSRS 第4题", 4),
    (CssrsAnswers(wish_dead=False, suicidal_thoughts=False, behaviour=True),
     "C-SSRS 第6题回答“是”时，必须回答“这是否发生在过去3个月内”", 6),
    (CssrsAnswers(wish_dead=False, suicidal_thoughts=False, behaviour=False, behaviour_past_3_months=True),
     "第6题回答“否”时，不应回答", 6),
    (CssrsAnswers(wish_dead="yes", suicidal_thoughts=False, behaviour=False),
     "的答案应为“是”或“否”（true/false），收到“yes”", 1),
])
def test_cssrs_skip_logic_and_missing_answers(answers, message, item):
    with pytest.raises(ScaleError) as exc:
        score_cssrs(answers)
    assert message in str(exc.value)
    assert exc.value.item == item
