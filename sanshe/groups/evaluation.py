"""Measure the chat risk detector and the moderation rules on a labelled file (bench/riskdata/*.tsv).

Pure: reads lines, runs the detector, counts. The `risk_eval` command prints the report, `bench/risk_bench.py`
prints it for both splits with the goals of issue 13. The file format (shared contract): UTF-8 TSV,
`label<TAB>text`, `#` comments and blank lines ignored; a text may hold several messages by the same person,
earlier first, separated by ` ||| `, and the label is for the last one read in their context.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

RISK_LABELS = ("imminent", "high", "distress", "none")
MODERATION_CATEGORIES = ("rumour", "panic", "unapproved_news", "superstition", "incitement", "violence",
                         "private_data", "pornography", "negative")
NOTICE = "notice"
CONTEXT_SEPARATOR = " ||| "
ALERT = 6  # the level at which staff are alerted
IMMINENT = 9
QUIET = 3  # everyday and hyperbolic messages must stay at or below this
NO_SIGNAL = "—"  # the confusion key for a line on which no signal fired

# The goals of issue 13 (held-out sets): share of lines that must meet their label's bar.
GOAL_IMMINENT = 0.95
GOAL_HIGH = 0.95
GOAL_NONE_QUIET = 0.95
GOAL_MODERATION = 0.90


class EvalFileError(ValueError):
    """A line that is not `label<TAB>text` with a known label, or a file that cannot be read."""


@dataclass(frozen=True)
class Example:
    label: str  # "imminent" … "none", or "mod:<category>" / "mod:notice"
    messages: tuple[str, ...]  # earlier first; the label is for the last
    line: int = 0
    source: str = ""

    @property
    def text(self) -> str:
        return CONTEXT_SEPARATOR.join(self.messages)

    @property
    def is_risk(self) -> bool:
        return self.label in RISK_LABELS

    @property
    def category(self) -> str:
        """The moderation category of a `mod:` label ("" for risk labels)."""
        return self.label.removeprefix("mod:") if self.label.startswith("mod:") else ""


@dataclass(frozen=True)
class Outcome:
    """What the detector said about one example."""

    example: Example
    level: int
    signals: tuple[str, ...] = ()  # signal codes "kind:text"
    moderation: tuple[str, ...] = ()  # categories the rules held the (last) message for

    @property
    def kinds(self) -> tuple[str, ...]:
        """The concepts that fired: each signal code's part before ':', once each, in order."""
        return tuple(dict.fromkeys(code.split(":", 1)[0] for code in self.signals))

    @property
    def held(self) -> bool:
        return bool(self.moderation)


def parse_label(raw: str) -> str | None:
    """The label if it is one of the contract's labels, else None."""
    label = raw.strip()
    if label in RISK_LABELS:
        return label
    if label.startswith("mod:") and label[4:] in (*MODERATION_CATEGORIES, NOTICE):
        return label
    return None


def read_examples(lines: Iterable[str], source: str = "") -> list[Example]:
    """Examples of a TSV file's lines; raises EvalFileError naming the line for a malformed one."""
    examples = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n").lstrip("\ufeff")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{source}:{number}" if source else str(number)
        if "\t" not in line:
            raise EvalFileError(_("第 %(where)s 行：应为“标签<Tab>文本”，没有 Tab 分隔") % {"where": where})
        raw_label, text = line.split("\t", 1)
        label = parse_label(raw_label)
        if label is None:
            raise EvalFileError(_("第 %(where)s 行：未知的标签“%(label)s”（可用：%(labels)s，mod:<类别>）")
                                % {"where": where, "label": raw_label.strip(), "labels": "、".join(RISK_LABELS)})
        messages = tuple(part.strip() for part in text.split(CONTEXT_SEPARATOR.strip()) if part.strip())
        if not messages:
            raise EvalFileError(_("第 %(where)s 行：文本为空") % {"where": where})
        examples.append(Example(label=label, messages=messages, line=number, source=source))
    return examples


def read_file(path: str | Path) -> list[Example]:
    """Examples of one file; EvalFileError (in Chinese) when it is missing, unreadable or not UTF-8."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig") as stream:
            return read_examples(stream, source=path.name)
    except OSError as exc:
        raise EvalFileError(_("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror or exc}) from exc
    except UnicodeDecodeError as exc:
        raise EvalFileError(_("文件 %(path)s 不是 UTF-8 编码，请另存为 UTF-8 后重试") % {"path": path}) from exc


def _codes(result) -> tuple[str, ...]:
    codes = getattr(result, "codes", None)
    if codes is None:
        codes = [signal.code() if callable(getattr(signal, "code", None)) else str(signal)
                 for signal in getattr(result, "signals", ())]
    return tuple(codes)


def detect(example: Example) -> Outcome:
    """Run today's detector: `risk.assess_context` over a context line's messages (the last message alone if
    the detector has no assess_context), `analysis.analyse` for a single message; moderation on the last."""
    from sanshe.rules import chatrisk as risk

    from . import analysis

    last = example.messages[-1]
    row = analysis.analyse(last)
    level, signals = row["risk_level"], tuple(row["risk_signals"])
    if len(example.messages) > 1:
        assess_context = getattr(risk, "assess_context", None)
        if assess_context is not None:
            result = assess_context(list(example.messages))
            level, signals = result.level, _codes(result)
    return Outcome(example=example, level=level, signals=signals, moderation=tuple(row["moderation"]))


@dataclass
class LabelStats:
    """One risk label: how many lines, and how many reached the alert and imminent levels or stayed quiet."""

    label: str
    count: int = 0
    alerted: int = 0  # level ≥ 6
    imminent: int = 0  # level ≥ 9
    quiet: int = 0  # level ≤ 3

    def share(self, n: int) -> float:
        return n / self.count if self.count else 0.0


@dataclass
class ModerationStats:
    """One moderation category: how many lines, held at all, held with this category."""

    category: str
    count: int = 0
    held: int = 0
    held_right: int = 0

    def share(self, n: int) -> float:
        return n / self.count if self.count else 0.0


@dataclass(frozen=True)
class Goal:
    name: str
    value: float
    target: float
    met: bool
    count: int  # lines the goal is measured on (a goal on no lines is not met)


@dataclass
class Report:
    total: int = 0
    risk: dict[str, LabelStats] = field(default_factory=dict)
    moderation: dict[str, ModerationStats] = field(default_factory=dict)
    notice: ModerationStats = field(default_factory=lambda: ModerationStats(NOTICE))
    missed: list[Outcome] = field(default_factory=list)  # imminent < 9, high < 6
    false_alarms: list[Outcome] = field(default_factory=list)  # none > 3, distress ≥ 9
    moderation_missed: list[Outcome] = field(default_factory=list)  # mod:<category> not held with it
    false_holds: list[Outcome] = field(default_factory=list)  # mod:notice held
    missed_kinds: Counter = field(default_factory=Counter)  # concept → missed lines on which it fired
    false_alarm_kinds: Counter = field(default_factory=Counter)
    context_lines: int = 0

    @property
    def moderation_total(self) -> ModerationStats:
        """All `mod:<category>` lines together (notices excluded)."""
        total = ModerationStats("all")
        for stats in self.moderation.values():
            total.count += stats.count
            total.held += stats.held
            total.held_right += stats.held_right
        return total

    def goals(self) -> list[Goal]:
        """The goals of issue 13, each measured on this report's lines."""
        goals = []

        def add(name: str, stats: LabelStats | ModerationStats, n: int, target: float) -> None:
            value = stats.share(n)
            goals.append(Goal(name, value, target, bool(stats.count) and value >= target, stats.count))

        add(_("紧急（imminent）达到 ≥9"), self.risk.get("imminent", LabelStats("imminent")),
            self.risk.get("imminent", LabelStats("imminent")).imminent, GOAL_IMMINENT)
        add(_("高风险（high）达到 ≥6"), self.risk.get("high", LabelStats("high")),
            self.risk.get("high", LabelStats("high")).alerted, GOAL_HIGH)
        add(_("日常与夸张（none）保持 ≤3"), self.risk.get("none", LabelStats("none")),
            self.risk.get("none", LabelStats("none")).quiet, GOAL_NONE_QUIET)
        total = self.moderation_total
        add(_("谣言与有害内容被拦下"), total, total.held, GOAL_MODERATION)
        goals.append(Goal(_("日常通知被拦下的条数为 0"), float(self.notice.held), 0.0,
                          self.notice.count > 0 and self.notice.held == 0, self.notice.count))
        return goals


def count(outcomes: Iterable[Outcome]) -> Report:
    """The report over the detector's outcomes (pure counting: no detector is run here)."""
    report = Report(risk={label: LabelStats(label) for label in RISK_LABELS})
    for outcome in outcomes:
        example = outcome.example
        report.total += 1
        report.context_lines += len(example.messages) > 1
        if example.is_risk:
            stats = report.risk[example.label]
            stats.count += 1
            stats.alerted += outcome.level >= ALERT
            stats.imminent += outcome.level >= IMMINENT
            stats.quiet += outcome.level <= QUIET
            missed = (example.label == "imminent" and outcome.level < IMMINENT) or (
                example.label == "high" and outcome.level < ALERT)
            false_alarm = (example.label == "none" and outcome.level > QUIET) or (
                example.label == "distress" and outcome.level >= IMMINENT)
            if missed or false_alarm:
                (report.missed if missed else report.false_alarms).append(outcome)
                kinds = report.missed_kinds if missed else report.false_alarm_kinds
                kinds.update(outcome.kinds or (NO_SIGNAL,))
            continue
        category = example.category
        if category == NOTICE:
            report.notice.count += 1
            if outcome.held:
                report.notice.held += 1
                report.false_holds.append(outcome)
            continue
        stats = report.moderation.setdefault(category, ModerationStats(category))
        stats.count += 1
        stats.held += outcome.held
        stats.held_right += category in outcome.moderation
        if category not in outcome.moderation:
            report.moderation_missed.append(outcome)
    return report


def evaluate(examples: Sequence[Example], detector: Callable[[Example], Outcome] = detect) -> Report:
    """Run the detector over the examples and count."""
    return count(detector(example) for example in examples)
