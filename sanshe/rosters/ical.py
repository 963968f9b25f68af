"""A volunteer's shifts as an iCalendar feed, written by hand per RFC 5545 (escaping, CRLF, 75-octet folding)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not out else 74  # continuation lines start with a space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(*, name: str, events: Iterable[dict], now: datetime, host: str) -> str:
    """VCALENDAR text; each event dict has uid, start, end, summary, description, status ("CONFIRMED"/"CANCELLED")."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Sanshe//Duty roster//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}", "X-WR-TIMEZONE:Asia/Shanghai",
             "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event['uid']}@{host}", f"DTSTAMP:{utc(now)}",
                  f"DTSTART:{utc(event['start'])}", f"DTEND:{utc(event['end'])}",
                  f"SUMMARY:{escape(event['summary'])}", f"DESCRIPTION:{escape(event['description'])}",
                  f"STATUS:{event.get('status', 'CONFIRMED')}"]
        if event.get("alarm_minutes"):
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{escape(event['summary'])}",
                      f"TRIGGER:-PT{int(event['alarm_minutes'])}M", "END:VALARM"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
