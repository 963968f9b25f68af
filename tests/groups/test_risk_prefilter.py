"""The gated patterns of the risk and moderation rules match exactly what the patterns they were made from match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sanshe.groups import analysis, claims, harm, rules  # noqa: F401  (importing gates their patterns)
from sanshe.groups.evaluation import read_file
from sanshe.rules.chatrisk import detect  # noqa: F401  (importing gates its patterns)
from sanshe.rules.chatrisk.normalise import normalise
from sanshe.rules.chatrisk.prefilter import ORIGINALS, first_chars, gated

DATA = Path(__file__).resolve().parents[2] / "bench" / "riskdata"
# The tuning sets and the training extras; the frozen test split is never read outside the benchmark.
PUBLIC = ("dev.tsv", "dev2.tsv", "dev3.tsv", "dev4.tsv", "moddev.tsv", "moddev2.tsv", "train_extra.tsv", "mod_extra.tsv")


def _texts() -> list[str]:
    texts = [m for name in PUBLIC for example in read_file(DATA / name) for m in example.messages]
    return texts + [normalise(t) for t in texts]


@pytest.mark.parametrize(("pattern", "expected"), [
    ("想死", {"想"}),
    ("(?:已经|刚)吃了", {"已", "刚"}),
    ("(?:我)?跳楼", {"我", "跳"}),
    ("(?<![不没])想死", {"想"}),
    (r"\d+片", {r"\d"}),
    ("[安镇]定", {"安", "镇"}),
    ("(?i)ok", {"o"}),
])
def test_first_characters_of_a_pattern(pattern, expected):
    assert first_chars(pattern) == frozenset(expected)


@pytest.mark.parametrize("pattern", [".死", "[^，。]{0,3}死", r"\w死", "(?:我)?", "想?", "[一-龥]死"])
def test_patterns_whose_first_characters_cannot_be_listed_are_not_gated(pattern):
    compiled = re.compile(pattern)
    assert first_chars(pattern) is None
    assert gated(compiled) is compiled


def test_a_gated_pattern_finds_the_same_matches_at_the_same_places():
    pattern = re.compile("(?<!不)(?:想|要)(?:去)?死")
    fast = gated(pattern)
    assert fast is not pattern
    text = "我不想死，但他说想去死，要死了"
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in pattern.finditer(text)] != []


def test_every_gated_rule_pattern_matches_as_before_on_the_public_sets():
    texts = _texts()
    assert len(ORIGINALS) > 100  # the concept, counter-evidence, moderation and normalisation patterns
    for fast, original in ORIGINALS.items():
        for text in texts:
            assert [m.span() for m in fast.finditer(text)] == [m.span() for m in original.finditer(text)], (
                original.pattern[:60], text)


def test_a_gate_folds_case_as_its_pattern_does():
    pattern = re.compile("ok", re.IGNORECASE)
    assert [m.group(0) for m in gated(pattern).finditer("OK, ok, Ok")] == ["OK", "ok", "Ok"]
    assert first_chars("(?i:ok)") is None  # a local flag: not gated
