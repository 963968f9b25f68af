"""Chat risk detector and moderation: the public set's dev split and frozen test split against the goals of issue 13;
analyse() throughput on one core (goal ≥ 2,000 messages/s) against a normalisation-only baseline.

The sets are bench/riskdata/dev.tsv, dev2.tsv, dev3.tsv, dev4.tsv and moddev.tsv (tuning), moddev2.tsv (not tuned on) and bench/riskdata/test.tsv (frozen, never used to tune; see
bench/riskdata/README.md). Goals: imminent lines reach ≥9 in ≥95 %, high lines ≥6 in ≥95 %, none lines stay ≤3 in
≥95 %, ≥90 % of moderation lines held and no everyday notice held. Throughput: every message of both splits through
`analysis.analyse()` (risk + rules + question), passes repeated until RISK_BENCH_SECONDS (3) have passed, in this
process (one core). Baseline, measured in the same run on the same messages: `rules.normalise` + `risk.normalise`
alone — the floor any detector that normalises its input pays — so the ratio shows what the detection itself costs.
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parent / "riskdata"
SPLITS = (("dev.tsv", "开发集（可调参）"), ("dev2.tsv", "第二开发集（另一位作者，可调参）"),
          ("dev3.tsv", "第三开发集（第三位作者，可调参；调参前的得分见 bench/riskdata/README.md）"),
          ("moddev.tsv", "内容审核开发集（独立作者，可调参；调参前的得分见 bench/riskdata/README.md）"),
          ("dev4.tsv", "第四开发集（第四位作者，可调参；调参前的得分见 bench/riskdata/README.md）"),
          ("moddev2.tsv", "第二内容审核集（第四位作者，未用于调参）"),
          ("test.tsv", "冻结测试集（不可调参）"))
SECONDS = float(os.environ.get("RISK_BENCH_SECONDS", "3"))
GOAL_THROUGHPUT = 2000


def _rate(function: Callable[[str], object], messages: list[str], seconds: float) -> tuple[float, int]:
    """Messages per second of `function` over the messages, whole passes repeated until `seconds` have passed."""
    done = 0
    started = time.perf_counter()
    while True:
        for text in messages:
            function(text)
        done += len(messages)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return done / elapsed, done


def _normalise_only() -> Callable[[str], object]:
    from sanshe.groups import rules
    from sanshe.rules import chatrisk as risk

    risk_normalise = getattr(risk, "normalise", None) or (lambda t: unicodedata.normalize("NFKC", t))
    rules_normalise = getattr(rules, "normalise", None) or (lambda t: unicodedata.normalize("NFKC", t))

    def baseline(text: str) -> object:
        return rules_normalise(text), risk_normalise(text)

    return baseline


def main() -> None:
    from sanshe.groups.analysis import analyse
    from sanshe.groups.evaluation import evaluate, read_file
    from sanshe.groups.management.commands.risk_eval import write_report

    messages: list[str] = []
    for name, title in SPLITS:
        path = DATA / name
        examples = read_file(path)
        messages.extend(m for e in examples for m in e.messages)
        started = time.perf_counter()
        report = evaluate(examples)
        print(f"\n{title} {name}（评估用时 {time.perf_counter() - started:.1f} 秒）", flush=True)
        write_report(print, report)
        for goal in report.goals():
            value = str(int(goal.value)) if goal.target == 0.0 else f"{goal.value * 100:.1f}%"
            target = "0" if goal.target == 0.0 else f"≥{goal.target * 100:.0f}%"
            if not goal.count:
                print(f"  目标 {goal.name}：没有这类数据，不评估", flush=True)
                continue
            print(f"  目标 {goal.name}：{value}（目标 {target}）—— {'达成' if goal.met else '未达成'}", flush=True)

    print(f"\n吞吐量（单核，{len(messages)} 条消息反复扫描 ≥{SECONDS:g} 秒）", flush=True)
    base_rate, base_n = _rate(_normalise_only(), messages, SECONDS)
    print(f"  基线 rules.normalise + risk.normalise：{base_rate:,.0f} 条/秒（{base_n:,} 条）", flush=True)
    rate, n = _rate(analyse, messages, SECONDS)
    print(f"  analyse()（风险 + 群规 + 提问）：{rate:,.0f} 条/秒（{n:,} 条），为基线的 1/{base_rate / rate:.1f}", flush=True)
    print(f"  目标 ≥{GOAL_THROUGHPUT:,} 条/秒 —— {'达成' if rate >= GOAL_THROUGHPUT else '未达成'}", flush=True)
