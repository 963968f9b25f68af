"""Follow-up rules at their boundaries: end dates, deadlines, which slot a report fills, lost to follow-up."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from sanshe.monitoring.rules import (
    RuleError,
    age_on,
    check_dates,
    is_lost,
    parse_deadlines,
    quarantine_end_date,
    slot_for_check_in,
    slot_label,
    slot_name,
    slots_to_generate,
    trailing_missed_days,
)

TZ = timezone.get_fixed_timezone(8 * 60)
D = date(2020, 2, 10)


def t(hour: int, minute: int = 0, day: date = D) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def test_fourteen_days_from_last_exposure_by_default():
    assert quarantine_end_date(start=date(2020, 2, 3), last_exposure=date(2020, 2, 1), days=14) == date(2020, 2, 15)


def test_without_an_exposure_date_the_start_counts():
    assert quarantine_end_date(start=date(2020, 2, 3), last_exposure=None, days=14) == date(2020, 2, 17)


def test_another_epidemic_can_use_another_period():
    assert quarantine_end_date(start=date(2020, 2, 3), last_exposure=date(2020, 2, 3), days=7) == date(2020, 2, 10)


@pytest.mark.parametrize("days", [0, 61])
def test_period_length_out_of_range_is_refused(days):
    with pytest.raises(RuleError, match="观察天数应在1–60天之间"):
        quarantine_end_date(start=D, last_exposure=None, days=days)


def test_dates_in_the_future_are_refused_with_the_field_named():
    with pytest.raises(RuleError) as start:
        check_dates(start=D + timedelta(days=1), last_exposure=None, today=D)
    assert start.value.field == "start_date" and "不能晚于今天" in str(start.value)
    with pytest.raises(RuleError) as exposure:
        check_dates(start=D, last_exposure=D + timedelta(days=1), today=D)
    assert exposure.value.field == "last_exposure_date"
    with pytest.raises(RuleError, match="不能晚于隔离开始日期"):
        check_dates(start=D - timedelta(days=2), last_exposure=D - timedelta(days=1), today=D)
    check_dates(start=D, last_exposure=D, today=D)  # today itself is fine


def test_deadlines_parse_full_width_colons_and_must_increase():
    assert parse_deadlines(["10:00", "20：00"]) == [time(10), time(20)]
    with pytest.raises(RuleError, match="从早到晚"):
        parse_deadlines(["20:00", "10:00"])
    with pytest.raises(RuleError, match="格式不对"):
        parse_deadlines(["25:00"])
    with pytest.raises(RuleError, match="1–6次"):
        parse_deadlines([])


def test_slot_labels_say_morning_and_evening_with_the_deadline():
    assert slot_label(0, time(10), 2) == "早（10:00前）"
    assert slot_label(1, time(20), 2) == "晚（20:00前）"
    assert slot_label(2, time(22), 3) == "第3次（22:00前）"


def test_slots_are_owed_from_the_first_to_the_last_day_inclusive():
    deadlines = [time(10), time(20)]
    kwargs = {"deadlines": deadlines, "tz": TZ, "start": D, "end": D + timedelta(days=13)}
    assert slots_to_generate(day=D - timedelta(days=1), **kwargs) == []
    assert [s.slot for s in slots_to_generate(day=D, **kwargs)] == [0, 1]
    assert [s.slot for s in slots_to_generate(day=D + timedelta(days=13), **kwargs)] == [0, 1]
    assert slots_to_generate(day=D + timedelta(days=14), **kwargs) == []


def test_registered_after_the_morning_deadline_owes_only_the_evening():
    planned = slots_to_generate(day=D, deadlines=[time(10), time(20)], tz=TZ, start=D, end=D, not_before=t(15))
    assert [(p.slot, p.due_at) for p in planned] == [(1, t(20))]
    # Exactly at the deadline: too late for that slot.
    assert [p.slot for p in slots_to_generate(day=D, deadlines=[time(10), time(20)], tz=TZ, start=D, end=D,
                                              not_before=t(10))] == [1]


@pytest.mark.parametrize(("when", "slot"), [
    (t(6), 0), (t(10), 0), (t(10, 1), 1), (t(19, 59), 1), (t(20), 1), (t(23), 1),
])
def test_with_the_morning_reported_a_report_fills_the_slot_whose_deadline_is_ahead(when, slot):
    assert slot_for_check_in(when, [(0, t(10)), (1, t(20))], reported={0}) == slot


@pytest.mark.parametrize(("when", "reported", "slot"), [
    (t(9, 59), set(), 0),        # the morning window is still open: on time
    (t(10), set(), 0),           # exactly at the deadline: still on time
    (t(10, 1), set(), 0),        # the morning deadline passed with nothing reported: 补报 the morning
    (t(15), set(), 0),           # issue 12 item 6: a late morning report is not the evening one
    (t(19, 59), set(), 0),
    (t(15), {0}, 1),             # the morning is done: the evening window
    (t(21), set(), 1),           # both missed: the most recent one is filled first …
    (t(21), {1}, 0),             # … then the morning
    (t(23), {0, 1}, 1),          # everything reported: a late correction goes to the last slot
])
def test_a_missed_slot_is_filled_late_before_the_open_one(when, reported, slot):
    assert slot_for_check_in(when, [(0, t(10)), (1, t(20))], reported=reported) == slot


def test_with_three_slots_the_most_recent_missed_one_is_filled():
    slots = [(0, t(8)), (1, t(14)), (2, t(20))]
    assert slot_for_check_in(t(15), slots) == 1
    assert slot_for_check_in(t(15), slots, reported={1}) == 0
    assert slot_for_check_in(t(15), slots, reported={0, 1}) == 2


def test_slot_names_say_what_residents_say():
    assert [slot_name(i, 2) for i in range(2)] == ["上午", "晚上"]
    assert slot_name(0, 1) == "今日" and slot_name(2, 3) == "第3次"


def test_a_report_with_only_the_evening_owed_goes_there():
    assert slot_for_check_in(t(8), [(1, t(20))]) == 1
    assert slot_for_check_in(t(8), []) is None


def test_lost_after_n_days_in_a_row_without_any_report():
    days = [(D - timedelta(days=4), True), (D - timedelta(days=3), False), (D - timedelta(days=2), False),
            (D - timedelta(days=1), False)]
    assert trailing_missed_days(days) == 3
    assert is_lost(days, lost_after_days=3)
    assert not is_lost(days, lost_after_days=4)
    # One report breaks the run.
    days[-2] = (D - timedelta(days=2), True)
    assert trailing_missed_days(days) == 1
    assert not is_lost(days, lost_after_days=2)


def test_age_in_years_and_months_for_young_children():
    assert age_on(date(1950, 6, 1), date(2020, 2, 10)) == (69, None)
    assert age_on(date(2019, 11, 10), date(2020, 2, 10)) == (0, 3)
    assert age_on(date(2019, 11, 11), date(2020, 2, 10)) == (0, 2)
    assert age_on(None, D) == (None, None)
