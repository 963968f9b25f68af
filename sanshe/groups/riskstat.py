"""A statistical second opinion on chat risk: a character n-gram logistic regression. Pure, stdlib only.

Why this model: the rule-based detector (`sanshe.groups.risk`) explains itself by concepts but only knows the
surface forms in its vocabularies; a character n-gram model reads any Chinese text without segmentation and
picks up phrasings nobody listed (以后不用给我留饭了, 把猫托付给你了). Logistic regression rather than naive
Bayes because its score is a probability that can be thresholded directly and it does not over-count the many
overlapping n-grams of one phrase (naive Bayes treats 不想, 想活, 不想活 as independent evidence and pushes
every score to 0 or 1, so its threshold is brittle).

Features: the set of character 1-, 2- and 3-grams of the text normalised exactly as the rule detector does
(`sanshe.groups.risk.normalise`), each present gram counted once. The weights are trained by
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

from sanshe.groups.risk import normalise

WEIGHTS_PATH = Path(__file__).resolve().parent / "riskstat_weights.json"
NGRAM_SIZES = (1, 2, 3)
# The level the model alone may raise a message to: an alert (≥ 6) for a person to read, never "imminent" —
# an imminent level needs the concepts (method, state, time) that the rule detector explains.
FLOOR = 6

_model: tuple[dict[str, float], float, float] | None = None


def grams(text: str) -> set[str]:
    """The distinct character 1–3-grams of an already normalised text."""
    found: set[str] = set()
    length = len(text)
    for size in NGRAM_SIZES:
        for start in range(length - size + 1):
            found.add(text[start:start + size])
    return found


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
    """The linear score (log-odds) of an already normalised text under the given weights."""
    get = weights.get
    total = bias
    length = len(text)
    seen: set[str] = set()
    for size in NGRAM_SIZES:
        for start in range(length - size + 1):
            gram = text[start:start + size]
            if gram not in seen:
                seen.add(gram)
                total += get(gram, 0.0)
    return total


def sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def score(text: str) -> float:
    """P(alert-worthy risk) for one message, 0–1."""
    weights, bias, _ = _load()
    return sigmoid(margin(weights, bias, normalise(text)))


def opinion(text: str) -> tuple[int, str] | None:
    """(level floor, signal code) when the model is confident the message needs an alert, else None."""
    value = score(text)
    if value < threshold():
        return None
    return FLOOR, f"model:{math.floor(value * 100) / 100:.2f}"
