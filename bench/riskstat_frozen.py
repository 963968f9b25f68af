"""The statistical second opinion (sanshe/rules/chatrisk/riskstat.py) alone on the frozen test split: aggregate counts only.

`python -m bench.riskstat_frozen` prints, per risk label of `bench/riskdata/test.tsv`, how many lines the model
flags at the artefact's threshold (its `opinion` is not None) — never a line of the split, so that reading the
output cannot leak test messages into training or tuning. The threshold and the training were fixed from
cross-validation on dev.tsv + train_extra.tsv before this was first run; see bench/riskdata/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.train_riskstat import DATA, POSITIVE, read_examples
    from sanshe.rules.chatrisk import riskstat

    examples = read_examples([DATA / "test.tsv"])
    counts: dict[str, list[int]] = {}
    for label, text in examples:
        entry = counts.setdefault(label, [0, 0])
        entry[0] += riskstat.opinion(text) is not None
        entry[1] += 1
    print(f"冻结测试集，仅模型（阈值 {riskstat.threshold():.2f}，标记 = 底线 {riskstat.FLOOR}）：")
    for label in ("imminent", "high", "distress", "none"):
        flagged, total = counts.get(label, [0, 0])
        share = f"{100 * flagged / total:.1f} %" if total else "-"
        print(f"  {label:9} 标记 {flagged}/{total} ({share})")
    flagged = sum(counts.get(label, [0, 0])[0] for label in POSITIVE)
    total = sum(counts.get(label, [0, 0])[1] for label in POSITIVE)
    print(f"  imminent+high 标记 {flagged}/{total} ({100 * flagged / max(total, 1):.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
