"""One message read for everything at once: risk, group rules, question. Pure (used by the scan command,
the scan API and anyone who needs the same answer the chat gives)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sanshe.rules import chatrisk as risk

from . import claims, rules


def analyse(text: str, rulebook: rules.RuleBook | None = None,
            rumours: claims.RumourIndex | None = None) -> dict[str, Any]:
    """{"text", "risk_level" 0–10, "risk_signals", "moderation" categories, "is_question"} for one message.

    Without arguments it reads with the default rule book and the default rumour base (no database needed).
    """
    book = rulebook or rules.DEFAULT_RULEBOOK
    assessment = risk.assess(text)
    verdict = book.check(text, rumours=rumours or claims.DEFAULT_INDEX)
    return {
        "text": text,
        "risk_level": assessment.level,
        "risk_signals": assessment.codes,
        "moderation": verdict.categories,
        "is_question": rules.is_question(text),
    }


@dataclass(frozen=True)
class ExportedMessage:
    sender: str
    time: str
    text: str


# A WeChat chat export (the text form that PC WeChat and the common exporters write): a header line with the
# date-time and the sender (in either order), then the message's lines, then a blank line.
_HEADER = re.compile(
    r"^\s*(?:(?P<name1>\S.*?)\s+)?(?P<time>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s+\d{1,2}:\d{2}(?::\d{2})?)"
    r"(?:\s+(?P<name2>\S.*?))?\s*$"
)


def read_wechat_export(lines: Iterator[str]) -> Iterator[ExportedMessage]:
    """Messages of a WeChat text export; lines before the first header are skipped."""
    sender = time = None
    body: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        header = _HEADER.match(line)
        if header:
            if time is not None and any(part.strip() for part in body):
                yield ExportedMessage(sender or "", time, "\n".join(body).strip())
            sender = (header.group("name1") or header.group("name2") or "").strip()
            time = header.group("time")
            body = []
        elif time is not None:
            body.append(line)
    if time is not None and any(part.strip() for part in body):
        yield ExportedMessage(sender or "", time, "\n".join(body).strip())
