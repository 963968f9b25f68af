"""The statistical second opinion on moderation (issue 13, items 4 and 6): sanshe.groups.modstat and its use by
RuleBook.check when the rules hold nothing."""

from __future__ import annotations

import json

import pytest

from bench import train_modstat
from sanshe.groups import analysis, modstat, rules

# A cure claim in words no rule, shape or rumour-base entry knows (checked below with the model switched off).
FRESH_RUMOUR = "用淘米水洗鼻子，病毒就进不去"


def test_weights_load_with_a_threshold_categories_and_cv_figures():
    data = json.loads(modstat.WEIGHTS_PATH.read_text(encoding="utf-8"))
    assert modstat.WEIGHTS_PATH.stat().st_size < 300 * 1024
    assert 0.5 <= modstat.threshold() < 1
    assert data["cv"]["notice_held"][0] == 0
    assert data["cv"]["everyday_held"][0] <= 0.01 * data["cv"]["everyday_held"][1]
    assert {"rumour", "panic", "violence", "incitement", "unapproved_news", "private_data"} <= set(data["categories"])
    assert "test.tsv" not in train_modstat.TRAINING_FILES


def test_training_is_deterministic_on_a_small_fixture(tmp_path):
    fixture = tmp_path / "fixture.tsv"
    fixture.write_text(
        "# comment\n"
        "mod:rumour\t喝醋能杀死病毒\nmod:rumour\t吃大蒜能防新冠\nmod:rumour\t醋和大蒜都能防病毒\n"
        "mod:panic\t赶紧去超市抢米\nmod:panic\t快去抢菜晚了就没了\nmod:panic\t抢米抢油要封了\n"
        "mod:notice\t明天上午做核酸\nmod:notice\t北门领物资\nnone\t今天天气不错 ||| 晚饭吃面\n"
        "distress\t好累啊\nhigh\t不想活了\n",
        encoding="utf-8",
    )
    examples = train_modstat.read([fixture])
    assert len(examples) == 10 and ("none", "晚饭吃面") in examples  # `high` skipped, last message of a context
    first = train_modstat.train_all(examples, keep=50, category_keep=20)
    second = train_modstat.train_all(examples, keep=50, category_keep=20)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert set(first["categories"]) == {"rumour", "panic"}


@pytest.mark.parametrize("text", [
    "今天下午3点到5点在南门做核酸，请带身份证",
    "物资今天下午4点在北门领取，按楼栋排队",
    "区卫健委通报：昨日新增确诊3例，均已转运",
    "明天上午8点到11点全员核酸，按楼栋顺序下楼",
    "团购的蔬菜到了，请到3号楼门口自取",
])
def test_no_opinion_on_clear_everyday_notices(text):
    assert modstat.opinion(text) is None
    assert rules.DEFAULT_RULEBOOK.check(text).matches == ()


def test_a_rumour_the_rules_miss_is_held_by_the_model_with_a_category():
    assert rules.RuleBook(model=False).check(FRESH_RUMOUR).matches == ()
    verdict = rules.RuleBook().check(FRESH_RUMOUR)
    assert verdict.holds
    (match,) = verdict.matches
    assert match.category == "rumour"
    assert match.term.startswith("model:") and float(match.term.removeprefix("model:")) >= modstat.threshold()
    assert analysis.analyse(FRESH_RUMOUR)["moderation"] == ["rumour"]


def test_a_switched_off_category_is_not_held_by_the_model():
    assert rules.RuleBook(disabled=["rumour"]).check(FRESH_RUMOUR).matches == ()
    assert rules.RuleBook(disabled=["panic"]).check(FRESH_RUMOUR).holds


@pytest.mark.parametrize("text", [
    "用淘米水洗鼻子病毒就进不去，这是谣言，别信",
    "用淘米水洗鼻子，病毒就进不去，是真的吗",
    "疾控提醒：用淘米水洗鼻子不能预防新冠",
])
def test_a_debunk_or_question_is_never_held_by_the_model(text):
    assert rules.DEFAULT_RULEBOOK.check(text).matches == ()


def test_the_rules_verdict_is_kept_when_the_rules_hold():
    verdict = rules.DEFAULT_RULEBOOK.check("喝白酒能预防新冠，你们知道吗")
    assert verdict.holds
    assert not any(match.term.startswith("model:") for match in verdict.matches)


@pytest.mark.parametrize("text", [
    "用淘米水洗鼻子病毒就进不去，这是谣言，别信",  # a debunk
    "用淘米水洗鼻子，病毒就进不去，是真的吗",  # a verification question
    "根据区卫健委通知，明天开始在家用淘米水洗鼻子",  # quotes an official source
    "关于网传淘米水洗鼻子的消息，经核实为谣言",  # debunks hearsay
])
def test_the_veto_predicates_apply_even_when_the_model_is_sure(monkeypatch, text):
    """The model alone never holds a refutation, a question, an official notice or a debunk, however it scores."""
    monkeypatch.setattr(modstat, "opinion", lambda _text: ("rumour", "model:0.99"))
    assert rules.RuleBook(model=True).check(text).matches == ()


def test_a_sure_model_holds_plain_chat_the_rules_miss_and_respects_switched_off_categories(monkeypatch):
    monkeypatch.setattr(modstat, "opinion", lambda _text: ("panic", "model:0.99"))
    text = "今晚大家都早点睡"
    assert [(m.category, m.term) for m in rules.RuleBook().check(text).matches] == [("panic", "model:0.99")]
    assert rules.RuleBook(disabled=["panic"]).check(text).matches == ()
    assert rules.RuleBook(model=False).check(text).matches == ()


def test_committed_artefact_is_what_make_modstat_writes_from_the_current_code(tmp_path):
    """The weights match today's normaliser and data: a change to either without `make modstat` fails here."""
    import shutil

    from bench import train_modstat

    out = tmp_path / "weights.json"
    shutil.copy(train_modstat.OUT, out)  # --no-cv keeps the committed threshold and CV figures
    assert train_modstat.main(["--out", str(out), "--no-cv"]) == 0
    assert out.read_bytes() == train_modstat.OUT.read_bytes(), "run `make modstat` and commit the weights"
