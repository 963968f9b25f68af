"""Follow-up rules as pure functions over plain data: quarantine end dates, check-in slots, lost to follow-up.

No database and no clock: callers pass `today`/`now`, so the rules are tested at their boundaries and the
periodic jobs are reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils.translation import gettext as _

FOLLOW_UP_DAYS_RANGE = (1, 60)
SLOTS_PER_DAY_RANGE = (1, 6)
LOST_AFTER_DAYS_RANGE = (1, 14)
WORKER_REMINDER_MINUTES_RANGE = (0, 720)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class RuleError(ValueError):
    """A value a rule cannot accept; the message is Chinese and names the field."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def quarantine_end_date(*, start: date, last_exposure: date | None, days: int) -> date:
    """The last day under observation: `days` days counted from the last exposure (or the start when unknown)."""
    if not FOLLOW_UP_DAYS_RANGE[0] <= days <= FOLLOW_UP_DAYS_RANGE[1]:
        raise RuleError(_("观察天数应在%(low)s–%(high)s天之间") % {
            "low": FOLLOW_UP_DAYS_RANGE[0], "high": FOLLOW_UP_DAYS_RANGE[1]}, field="follow_up_days")
    return (last_exposure or start) + timedelta(days=days)


def check_dates(*, start: date, last_exposure: date | None, today: date) -> None:
    """No future dates; the exposure cannot come after the start of the quarantine."""
    if start > today:
        raise RuleError(_("开始日期不能晚于今天（%(today)s）") % {"today": today.isoformat()}, field="start_date")
    if last_exposure is not None:
        if last_exposure > today:
            raise RuleError(_("最后接触日期不能晚于今天（%(today)s）") % {"today": today.isoformat()},
                            field="last_exposure_date")
        if last_exposure > start:
            raise RuleError(_("最后接触日期不能晚于隔离开始日期"), field="last_exposure_date")


def parse_deadlines(values: Iterable[str]) -> list[time]:
    """Check-in deadlines as "HH:MM" strings → times, strictly increasing; RuleError in Chinese otherwise."""
    parsed: list[time] = []
    for raw in values:
        text = str(raw).strip().replace("：", ":")
        match = _HHMM.match(text)
        if not match:
            raise RuleError(_("截止时间“%(value)s”格式不对，应写作 10:00 这样的24小时制时间") % {"value": raw},
                            field="slot_deadlines")
        parsed.append(time(int(match.group(1)), int(match.group(2))))
    low, high = SLOTS_PER_DAY_RANGE
    if not low <= len(parsed) <= high:
        raise RuleError(_("每天打卡次数应为%(low)s–%(high)s次") % {"low": low, "high": high}, field="slot_deadlines")
    if any(b <= a for a, b in zip(parsed, parsed[1:], strict=False)):
        raise RuleError(_("各次打卡的截止时间应从早到晚排列，且不能相同"), field="slot_deadlines")
    return parsed


def slot_label(index: int, deadline: time, count: int) -> str:
    """早/晚 for the common two-a-day profile, 第n次 otherwise; always with the deadline."""
    if count == 2:
        name = _("早") if index == 0 else _("晚")
    elif count == 1:
        name = _("每日")
    else:
        name = _("第%(n)s次") % {"n": index + 1}
    return _("%(name)s（%(deadline)s前）") % {"name": name, "deadline": deadline.strftime("%H:%M")}


def due_at(day: date, deadline: time, tz: tzinfo) -> datetime:
    """The aware deadline of one slot on one day."""
    return datetime.combine(day, deadline, tzinfo=tz)


@dataclass(frozen=True)
class PlannedSlot:
    slot: int
    due_at: datetime


def slots_to_generate(*, day: date, deadlines: Sequence[time], tz: tzinfo, start: date, end: date,
                      not_before: datetime | None = None) -> list[PlannedSlot]:
    """The follow-ups owed on `day` by a period running start..end (inclusive).

    A slot whose deadline is already past at `not_before` (a period registered at 15:00, a slot added to
    the profile at noon) is not owed: nobody can be late for a deadline set after it passed.
    """
    if day < start or day > end:
        return []
    planned = [PlannedSlot(index, due_at(day, deadline, tz)) for index, deadline in enumerate(deadlines)]
    if not_before is not None:
        planned = [slot for slot in planned if slot.due_at > not_before]
    return planned


def slot_for_check_in(at: datetime, due_times: Sequence[tuple[int, datetime]],
                      reported: Collection[int] = ()) -> int | None:
    """Which of the day's follow-ups a check-in at `at` fills. None when the day has no follow-ups.

    1. A slot whose deadline has passed (strictly before `at`) with nothing reported yet is filled late
       (补报): the most recent such slot, so a report at 15:00 after a missed 10:00 slot is the morning one,
       and the evening slot stays open; a report at 21:00 after both were missed is the evening one.
    2. Otherwise the first slot whose deadline is still ahead (on time; a second reading in the same
       window goes to the same slot).
    3. After the last deadline with every slot reported, the last one (a late correction).
    """
    if not due_times:
        return None
    ordered = sorted(due_times, key=lambda item: item[1])
    overdue = [slot for slot, due in ordered if due < at and slot not in reported]
    if overdue:
        return overdue[-1]
    for slot, due in ordered:
        if at <= due:
            return slot
    return ordered[-1][0]


def slot_name(index: int, count: int) -> str:
    """The slot as residents say it (上午/晚上 for two a day), for "补报上午体温"."""
    if count == 2:
        return _("上午") if index == 0 else _("晚上")
    if count == 1:
        return _("今日")
    return _("第%(n)s次") % {"n": index + 1}


def trailing_missed_days(days: Sequence[tuple[date, bool]]) -> int:
    """How many days at the end of the (date, seen at least once) sequence had no check-in at all."""
    count = 0
    for _day, seen in sorted(days, key=lambda item: item[0], reverse=True):
        if seen:
            break
        count += 1
    return count


def is_lost(days: Sequence[tuple[date, bool]], *, lost_after_days: int) -> bool:
    """Lost to follow-up: the last `lost_after_days` closed days in a row passed without any check-in."""
    return trailing_missed_days(days) >= lost_after_days


def age_on(birth: date | None, today: date) -> tuple[int | None, int | None]:
    """(age in years, age in months for children under 5) on `today`; (None, None) when unknown."""
    if birth is None or birth > today:
        return None, None
    months = (today.year - birth.year) * 12 + today.month - birth.month - (1 if today.day < birth.day else 0)
    years = months // 12
    return years, (months if years < 5 else None)
