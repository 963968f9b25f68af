"""The statistical second opinion on chat risk (sanshe/rules/chatrisk/riskstat.py) and its training (bench/train_riskstat.py)."""

from __future__ import annotations

import hashlib
import json

import pytest

from bench import train_riskstat
from sanshe.rules.chatrisk import normalise, riskstat

FIXTURE = [
    ("imminent", "药全吃了，再见了大家"),
    ("imminent", "我在楼顶，准备跳下去了"),
    ("high", "真的不想活了"),
    ("high", "吃多少片安眠药会死"),
    ("high", "我想死，没人在乎我"),
    ("none", "笑死我了，今天核酸排了两小时"),
    ("none", "天台上晒被子的人请收一下"),
    ("none", "布洛芬一天吃几次？"),
    ("none", "菜刀钝了，谁家有磨刀石"),
    ("distress", "最近好累，睡不着"),
]


def test_weights_load_from_the_artefact():
    data = json.loads(riskstat.WEIGHTS_PATH.read_text(encoding="utf-8"))
    assert 1000 <= len(data["weights"]) <= 8000
    assert riskstat.WEIGHTS_PATH.stat().st_size < 300_000
    assert 0.5 <= riskstat.threshold() < 1
    assert data["ngram_sizes"] == [1, 2, 3]


def test_artefact_was_written_from_the_current_training_files():
    data = json.loads(riskstat.WEIGHTS_PATH.read_text(encoding="utf-8"))
    expected = {
        name: hashlib.sha256((train_riskstat.DATA / name).read_bytes()).hexdigest()
        for name in train_riskstat.TRAINING_FILES
    }
    assert data["trained_on"] == expected, "training data changed: run `make riskstat` and commit the artefact"


def test_training_never_reads_the_frozen_test_split():
    assert "test.tsv" not in train_riskstat.TRAINING_FILES


@pytest.mark.parametrize("text", ["", "   ", "a", "好", "今天天气不错", "我现在就站在楼顶上" * 50, "１８楼🏢"])
def test_score_is_a_probability(text):
    value = riskstat.score(text)
    assert 0.0 <= value <= 1.0


@pytest.mark.parametrize("text", [
    "明天早上八点在东门做核酸，大家带好身份证",
    "笑死我了，楼下大爷拿锅盖去取快递",
    "菜刀钝了，谁家有磨刀石借用一下",
    "请问布洛芬一天吃几次",
    "物资今天下午三点发，每户一箱",
])
def test_no_opinion_on_everyday_messages(text):
    assert riskstat.opinion(text) is None


@pytest.mark.parametrize("text", ["我不想活了", "药全吃了，再见了大家"])
def test_a_floor_and_a_signal_for_a_clear_risk_message(text):
    floor, signal = riskstat.opinion(text)
    assert floor == riskstat.FLOOR == 6
    kind, _, value = signal.partition(":")
    assert kind == "model"
    assert riskstat.threshold() - 0.01 <= float(value) <= 1
    assert riskstat.opinion(normalise(text), normalised=True) == riskstat.opinion(text)


def test_training_is_deterministic():
    def artefact() -> str:
        weights, bias = train_riskstat.train(FIXTURE)
        return train_riskstat.artefact(weights, bias, 0.7, {}, {})

    first, second = artefact(), artefact()
    assert first == second
    assert json.loads(first)["weights"]


def test_training_reads_only_risk_labels_and_the_last_message(tmp_path):
    path = tmp_path / "set.tsv"
    path.write_text(
        "# comment\n\nmod:rumour\t喝醋能防病毒\nnone\t笑死\nimminent\t炭买好了 ||| 门窗都封上了，再见\n",
        encoding="utf-8",
    )
    assert train_riskstat.read_examples([path]) == [("none", "笑死"), ("imminent", "门窗都封上了，再见")]


def test_threshold_keeps_none_flags_at_most_two_percent():
    labels = ["none"] * 100 + ["high"] * 10
    values = [i / 100 for i in range(100)] + [0.99] * 10
    threshold = train_riskstat.choose_threshold(labels, values)
    assert sum(v >= threshold for label, v in zip(labels, values, strict=True) if label == "none") <= 2


# The second opinion inside the detector (sanshe.rules.chatrisk.detect._second_opinion).

def test_second_opinion_raises_a_wording_the_rules_do_not_know_to_the_alert_level_only():
    from sanshe.rules.chatrisk import ALERT_LEVEL, IMMINENT_LEVEL, assess

    result = assess("把家里钥匙交给物业了，以后我不需要了")
    assert ALERT_LEVEL <= result.level < IMMINENT_LEVEL
    assert [code for code in result.codes if code.startswith("model:")]


@pytest.mark.parametrize("text", [
    "我在楼顶晒被子",           # the rules found a place and cancelled it: their judgement stands
    "隔离14天终于结束了",        # scored 0.65 by the model alone: below the margin used inside the detector
    "笑死我了，终于解脱了哈哈",    # hyperbole and a joke
    "新闻说有人跟所有人道别后出事了",  # news
])
def test_second_opinion_never_overrides_the_rules_counter_evidence(text):
    from sanshe.rules.chatrisk import assess

    result = assess(text)
    assert result.level <= 3
    assert not [code for code in result.codes if code.startswith("model:")]


def test_second_opinion_never_lowers_a_rule_level():
    from sanshe.rules.chatrisk import IMMINENT_LEVEL, assess

    result = assess("我攒了一瓶安眠药，今晚就吃")
    assert result.level >= IMMINENT_LEVEL
    assert not [code for code in result.codes if code.startswith("model:")]


def test_committed_artefact_is_what_make_riskstat_writes_from_the_current_code(tmp_path):
    """The weights match today's normaliser and data: a change to either without `make riskstat` fails here."""
    import shutil

    from bench import train_riskstat

    out = tmp_path / "weights.json"
    shutil.copy(train_riskstat.OUT, out)  # --no-cv keeps the committed threshold and CV figures
    assert train_riskstat.main(["--out", str(out), "--no-cv"]) == 0
    assert out.read_bytes() == train_riskstat.OUT.read_bytes(), "run `make riskstat` and commit the weights"


@pytest.mark.parametrize(("text", "domain"), [
    ("我老爸血氧一直在91到93之间，走两步就喘", "medical"),  # the body: medical volunteers first
    ("把家里钥匙交给物业了，以后我不需要了", "suicide"),
])
def test_second_opinion_routes_by_what_the_message_is_about(text, domain):
    from sanshe.rules.chatrisk import assess

    result = assess(text)
    assert [code for code in result.codes if code.startswith("model:")]
    assert result.domain == domain
