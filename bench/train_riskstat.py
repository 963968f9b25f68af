"""Train the statistical second opinion on chat risk (`sanshe/rules/chatrisk/riskstat.py`): `make riskstat`.

Data: `bench/riskdata/dev.tsv`, `dev2.tsv`, `dev3.tsv` and `dev4.tsv` (the tuning splits) and `bench/riskdata/train_extra.tsv` (more hand-written lines
for training only). Never the frozen test split: this script names no other file. Labels imminent / high are
positive, distress / none negative; `mod:` lines are skipped; for a ` ||| ` context line only the last message
is used (the model reads one message).

Model: logistic regression over the set of character 1–3-grams of the normalised text (grams seen in at least
MIN_DF training lines; each present gram valued 1/sqrt(number of distinct grams)), L2-regularised, trained by stochastic gradient descent with a fixed seed; then pruned
to the KEEP grams with the largest absolute weight and retrained on those alone, weights rounded to 4 decimals.

Threshold: 5-fold stratified cross-validation on the same data (each fold scored by a model trained on the
other four, trained exactly as above); the threshold is the lowest value on a 0.01 grid at which at most
MAX_NONE_FLAGGED of the out-of-fold `none` lines score at or above it. The CV figures are printed and stored
in the artefact.

Deterministic: fixed seed, sorted vocabulary, sorted JSON keys, so two runs write byte-identical files.
Stdlib only. Usage: `python -m bench.train_riskstat [--out PATH] [--no-cv]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "riskdata"
TRAINING_FILES = ("dev.tsv", "dev2.tsv", "dev3.tsv", "dev4.tsv", "train_extra.tsv")
OUT = ROOT / "sanshe" / "rules" / "chatrisk" / "riskstat_weights.json"

POSITIVE = ("imminent", "high")
NEGATIVE = ("distress", "none")
SEED = 13
EPOCHS = 40
LEARNING_RATE = 2.0
L2 = 3e-3
MIN_DF = 2
KEEP = 4000
FOLDS = 5
MAX_NONE_FLAGGED = 0.02
THRESHOLD_FLOOR = 0.5
DIGITS = 4


def read_examples(paths: Iterable[Path], labels: Iterable[str] = POSITIVE + NEGATIVE) -> list[tuple[str, str]]:
    """(label, last message) for every line of the files whose label is one of `labels`, in file order."""
    wanted = frozenset(labels)
    examples = []
    for path in paths:
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip() or raw.startswith("#"):
                continue
            label, _, text = raw.partition("\t")
            label = label.strip()
            if label not in wanted:
                continue
            examples.append((label, text.split(" ||| ")[-1].strip()))
    return examples


def _features(texts: Sequence[str]) -> list[list[str]]:
    from sanshe.rules.chatrisk import normalise
    from sanshe.rules.chatrisk.riskstat import grams

    return [sorted(grams(normalise(text))) for text in texts]


def _sgd(
    rows: list[list[int]], lengths: list[float], targets: list[int], size: int, l2: float = L2
) -> tuple[list[float], float]:
    """L2-regularised logistic regression by SGD over binary rows scaled by `lengths`; deterministic (fixed seed)."""
    from sanshe.rules.chatrisk.riskstat import sigmoid

    weights = [0.0] * size
    bias = 0.0
    order = list(range(len(rows)))
    rng = random.Random(SEED)
    positives = sum(targets) or 1
    negatives = (len(targets) - positives) or 1
    # Balanced classes: each class carries half of the loss whatever its count.
    class_weight = (len(targets) / (2 * negatives), len(targets) / (2 * positives))
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = LEARNING_RATE / (1 + epoch * 0.25)
        for index in order:
            row = rows[index]
            target = targets[index]
            scale = lengths[index]
            value = 0.0
            for feature in row:
                value += weights[feature]
            gradient = (sigmoid(bias + value * scale) - target) * class_weight[target]
            step = rate * gradient
            bias -= step
            shrink = 1 - rate * l2
            step *= scale
            for feature in row:
                weights[feature] = weights[feature] * shrink - step
    return weights, bias


def train(
    examples: Sequence[tuple[str, str]], positive: Iterable[str] = POSITIVE, keep: int = KEEP, l2: float = L2
) -> tuple[dict[str, float], float]:
    """Weights by gram (pruned to `keep`, rounded) and bias for the examples; labels in `positive` are 1."""
    positive = frozenset(positive)
    texts = [text for _, text in examples]
    targets = [1 if label in positive else 0 for label, _ in examples]
    feature_sets = _features(texts)
    frequency: dict[str, int] = {}
    for found in feature_sets:
        for gram in found:
            frequency[gram] = frequency.get(gram, 0) + 1
    vocabulary = sorted(gram for gram, count in frequency.items() if count >= MIN_DF)
    weights, bias = _fit(feature_sets, targets, vocabulary, l2)
    ranked = sorted(zip(vocabulary, weights, strict=True), key=lambda item: (-abs(item[1]), item[0]))
    kept = sorted(gram for gram, _ in ranked[:keep])
    weights, bias = _fit(feature_sets, targets, kept, l2)
    rounded = {gram: round(weight, DIGITS) for gram, weight in zip(kept, weights, strict=True)}
    return {gram: weight for gram, weight in rounded.items() if weight}, round(bias, DIGITS)


def _fit(
    feature_sets: list[list[str]], targets: list[int], vocabulary: list[str], l2: float = L2
) -> tuple[list[float], float]:
    index = {gram: position for position, gram in enumerate(vocabulary)}
    rows = [[index[gram] for gram in found if gram in index] for found in feature_sets]
    # The scale is that of the whole message (all its grams), as `riskstat.margin` computes it at run time.
    lengths = [1 / math.sqrt(len(found)) if found else 0.0 for found in feature_sets]
    return _sgd(rows, lengths, targets, len(vocabulary), l2)


def scores(model: tuple[dict[str, float], float], texts: Iterable[str]) -> list[float]:
    """`riskstat.score` under the given weights, summing grams in sorted order (independent of PYTHONHASHSEED)."""
    from sanshe.rules.chatrisk.riskstat import sigmoid

    weights, bias = model
    out = []
    for found in _features(list(texts)):
        total = sum(weights.get(gram, 0.0) for gram in found)
        out.append(sigmoid(bias + total / math.sqrt(len(found))) if found else sigmoid(bias))
    return out


def throughput(texts: Sequence[str], seconds: float = 2.0) -> tuple[float, float]:
    """Messages per second on one core of `riskstat.score_normalised` (model alone) and `riskstat.score`."""
    import time

    from sanshe.rules.chatrisk import normalise, riskstat

    normalised = [normalise(text) for text in texts]
    rates = []
    for function, inputs in ((riskstat.score_normalised, normalised), (riskstat.score, texts)):
        function(inputs[0])
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for text in inputs:
                function(text)
            done += len(inputs)
        rates.append(done / (time.perf_counter() - started))
    return rates[0], rates[1]


def _folds(examples: Sequence[tuple[str, str]]) -> list[int]:
    """A fold number for each example, stratified by label, from the fixed seed."""
    rng = random.Random(SEED)
    fold_of = [0] * len(examples)
    for label in sorted({label for label, _ in examples}):
        members = [i for i, (other, _) in enumerate(examples) if other == label]
        rng.shuffle(members)
        for position, member in enumerate(members):
            fold_of[member] = position % FOLDS
    return fold_of


def cross_validate(
    examples: Sequence[tuple[str, str]], positive: Iterable[str] = POSITIVE, keep: int = KEEP, l2: float = L2
) -> list[float]:
    """Out-of-fold score of every example (labels in `positive` are the positive class)."""
    positive = frozenset(positive)
    fold_of = _folds(examples)
    out = [0.0] * len(examples)
    for fold in range(FOLDS):
        train_part = [example for example, f in zip(examples, fold_of, strict=True) if f != fold]
        held = [i for i, f in enumerate(fold_of) if f == fold]
        model = train(train_part, positive, keep, l2)
        for i, value in zip(held, scores(model, [examples[i][1] for i in held]), strict=True):
            out[i] = value
    return out


def choose_threshold(labels: Sequence[str], values: Sequence[float]) -> float:
    nones = [value for label, value in zip(labels, values, strict=True) if label == "none"]
    for step in range(int(THRESHOLD_FLOOR * 100), 100):
        candidate = step / 100
        if sum(value >= candidate for value in nones) <= MAX_NONE_FLAGGED * len(nones):
            return candidate
    return 0.99


def flag_rates(labels: Sequence[str], values: Sequence[float], threshold: float) -> dict[str, list[int]]:
    """{label: [flagged, total]} at the threshold."""
    rates: dict[str, list[int]] = {}
    for label, value in zip(labels, values, strict=True):
        entry = rates.setdefault(label, [0, 0])
        entry[0] += value >= threshold
        entry[1] += 1
    return dict(sorted(rates.items()))


def artefact(weights: dict[str, float], bias: float, threshold: float, cv: dict, sources: dict) -> str:
    data = {
        "about": "Character 1-3-gram logistic regression for sanshe.rules.chatrisk.riskstat; written by "
                 "bench/train_riskstat.py (make riskstat); do not edit by hand.",
        "bias": bias,
        "cv": cv,
        "ngram_sizes": [1, 2, 3],
        "threshold": threshold,
        "trained_on": sources,
        "weights": weights,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def _percent(pair: Sequence[int]) -> str:
    flagged, total = pair
    return f"{flagged}/{total} ({100 * flagged / total:.1f} %)" if total else "0/0"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-cv", action="store_true", help="keep the threshold of the existing artefact")
    parser.add_argument("--speed", action="store_true", help="then measure the written model's messages/s")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    paths = [DATA / name for name in TRAINING_FILES]
    examples = read_examples(paths)
    labels = [label for label, _ in examples]
    sources = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths
    }
    print(f"训练数据：{len(examples)} 行（{', '.join(f'{k} {v[1]}' for k, v in flag_rates(labels, [0.0] * len(labels), 1).items())}）")
    if args.no_cv:
        previous = json.loads(args.out.read_text(encoding="utf-8"))
        threshold, cv = previous["threshold"], previous["cv"]
    else:
        values = cross_validate(examples)
        threshold = choose_threshold(labels, values)
        rates = flag_rates(labels, values, threshold)
        positives = [sum(rates.get(label, [0, 0])[i] for label in POSITIVE) for i in (0, 1)]
        ranking = _auc(labels, values)
        cv = {"folds": FOLDS, "max_none_flagged": MAX_NONE_FLAGGED, "flagged": rates,
              "positive_recall": positives, "auc": round(ranking, 4)}
        print(f"{FOLDS} 折交叉验证，阈值 {threshold:.2f}（none 误报 ≤ {MAX_NONE_FLAGGED:.0%}），AUC {ranking:.3f}")
        for label, pair in rates.items():
            print(f"  {label:9} 标记 {_percent(pair)}")
        print(f"  imminent+high 召回 {_percent(positives)}")
    weights, bias = train(examples)
    text = artefact(weights, bias, threshold, cv, sources)
    args.out.write_text(text, encoding="utf-8")
    print(f"写入 {args.out}：{len(weights)} 个特征，{len(text.encode('utf-8')) // 1024} KB")
    if args.speed and args.out == OUT:
        alone, with_normalise = throughput([text for _, text in examples])
        print(f"速度（单核）：模型 {alone:,.0f} 条/秒，含 normalise {with_normalise:,.0f} 条/秒")
    return 0


def _auc(labels: Sequence[str], values: Sequence[float], positive: Iterable[str] = POSITIVE) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    positive = frozenset(positive)
    ranked = sorted(zip(values, [label in positive for label in labels], strict=True))
    positives = sum(1 for _, positive in ranked if positive)
    negatives = len(ranked) - positives
    if not positives or not negatives:
        return math.nan
    rank_sum = 0.0
    position = 0
    while position < len(ranked):
        end = position
        while end < len(ranked) and ranked[end][0] == ranked[position][0]:
            end += 1
        average = (position + 1 + end) / 2
        rank_sum += average * sum(1 for _, positive in ranked[position:end] if positive)
        position = end
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
