"""Pure roster rules: claim eligibility, overlap, rest and hours limits, drops, served time, templates.

Plain functions over plain data (datetimes, ints, tuples); no database. The services gather the facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Policy:
    """An organisation's roster rules (defaults per issue 3)."""

    max_hours_per_24h: int = 10
    min_rest_hours: int = 8
    no_show_limit: int = 2
    free_drop_hours: int = 3


@dataclass(frozen=True)
class ClaimFacts:
    """Everything the claim rules need about one claim."""

    now: datetime
    shift: Interval
    shift_cancelled: bool
    places_left: int
    cleared: bool
    in_group_role: bool
    already_on_shift: bool
    existing: tuple[Interval, ...]
    claim_window_days: int
    no_shows: int = 0
    self_claim: bool = True


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Intervals merged where they touch or overlap: back-to-back shifts are one block of work."""
    blocks: list[Interval] = []
    for item in sorted(intervals, key=lambda i: (i.start, i.end)):
        if blocks and item.start <= blocks[-1].end:
            if item.end > blocks[-1].end:
                blocks[-1] = Interval(blocks[-1].start, item.end)
        else:
            blocks.append(item)
    return blocks


def overlaps(a: Interval, b: Interval) -> bool:
    return a.start < b.end and b.start < a.end


def max_hours_in_any_24h(intervals: Sequence[Interval]) -> float:
    """The most hours worked in any 24-hour window (a window starting at some block start is maximal)."""
    blocks = merge(intervals)
    best = 0.0
    for anchor in blocks:
        window = Interval(anchor.start, anchor.start + DAY)
        total = sum(max(0.0, (min(b.end, window.end) - max(b.start, window.start)).total_seconds())
                    for b in blocks) / 3600
        best = max(best, total)
    return best


def shortest_rest(intervals: Sequence[Interval]) -> timedelta | None:
    """The shortest break between separate blocks of work, or None when there is a single block."""
    blocks = merge(intervals)
    gaps = [later.start - earlier.end for earlier, later in zip(blocks, blocks[1:], strict=False)]
    return min(gaps) if gaps else None


def _hours(value: float) -> str:
    return f"{value:g}"


# Problem codes a coordinator may set aside with a written reason to fill a gap: the fatigue rules
# (rest between shifts, hours in any 24 hours). Clearance, group role, overlap, a full or cancelled
# shift are never overridden.
REST_CODES = frozenset({"rest", "hours_24h"})


@dataclass(frozen=True)
class Problem:
    """One reason a claim cannot be made: a stable code (for overrides and tests) and the Chinese text."""

    code: str
    text: str

    def __str__(self) -> str:
        return self.text


def work_limit_findings(existing: Sequence[Interval], new: Interval, policy: Policy) -> list[Problem]:
    """Overlap, rest and 24-hour limits for taking `new` on top of `existing`, with their codes."""
    if any(overlaps(new, other) for other in existing):
        return [Problem("overlap", "与您已有的班次时间重叠")]
    problems = []
    nearby = [i for i in existing if i.end > new.start - 2 * DAY and i.start < new.end + 2 * DAY]
    combined = [*nearby, new]
    worked = max_hours_in_any_24h(combined)
    if worked > policy.max_hours_per_24h + 1e-9:
        problems.append(Problem("hours_24h", f"任意24小时内累计值班不能超过{policy.max_hours_per_24h}小时"
                                             f"（认领后将达{_hours(round(worked, 1))}小时）"))
    rest = shortest_rest(combined)
    if rest is not None and rest < timedelta(hours=policy.min_rest_hours):
        problems.append(Problem("rest", f"两次值班之间至少休息{policy.min_rest_hours}小时"
                                        f"（认领后只有{_hours(round(rest / HOUR, 1))}小时）"))
    return problems


def work_limit_problems(existing: Sequence[Interval], new: Interval, policy: Policy) -> list[str]:
    """Overlap, rest and 24-hour limits for taking `new` on top of `existing` (Chinese reasons)."""
    return [p.text for p in work_limit_findings(existing, new, policy)]


def claim_findings(facts: ClaimFacts, policy: Policy) -> list[Problem]:
    """Why this claim cannot be made (empty when it can), with codes, in the order a volunteer should read them."""
    if facts.shift_cancelled:
        return [Problem("cancelled", "该班次已取消")]
    if facts.now >= facts.shift.start:
        return [Problem("started", "该班次已开始或已结束，不能再认领")]
    problems = []
    if facts.self_claim and facts.shift.start > facts.now + timedelta(days=facts.claim_window_days):
        problems.append(Problem("window", f"本群只能认领{facts.claim_window_days}天内的班次"))
    if not facts.cleared:
        problems.append(Problem("clearance", "须通过资格审核、完成岗前培训并签署当前版本的保密协议后才能上岗"))
    if not facts.in_group_role:
        problems.append(Problem("group_role", "您不是本群这一岗位的成员，请联系群管理员"))
    if facts.self_claim and policy.no_show_limit and facts.no_shows >= policy.no_show_limit:
        problems.append(Problem("no_shows", f"缺勤已达{facts.no_shows}次，暂停自主认领，请联系社会工作者解除"))
    if facts.already_on_shift:
        problems.append(Problem("on_shift", "您已在这个班次中"))
    elif facts.places_left <= 0:
        problems.append(Problem("full", "该班次这一岗位的名额已满"))
    problems.extend(work_limit_findings(facts.existing, facts.shift, policy))
    return problems


def claim_problems(facts: ClaimFacts, policy: Policy) -> list[str]:
    """Why this claim cannot be made (empty when it can), in the order a volunteer should read them."""
    return [p.text for p in claim_findings(facts, policy)]


def only_rest_problems(problems: Sequence[Problem]) -> bool:
    """True when every problem is a fatigue rule a coordinator may override (and there is at least one)."""
    return bool(problems) and all(p.code in REST_CODES for p in problems)


def drop_needs_approval(*, now: datetime, shift_start: datetime, free_drop_hours: int) -> bool:
    """Dropping is free until `free_drop_hours` before the start; later it needs the secretary's approval."""
    return now > shift_start - timedelta(hours=free_drop_hours)


def served_minutes(*, checked_in: datetime, checked_out: datetime, start: datetime, end: datetime) -> int:
    """Minutes actually served: check-in to check-out, capped at the shift's bounds (no travel, no overtime)."""
    begin, finish = max(checked_in, start), min(checked_out, end)
    return max(0, int((finish - begin).total_seconds() // 60))


# ----------------------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class Slot:
    """One time slot of a template: minutes from midnight (end may be 1440 = 24:00), weekdays 0=Mon..6=Sun."""

    start_minute: int
    end_minute: int
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)


def parse_clock(text: str) -> int | None:
    """'8:00', '08:30', '24:00' → minutes from midnight; None when not a time of day."""
    text = (text or "").strip().replace("：", ":")
    if ":" not in text:
        return None
    hours, _sep, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        return None
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > 24 * 60:
        return None
    return value


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def slot_problems(slots: Sequence[Slot]) -> list[str]:
    """Bad slots of a template: end not after start, no weekday, slots overlapping on a common weekday."""
    problems = []
    for n, slot in enumerate(slots, start=1):
        if slot.end_minute <= slot.start_minute:
            problems.append(f"第{n}个时段的结束时间（{clock(slot.end_minute)}）须晚于开始时间（{clock(slot.start_minute)}）")
        if not slot.weekdays:
            problems.append(f"第{n}个时段至少选择一天")
    if problems:
        return problems
    for i, a in enumerate(slots):
        for j in range(i + 1, len(slots)):
            b = slots[j]
            if set(a.weekdays) & set(b.weekdays) and a.start_minute < b.end_minute and b.start_minute < a.end_minute:
                problems.append(f"第{i + 1}个时段（{clock(a.start_minute)}–{clock(a.end_minute)}）与第{j + 1}个时段"
                                f"（{clock(b.start_minute)}–{clock(b.end_minute)}）时间重叠")
    return problems


def occurrences(slots: Sequence[Slot], date_from: date, date_to: date, tz: ZoneInfo) -> list[tuple[int, Interval]]:
    """(slot index, interval) for every day in [date_from, date_to] each slot applies to, in local time."""
    result = []
    day = date_from
    while day <= date_to:
        for index, slot in enumerate(slots):
            if day.weekday() in slot.weekdays:
                midnight = datetime.combine(day, time(0), tzinfo=tz)
                start = _local(midnight, slot.start_minute, tz)
                end = _local(midnight, slot.end_minute, tz)
                result.append((index, Interval(start, end)))
        day += timedelta(days=1)
    return result


def _local(midnight: datetime, minutes: int, tz: ZoneInfo) -> datetime:
    """Wall-clock time `minutes` after local midnight (DST-safe: built from the date, not by adding seconds)."""
    day = midnight.date() + timedelta(days=minutes // (24 * 60))
    minutes %= 24 * 60
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)


def moved(interval: Interval, *, start_minute: int, end_minute: int, tz: ZoneInfo) -> Interval:
    """The same local day with new clock times (for 'edit this and later')."""
    midnight = datetime.combine(interval.start.astimezone(tz).date(), time(0), tzinfo=tz)
    return Interval(_local(midnight, start_minute, tz), _local(midnight, end_minute, tz))
