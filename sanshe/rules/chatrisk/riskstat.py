"""A statistical second opinion on chat risk: a character n-gram logistic regression. Pure, stdlib only.

Why this model: the rule-based detector (`sanshe.rules.chatrisk`) explains itself by concepts but only knows the
surface forms in its vocabularies; a character n-gram model reads any Chinese text without segmentation and
picks up phrasings nobody listed (以后不用给我留饭了, 把猫托付给你了). Logistic regression rather than naive
Bayes because its score is a probability that can be thresholded directly and it does not over-count the many
overlapping n-grams of one phrase (naive Bayes treats 不想, 想活, 不想活 as independent evidence and pushes
every score to 0 or 1, so its threshold is brittle).

Features: the set of character 1-, 2- and 3-grams of the text normalised exactly as the rule detector does
(`sanshe.rules.chatrisk.normalise`), each present gram counted once and the vector scaled to unit length
(every gram 1/sqrt(n)). The weights are trained by
`bench/train_riskstat.py` (`make riskstat`) on the project's own public set (`bench/riskdata/dev.tsv` and
`bench/riskdata/train_extra.tsv`, never the frozen test split), pruned to the most informative grams and
stored in `riskstat_weights.json` next to this file; the file records its threshold, chosen by
cross-validation so that at most 2 % of everyday (`none`) messages would be flagged.

Contract: the model never lowers anything. `opinion(text)` returns a level floor and a signal code
(`model:0.87`) only when the score reaches the threshold; the caller takes `max(rule_level, floor)` and adds
the code to `risk_signals`, so a staff member sees that the model, not a rule, raised the alert.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from sanshe.rules.chatrisk.normalise import normalise

WEIGHTS_PATH = Path(__file__).resolve().parent / "riskstat_weights.json"
# The level the model alone may raise a message to: an alert (≥ 6) for a person to read, never "imminent" —
# an imminent level needs the concepts (method, state, time) that the rule detector explains.
FLOOR = 6

_model: tuple[dict[str, float], float, float] | None = None


def grams(text: str) -> set[str]:
    """The distinct character 1–3-grams of an already normalised text."""
    positions = range(len(text))
    return {*text, *[text[i:i + 2] for i in positions[:-1]], *[text[i:i + 3] for i in positions[:-2]]}


def _load() -> tuple[dict[str, float], float, float]:
    global _model
    if _model is None:
        data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
        _model = (data["weights"], float(data["bias"]), float(data["threshold"]))
    return _model


def threshold() -> float:
    """The score at and above which `opinion` speaks (from the artefact, chosen by cross-validation)."""
    return _load()[2]


def margin(weights: dict[str, float], bias: float, text: str) -> float:
    """The linear score (log-odds) of an already normalised text under the given weights.

    Each distinct gram has the value 1/sqrt(number of distinct grams), so a long message does not outscore a
    short one merely by containing more grams.
    """
    found = grams(text)
    if not found:
        return bias
    get = weights.get
    total = 0.0
    for gram in found:
        total += get(gram, 0.0)
    return bias + total / math.sqrt(len(found))


def sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def score(text: str) -> float:
    """P(alert-worthy risk) for one message, 0–1."""
    return score_normalised(normalise(text))


def score_normalised(text: str) -> float:
    """`score` of a text already passed through `sanshe.rules.chatrisk.normalise` (the detector has it at hand)."""
    weights, bias, _ = _load()
    return sigmoid(margin(weights, bias, text))


def opinion(text: str, *, normalised: bool = False) -> tuple[int, str] | None:
    """(level floor, signal code) when the model is confident the message needs an alert, else None.

    `normalised=True` when `text` already went through `sanshe.rules.chatrisk.normalise`, to skip doing it twice.
    """
    value = score_normalised(text if normalised else normalise(text))
    if value < threshold():
        return None
    return FLOOR, f"model:{math.floor(value * 100) / 100:.2f}"
