"""risk_eval: the labelled-file reader, the pure counting, the command's sections, the frozen test split.

Counting is checked on fabricated outcomes, never on today's detector quality (the bench reports that)."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sanshe.groups.evaluation import (
    NO_SIGNAL,
    EvalFileError,
    Example,
    Outcome,
    count,
    evaluate,
    read_examples,
    read_file,
)

DATA = Path(__file__).resolve().parents[2] / "bench" / "riskdata"


def _ex(label: str, *messages: str, line: int = 1) -> Example:
    return Example(label=label, messages=messages, line=line, source="t.tsv")


def _out(label: str, level: int, signals: tuple[str, ...] = (), moderation: tuple[str, ...] = ()) -> Outcome:
    return Outcome(example=_ex(label, "x"), level=level, signals=signals, moderation=moderation)


# ------------------------------------------------------------------------------------------------ the reader

def test_reader_skips_comments_and_blank_lines_and_splits_context():
    lines = ["# a comment\n", "\n", "none\t今天天气不错\n", "   \n", "imminent\t炭买好了 ||| 门窗都封了 ||| 再见\r\n",
             "  # indented comment\n", "mod:notice\t明天八点核酸\n"]
    examples = read_examples(lines, source="x.tsv")
    assert [(e.label, e.messages, e.line) for e in examples] == [
        ("none", ("今天天气不错",), 3),
        ("imminent", ("炭买好了", "门窗都封了", "再见"), 5),
        ("mod:notice", ("明天八点核酸",), 7),
    ]
    assert examples[1].text == "炭买好了 ||| 门窗都封了 ||| 再见"
    assert examples[0].is_risk and not examples[2].is_risk and examples[2].category == "notice"


def test_reader_keeps_tabs_inside_the_text_and_a_bom():
    examples = read_examples(["\ufeffhigh\t吃多少片\t会死\n"])
    assert examples[0].label == "high" and examples[0].messages == ("吃多少片\t会死",)


@pytest.mark.parametrize("line, message", [
    ("sad\t好难过", "未知的标签"),
    ("mod:gossip\t谁谁谁", "未知的标签"),
    ("none 今天天气不错", "没有 Tab"),
    ("none\t   ", "文本为空"),
])
def test_reader_explains_bad_lines_with_the_line_number(line, message):
    with pytest.raises(EvalFileError, match=message) as info:
        read_examples(["# header", line], source="bad.tsv")
    assert "bad.tsv:2" in str(info.value)


def test_read_file_explains_a_missing_or_non_utf8_file(tmp_path):
    with pytest.raises(EvalFileError, match="无法读取文件"):
        read_file(tmp_path / "missing.tsv")
    path = tmp_path / "gbk.tsv"
    path.write_bytes("none\t今天天气不错\n".encode("gbk"))
    with pytest.raises(EvalFileError, match="UTF-8"):
        read_file(path)


# ------------------------------------------------------------------------------------------------ counting

def test_counting_risk_labels_on_fabricated_outcomes():
    outcomes = [
        _out("imminent", 10, ("method:楼顶", "state:in_place")),
        _out("imminent", 7, ("method:楼顶",)),  # alerted but not imminent: missed
        _out("imminent", 0),  # missed with no signal
        _out("high", 6, ("intent:想死",)),
        _out("high", 5, ("hopeless:累",)),  # missed
        _out("distress", 4),
        _out("distress", 9, ("intent:想死",)),  # false alarm: distress must not be imminent
        _out("none", 0),
        _out("none", 3),
        _out("none", 4, ("method:刀",)),  # above 3: a false alarm for the ≤3 goal, not at the alert level
        _out("none", 8, ("intent:想死", "intent:不想活")),
    ]
    report = count(outcomes)
    imminent, high, distress, none = (report.risk[k] for k in ("imminent", "high", "distress", "none"))
    assert (imminent.count, imminent.alerted, imminent.imminent) == (3, 2, 1)
    assert (high.count, high.alerted, high.imminent) == (2, 1, 0)
    assert (distress.count, distress.imminent, distress.quiet) == (2, 1, 0)
    assert (none.count, none.alerted, none.quiet) == (4, 1, 2)
    assert none.share(none.alerted) == 0.25 and none.share(none.quiet) == 0.5
    assert [o.level for o in report.missed] == [7, 0, 5]
    assert [o.level for o in report.false_alarms] == [9, 4, 8]
    # Each concept counts once per line; a line with no signal counts as "no signal".
    assert report.missed_kinds == {"method": 1, NO_SIGNAL: 1, "hopeless": 1}
    assert report.false_alarm_kinds == {"intent": 2, "method": 1}
    assert report.total == 11


def test_counting_moderation_and_notices():
    outcomes = [
        _out("mod:rumour", 0, moderation=("rumour",)),
        _out("mod:rumour", 0, moderation=("unapproved_news",)),  # held, wrong category
        _out("mod:rumour", 0),  # not held
        _out("mod:panic", 0, moderation=("panic", "rumour")),
        _out("mod:notice", 0),
        _out("mod:notice", 0, moderation=("rumour",)),  # a notice held: a false hold
    ]
    report = count(outcomes)
    rumour, panic = report.moderation["rumour"], report.moderation["panic"]
    assert (rumour.count, rumour.held, rumour.held_right) == (3, 2, 1)
    assert (panic.count, panic.held, panic.held_right) == (1, 1, 1)
    total = report.moderation_total
    assert (total.count, total.held, total.held_right) == (4, 3, 2)
    assert (report.notice.count, report.notice.held) == (2, 1)
    assert len(report.moderation_missed) == 2 and len(report.false_holds) == 1
    assert all(stats.count == 0 for stats in report.risk.values())


def test_goals_are_met_only_at_their_bars():
    perfect = count([_out("imminent", 9)] * 19 + [_out("imminent", 8)]
                    + [_out("high", 6)] * 20
                    + [_out("none", 3)] * 19 + [_out("none", 6)]
                    + [_out("mod:rumour", 0, moderation=("rumour",))] * 9 + [_out("mod:rumour", 0)]
                    + [_out("mod:notice", 0)])
    assert [g.met for g in perfect.goals()] == [True, True, True, True, True]
    assert [round(g.value, 2) for g in perfect.goals()] == [0.95, 1.0, 0.95, 0.9, 0.0]
    worse = count([_out("imminent", 9)] * 18 + [_out("imminent", 8)] * 2
                  + [_out("mod:rumour", 0)] + [_out("mod:notice", 0, moderation=("rumour",))])
    met = [g.met for g in worse.goals()]
    assert met == [False, False, False, False, False]  # no high or none lines: those goals are not met either


def test_evaluate_runs_the_detector_on_unambiguous_lines():
    examples = read_examples(["none\t今天天气不错", "mod:notice\t明天上午8点在南门做核酸",
                              "none\t今天天气不错 ||| 晚饭吃面条"])
    report = evaluate(examples)
    assert report.risk["none"].count == 2 and report.risk["none"].quiet == 2 and report.context_lines == 1
    assert report.notice.count == 1


def test_evaluate_with_an_injected_detector_reads_the_whole_context():
    seen = []

    def detector(example: Example) -> Outcome:
        seen.append(example.messages)
        return Outcome(example=example, level=9 if len(example.messages) > 1 else 0)

    report = evaluate(read_examples(["imminent\t炭买好了 ||| 再见", "imminent\t再见"]), detector)
    assert seen == [("炭买好了", "再见"), ("再见",)]
    assert report.risk["imminent"].imminent == 1 and len(report.missed) == 1


# ------------------------------------------------------------------------------------------------ the command

def test_command_prints_every_section_on_the_dev_split():
    out = StringIO()
    call_command("risk_eval", str(DATA / "dev.tsv"), "--show-misses", "2", stdout=out)
    text = out.getvalue()
    for section in ("【风险分级】", "【内容审核】", "【按概念的混淆】", "达到预警 ≥6", "达到紧急 ≥9", "误报率（≥6）",
                    "误升为紧急", "日常通知", "rumour", "private_data", "目标"):
        assert section in text, section


def test_command_json_and_several_files(tmp_path):
    small = tmp_path / "small.tsv"
    small.write_text("# tiny\nnone\t今天天气不错\nmod:notice\t明天八点核酸\n", encoding="utf-8")
    out = StringIO()
    call_command("risk_eval", str(small), str(small), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"] == 4 and data["risk"]["none"]["count"] == 2 and data["notice"]["count"] == 2
    assert {"risk", "moderation", "confusion", "goals", "missed", "false_alarms"} <= set(data)


def test_command_does_not_judge_a_goal_the_file_has_no_lines_for(tmp_path):
    risk_only = tmp_path / "risk_only.tsv"
    risk_only.write_text("none\t今天天气不错\n", encoding="utf-8")
    out = StringIO()
    call_command("risk_eval", str(risk_only), stdout=out)
    text = out.getvalue()
    assert "谣言与有害内容被拦下：文件中没有这类数据，不评估" in text
    assert "日常通知被拦下的条数为 0：文件中没有这类数据，不评估" in text
    assert "日常与夸张（none）保持 ≤3：100.0% —— 达成" in text


def test_command_explains_an_unreadable_file_in_chinese(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("risk_eval", str(tmp_path / "missing.tsv"))
    bad = tmp_path / "bad.tsv"
    bad.write_text("maybe\t也许吧\n", encoding="utf-8")
    with pytest.raises(CommandError, match="未知的标签"):
        call_command("risk_eval", str(bad))


# ------------------------------------------------------------------------------------------------ the data

def test_frozen_test_split_is_unchanged():
    """test.tsv is never edited: its sha256 must equal the one recorded in FROZEN when it was written."""
    recorded, name = (DATA / "FROZEN").read_text(encoding="utf-8").split()
    assert name == "test.tsv"
    actual = hashlib.sha256((DATA / "test.tsv").read_bytes()).hexdigest()
    assert actual == recorded, "bench/riskdata/test.tsv changed: the frozen test split must not be edited"


def test_both_splits_read_and_cover_every_label():
    dev, test = read_file(DATA / "dev.tsv"), read_file(DATA / "test.tsv")
    assert len(dev) >= 900 and len(test) >= 650 and len(dev) + len(test) >= 1500
    for split in (dev, test):
        labels = {e.label for e in split}
        assert {"imminent", "high", "distress", "none", "mod:notice", "mod:rumour", "mod:panic",
                "mod:unapproved_news", "mod:superstition", "mod:incitement", "mod:violence",
                "mod:private_data"} <= labels
    both = dev + test
    risk = [e for e in both if e.is_risk]
    assert sum(e.label == "none" for e in risk) >= 0.35 * len(risk)
    assert sum(len(e.messages) > 1 for e in both) >= 40
    assert sum(not e.is_risk for e in both) >= 250 and sum(e.label == "mod:notice" for e in both) >= 100
    assert not {e.text for e in dev} & {e.text for e in test}  # no line in both splits
