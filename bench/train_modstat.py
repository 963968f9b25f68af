"""Train the statistical second opinion on chat moderation (`sanshe/groups/modstat.py`): `make modstat`.

Reuses the risk trainer (`bench/train_riskstat.py`: features, SGD, pruning, folds, scoring) with other labels.

Data: `bench/riskdata/dev.tsv`, `dev2.tsv`, `train_extra.tsv` and `mod_extra.tsv` (the moderation probes of
the tests, exported by `bench/export_mod_probes.py`). Never the frozen test split: this script names no other
file. Positives: every `mod:<category>` label except `mod:notice`; negatives: `mod:notice` and the risk labels
`none` / `distress` (everyday chat); `imminent` / `high` lines are not used. For a ` ||| ` context line only the
last message is used.

Models: one harmful-vs-everyday logistic regression (KEEP grams), and one-vs-rest per category trained on the
harmful lines only (CATEGORY_KEEP grams each), so a hold names a category.

Threshold: 5-fold stratified cross-validation of the harmful model; the lowest value on a 0.01 grid (not below
THRESHOLD_FLOOR) at which no out-of-fold `mod:notice` line and at most MAX_EVERYDAY_HELD of the out-of-fold
`none` / `distress` lines score at or above it. The figures are printed and stored in the artefact.

Deterministic (fixed seed, sorted keys): two runs write byte-identical files. Stdlib only.
Usage: `python -m bench.train_modstat [--out PATH] [--no-cv]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from bench import train_riskstat as base

ROOT = base.ROOT
DATA = base.DATA
TRAINING_FILES = ("dev.tsv", "dev2.tsv", "train_extra.tsv", "mod_extra.tsv")
OUT = ROOT / "sanshe" / "groups" / "modstat_weights.json"

CATEGORIES = ("superstition", "rumour", "negative", "violence", "pornography", "unapproved_news", "panic",
              "incitement", "private_data")
HARMFUL = tuple(f"mod:{category}" for category in CATEGORIES)
NOTICE = "mod:notice"
EVERYDAY = ("none", "distress")
KEEP = 3000
L2 = 1e-3
CATEGORY_KEEP = 1200
MAX_EVERYDAY_HELD = 0.01
THRESHOLD_FLOOR = 0.5


def read(paths: Iterable[Path]) -> list[tuple[str, str]]:
    return base.read_examples(paths, HARMFUL + (NOTICE,) + EVERYDAY)


def train_all(examples: Sequence[tuple[str, str]], keep: int = KEEP, category_keep: int = CATEGORY_KEEP) -> dict:
    """The harmful model and the per-category models: {"weights", "bias", "categories": {name: {...}}}."""
    weights, bias = base.train(examples, HARMFUL, keep, L2)
    harmful = [example for example in examples if example[0] in HARMFUL]
    present = sorted({label for label, _ in harmful})
    categories = {}
    for label in present:
        category_weights, category_bias = base.train(harmful, (label,), category_keep, L2)
        categories[label.removeprefix("mod:")] = {"bias": category_bias, "weights": category_weights}
    return {"bias": bias, "categories": categories, "weights": weights}


def choose_threshold(labels: Sequence[str], values: Sequence[float]) -> float:
    notices = [value for label, value in zip(labels, values, strict=True) if label == NOTICE]
    everyday = [value for label, value in zip(labels, values, strict=True) if label in EVERYDAY]
    for step in range(int(THRESHOLD_FLOOR * 100), 100):
        candidate = step / 100
        if any(value >= candidate for value in notices):
            continue
        if sum(value >= candidate for value in everyday) <= MAX_EVERYDAY_HELD * len(everyday):
            return candidate
    return 0.99


def summary(labels: Sequence[str], values: Sequence[float], threshold: float) -> dict:
    rates = base.flag_rates(labels, values, threshold)

    def total(group: Iterable[str]) -> list[int]:
        return [sum(rates.get(label, [0, 0])[i] for label in group) for i in (0, 1)]

    return {"harmful_held": total(HARMFUL), "notice_held": total((NOTICE,)), "everyday_held": total(EVERYDAY),
            "held": rates}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-cv", action="store_true", help="keep the threshold of the existing artefact")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    paths = [DATA / name for name in TRAINING_FILES]
    examples = read(paths)
    labels = [label for label, _ in examples]
    sources = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}
    print(f"训练数据：{len(examples)} 行")
    if args.no_cv:
        previous = json.loads(args.out.read_text(encoding="utf-8"))
        threshold, cv = previous["threshold"], previous["cv"]
    else:
        values = base.cross_validate(examples, HARMFUL, KEEP, L2)
        threshold = choose_threshold(labels, values)
        cv = summary(labels, values, threshold)
        cv.update(folds=base.FOLDS, max_everyday_held=MAX_EVERYDAY_HELD,
                  auc=round(base._auc(labels, values, HARMFUL), 4))
        print(f"{base.FOLDS} 折交叉验证，阈值 {threshold:.2f}，AUC {cv['auc']:.3f}")
        for label, pair in cv["held"].items():
            print(f"  {label:20} 拦截 {base._percent(pair)}")
        for key in ("harmful_held", "notice_held", "everyday_held"):
            print(f"  {key:20} {base._percent(cv[key])}")
    model = train_all(examples)
    data = {
        "about": "Character 1-3-gram logistic regressions for sanshe.groups.modstat; written by "
                 "bench/train_modstat.py (make modstat); do not edit by hand.",
        "cv": cv,
        "ngram_sizes": [1, 2, 3],
        "threshold": threshold,
        "trained_on": sources,
        **model,
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(f"写入 {args.out}：{len(model['weights'])} 个特征，{len(text.encode('utf-8')) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
