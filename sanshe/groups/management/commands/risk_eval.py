"""Measure the chat risk detector and moderation rules on labelled files.

    python manage.py risk_eval bench/riskdata/dev.tsv
    python manage.py risk_eval dev.tsv test.tsv --show-misses 20
    python manage.py risk_eval dev.tsv --json

The format is `label<TAB>text` (see bench/riskdata/README.md). Prints, per risk label, recall at the alert (≥6)
and imminent (≥9) levels, the false-alarm rate on `none`, the moderation catch rate per category, the false
holds of everyday notices, and which concepts fired on the missed and falsely alarmed lines. Exit code 0
whatever the numbers; a CommandError only when a file cannot be read.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanshe.groups.evaluation import NO_SIGNAL, EvalFileError, Outcome, Report, evaluate, read_file


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def report_as_dict(report: Report, misses: int = 0) -> dict[str, Any]:
    """The report as plain data (for --json)."""

    def outcome(o: Outcome) -> dict[str, Any]:
        return {"label": o.example.label, "text": o.example.text, "where": f"{o.example.source}:{o.example.line}",
                "level": o.level, "signals": list(o.signals), "moderation": list(o.moderation)}

    return {
        "total": report.total,
        "context_lines": report.context_lines,
        "risk": {label: {"count": s.count, "alert": s.share(s.alerted), "imminent": s.share(s.imminent),
                         "quiet": s.share(s.quiet)} for label, s in report.risk.items()},
        "moderation": {cat: {"count": s.count, "held": s.share(s.held), "held_right": s.share(s.held_right)}
                       for cat, s in sorted(report.moderation.items())},
        "notice": {"count": report.notice.count, "held": report.notice.held},
        "confusion": {"missed": dict(report.missed_kinds.most_common()),
                      "false_alarm": dict(report.false_alarm_kinds.most_common())},
        "goals": [{"name": g.name, "value": g.value, "target": g.target, "met": g.met, "count": g.count}
                  for g in report.goals()],
        "missed": [outcome(o) for o in report.missed[:misses]],
        "false_alarms": [outcome(o) for o in report.false_alarms[:misses]],
        "moderation_missed": [outcome(o) for o in report.moderation_missed[:misses]],
        "false_holds": [outcome(o) for o in report.false_holds[:misses]],
    }


def write_report(write, report: Report, misses: int = 0) -> None:
    """Print the report in Chinese with `write` (one line per call); shared by the command and the bench."""
    names = {"imminent": _("紧急"), "high": _("高风险"), "distress": _("情绪困扰"), "none": _("无风险")}
    write(_("共 %(total)d 条（其中上下文 %(context)d 条）") % {"total": report.total, "context": report.context_lines})
    write(_("【风险分级】"))
    for label, stats in report.risk.items():
        if not stats.count:
            continue
        head = f"  {names[label]}（{label}）{stats.count} 条："
        if label in ("imminent", "high"):
            write(head + _("达到预警 ≥6：%(alert)s；达到紧急 ≥9：%(imminent)s")
                  % {"alert": _pct(stats.share(stats.alerted)), "imminent": _pct(stats.share(stats.imminent))})
        elif label == "distress":
            write(head + _("误升为紧急 ≥9：%(imminent)s；达到预警 ≥6：%(alert)s；≤3：%(quiet)s")
                  % {"imminent": _pct(stats.share(stats.imminent)), "alert": _pct(stats.share(stats.alerted)),
                     "quiet": _pct(stats.share(stats.quiet))})
        else:
            write(head + _("误报率（≥6）：%(alert)s；保持 ≤3：%(quiet)s")
                  % {"alert": _pct(stats.share(stats.alerted)), "quiet": _pct(stats.share(stats.quiet))})
    if report.moderation or report.notice.count:
        write(_("【内容审核】"))
        for category, stats in sorted(report.moderation.items()):
            write(_("  %(category)s %(count)d 条：拦下 %(held)s；类别正确 %(right)s")
                  % {"category": category, "count": stats.count, "held": _pct(stats.share(stats.held)),
                     "right": _pct(stats.share(stats.held_right))})
        total = report.moderation_total
        if total.count:
            write(_("  合计 %(count)d 条：拦下 %(held)s；类别正确 %(right)s")
                  % {"count": total.count, "held": _pct(total.share(total.held)),
                     "right": _pct(total.share(total.held_right))})
        if report.notice.count:
            write(_("  日常通知 %(count)d 条：误拦 %(held)d 条（%(rate)s）")
                  % {"count": report.notice.count, "held": report.notice.held,
                     "rate": _pct(report.notice.share(report.notice.held))})
    write(_("【按概念的混淆】（漏报：紧急 <9、高风险 <6；误报：无风险 >3、情绪困扰 ≥9）"))
    for title, lines, kinds in ((_("漏报"), report.missed, report.missed_kinds),
                                (_("误报"), report.false_alarms, report.false_alarm_kinds)):
        parts = [f"{_('无信号') if kind == NO_SIGNAL else kind} {n}" for kind, n in kinds.most_common()]
        write(_("  %(title)s %(count)d 条：%(kinds)s")
              % {"title": title, "count": len(lines), "kinds": "，".join(parts) if parts else _("（无）")})
    if misses:
        for title, lines in ((_("漏报"), report.missed), (_("误报"), report.false_alarms),
                             (_("审核漏拦或类别不对"), report.moderation_missed), (_("误拦的日常通知"), report.false_holds)):
            if not lines:
                continue
            write(_("【%(title)s（前 %(n)d 条，共 %(count)d 条）】")
                  % {"title": title, "n": min(misses, len(lines)), "count": len(lines)})
            for o in lines[:misses]:
                signals = " ".join(o.signals) or _("无信号")
                held = "、".join(o.moderation) or _("未拦")
                write(f"  [{o.example.source}:{o.example.line}] {o.example.label} → {o.level} | {signals} | {held}"
                      f" | {o.example.text}")


class Command(BaseCommand):
    help = ("Measure the risk detector and moderation rules on labelled TSV files (label<TAB>text): recall per "
            "label at the alert (>=6) and imminent (>=9) levels, false alarms, moderation catch rates, confusion "
            "by concept.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="labelled TSV files (UTF-8)")
        parser.add_argument("--show-misses", type=int, default=0, metavar="N",
                            help="list up to N missed and N falsely alarmed lines with their level and signals")
        parser.add_argument("--json", action="store_true", help="the report as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        examples = []
        try:
            for path in options["files"]:
                examples.extend(read_file(path))
        except EvalFileError as exc:
            raise CommandError(str(exc)) from None
        report = evaluate(examples)
        misses = max(0, options["show_misses"])
        if options["json"]:
            self.stdout.write(json.dumps(report_as_dict(report, misses), ensure_ascii=False, indent=2))
            return
        write_report(self.stdout.write, report, misses)
        for goal in report.goals():
            value = str(int(goal.value)) if goal.target == 0.0 else _pct(goal.value)
            if not goal.count:
                self.stdout.write(_("目标 %(name)s：文件中没有这类数据，不评估") % {"name": goal.name})
                continue
            self.stdout.write(_("目标 %(name)s：%(value)s —— %(verdict)s")
                              % {"name": goal.name, "value": value, "verdict": _("达成") if goal.met else _("未达成")})
