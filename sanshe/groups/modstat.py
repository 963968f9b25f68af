"""A statistical second opinion on chat moderation: character n-gram logistic regression. Pure, stdlib only.

The rules (`sanshe.groups.rules` word lists, `claims` shapes, `harm` concepts, the rumour base) explain
themselves but only know the wordings someone wrote down. This model reads any wording: the same features and
scorer as the risk model (`sanshe.rules.chatrisk.riskstat`: the set of character 1–3-grams of the normalised text,
each valued 1/sqrt(number of grams)), with two kinds of weights, both trained by `bench/train_modstat.py`
(`make modstat`) and stored in `modstat_weights.json` next to this file:

- one harmful-vs-everyday model: P(the message should be held) — positives every `mod:<category>` line
  except `mod:notice`, negatives `mod:notice` lines and `none`/`distress` risk lines (everyday chat);
- one-vs-rest models among the harmful lines, one per category, so a hold names the category that scores highest.

The threshold in the artefact was chosen by 5-fold cross-validation so that no `mod:notice` line and at most
1 % of the everyday risk lines would be held. `opinion(text)` returns `(category, "model:0.91")` only at or
above it; the rulebook asks only when its own rules hold nothing (see `RuleBook.check`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from sanshe.rules.chatrisk.normalise import normalise
from sanshe.rules.chatrisk.riskstat import margin, sigmoid

WEIGHTS_PATH = Path(__file__).resolve().parent / "modstat_weights.json"


class _Model:
    def __init__(self, data: dict):
        self.weights: dict[str, float] = data["weights"]
        self.bias = float(data["bias"])
        self.threshold = float(data["threshold"])
        self.categories: dict[str, tuple[dict[str, float], float]] = {
            name: (entry["weights"], float(entry["bias"])) for name, entry in sorted(data["categories"].items())
        }


_model: _Model | None = None


def _load() -> _Model:
    global _model
    if _model is None:
        _model = _Model(json.loads(WEIGHTS_PATH.read_text(encoding="utf-8")))
    return _model


def threshold() -> float:
    """The score at and above which `opinion` speaks (from the artefact, chosen by cross-validation)."""
    return _load().threshold


def score(text: str) -> float:
    """P(the message should be held), 0–1."""
    model = _load()
    return sigmoid(margin(model.weights, model.bias, normalise(text)))


def ranked_categories(text: str) -> list[tuple[str, float]]:
    """Every category with its one-vs-rest score, best first (ties by name)."""
    model = _load()
    norm = normalise(text)
    found = [(name, sigmoid(margin(weights, bias, norm))) for name, (weights, bias) in model.categories.items()]
    return sorted(found, key=lambda item: (-item[1], item[0]))


def category(text: str) -> str:
    """The category the model would hold the message under."""
    return ranked_categories(text)[0][0]


def opinion(text: str) -> tuple[str, str] | None:
    """(category, match term `model:0.91`) when the model is confident the message should be held, else None."""
    value = score(text)
    if value < threshold():
        return None
    return category(text), f"model:{math.floor(value * 100) / 100:.2f}"
