"""Pure roster rules, without a database."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sanshe.rosters import rules
from sanshe.rosters.rules import ClaimFacts, Interval, Policy, Slot

TZ = ZoneInfo("Asia/Shanghai")


def t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, tzinfo=TZ) + timedelta(days=day, hours=hour, minutes=minute)


def shift(day, start, end) -> Interval:
    return Interval(t(day, start), t(day, end))


def facts(**overrides) -> ClaimFacts:
    base = dict(now=t(0, 8), shift=shift(1, 8, 12), shift_cancelled=False, places_left=1, cleared=True,
                in_group_role=True, already_on_shift=False, existing=(), claim_window_days=14)
    base.update(overrides)
    return ClaimFacts(**base)


def test_a_clean_claim_has_no_problems():
    assert rules.claim_problems(facts(), Policy()) == []


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"shift_cancelled": True}, "该班次已取消"),
    ({"now": t(1, 9)}, "已开始"),
    ({"shift": shift(20, 8, 12)}, "14天内"),
    ({"cleared": False}, "保密协议"),
    ({"in_group_role": False}, "不是本群这一岗位的成员"),
    ({"places_left": 0}, "名额已满"),
    ({"already_on_shift": True}, "已在这个班次"),
    ({"no_shows": 2}, "暂停自主认领"),
])
def test_each_rule_refuses_with_a_chinese_reason(overrides, expected):
    assert any(expected in p for p in rules.claim_problems(facts(**overrides), Policy()))


def test_secretary_assignment_ignores_window_and_no_show_block_but_not_safety_rules():
    assert rules.claim_problems(facts(self_claim=False, no_shows=5, shift=shift(20, 8, 12)), Policy()) == []
    assert rules.claim_problems(facts(self_claim=False, cleared=False), Policy())


def test_overlap_is_refused():
    problems = rules.work_limit_problems([shift(1, 10, 14)], shift(1, 8, 12), Policy())
    assert problems == ["与您已有的班次时间重叠"]


def test_ten_hours_in_any_24_hours_by_default():
    # 8-12 and 20-24 the same day (8 h), plus 4 h at 2-6 next day → 10 h within 24 h from 8:00? 8+4=12 > 10.
    existing = [shift(1, 8, 12), shift(1, 20, 24)]
    problems = rules.work_limit_problems(existing, shift(2, 4, 8), Policy(min_rest_hours=0))
    assert any("24小时内累计值班不能超过10小时" in p for p in problems)
    # A back-to-back block of exactly 10 hours is allowed.
    assert rules.work_limit_problems([shift(1, 8, 12), shift(1, 12, 16)], shift(1, 16, 18), Policy()) == []


def test_eight_hours_rest_between_separate_blocks():
    problems = rules.work_limit_problems([shift(1, 8, 12)], shift(1, 18, 20), Policy())
    assert any("至少休息8小时" in p and "只有6小时" in p for p in problems)
    assert rules.work_limit_problems([shift(1, 8, 12)], shift(1, 20, 22), Policy()) == []


def test_limits_are_configurable_per_organisation():
    relaxed = Policy(max_hours_per_24h=14, min_rest_hours=2)
    assert rules.work_limit_problems([shift(1, 8, 12)], shift(1, 14, 22), relaxed) == []
    assert rules.work_limit_problems([shift(1, 8, 12)], shift(1, 14, 22), Policy())


def test_max_hours_in_any_24h_window():
    assert rules.max_hours_in_any_24h([shift(1, 20, 24), shift(2, 0, 4)]) == 8
    assert rules.max_hours_in_any_24h([shift(1, 8, 12), shift(2, 9, 12)]) == 4


def test_drop_is_free_until_three_hours_before():
    start = t(1, 12)
    assert not rules.drop_needs_approval(now=start - timedelta(hours=3, minutes=1), shift_start=start, free_drop_hours=3)
    assert rules.drop_needs_approval(now=start - timedelta(hours=2, minutes=59), shift_start=start, free_drop_hours=3)


def test_served_minutes_are_capped_at_the_shift_bounds():
    assert rules.served_minutes(checked_in=t(1, 7, 40), checked_out=t(1, 12, 30), start=t(1, 8), end=t(1, 12)) == 240
    assert rules.served_minutes(checked_in=t(1, 8, 15), checked_out=t(1, 11, 45), start=t(1, 8), end=t(1, 12)) == 210
    assert rules.served_minutes(checked_in=t(1, 13), checked_out=t(1, 14), start=t(1, 8), end=t(1, 12)) == 0


def test_template_slots_end_before_start_and_overlaps_are_reported():
    assert rules.slot_problems([Slot(600, 480)]) == ["第1个时段的结束时间（08:00）须晚于开始时间（10:00）"]
    problems = rules.slot_problems([Slot(480, 720), Slot(700, 900)])
    assert problems == ["第1个时段（08:00–12:00）与第2个时段（11:40–15:00）时间重叠"]
    assert rules.slot_problems([Slot(480, 720, (0,)), Slot(700, 900, (1,))]) == []
    assert rules.slot_problems([Slot(1200, 1440)]) == []


def test_parse_clock():
    assert rules.parse_clock("8:00") == 480 and rules.parse_clock("24:00") == 1440
    assert rules.parse_clock("08：30") == 510
    assert rules.parse_clock("25:00") is None and rules.parse_clock("8") is None and rules.parse_clock("8:75") is None


def test_occurrences_follow_weekdays_in_local_time():
    slots = [Slot(480, 720, (0, 1, 2, 3, 4)), Slot(1200, 1440)]
    plan = rules.occurrences(slots, date(2026, 3, 6), date(2026, 3, 8), TZ)  # Fri, Sat, Sun
    assert [(i, iv.start.strftime("%a %H:%M"), iv.end.strftime("%d %H:%M")) for i, iv in plan] == [
        (0, "Fri 08:00", "06 12:00"), (1, "Fri 20:00", "07 00:00"), (1, "Sat 20:00", "08 00:00"),
        (1, "Sun 20:00", "09 00:00")]


def test_moved_keeps_the_day():
    moved = rules.moved(shift(3, 8, 12), start_minute=540, end_minute=780, tz=TZ)
    assert (moved.start, moved.end) == (t(3, 9), t(3, 13))
