"""Coverage board: 1,000 groups × 30 days of shifts; p50/p95 and query count at 100 vs 1,000 groups."""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime, timedelta

RUNS = 30
SLOTS = [(8, 12), (14, 18), (19, 22)]
DAYS = 30


def _world():
    from sanshe.accounts.models import Membership, Organisation, User
    from sanshe.accounts.roles import OrganisationKind, Role
    from sanshe.places.models import Community

    org = Organisation.objects.create(name="排班基准社工机构", kind=OrganisationKind.SOCIAL_WORK)
    community = Community.objects.create(name="排班基准社区", code="BENCH-ROSTER", district="江汉区", street="民族街道")
    org.communities.add(community)
    user = User.objects.create(username="bench-roster-sw", display_name="基准社工")
    membership = Membership.objects.create(user=user, organisation=org, role=Role.SOCIAL_WORKER)
    membership.communities.add(community)
    return org, community, user


def _add_groups(org, community, admin, start_index: int, count: int, first_day: date) -> None:
    """Groups with 30 days of shifts (3 a day, 3 kinds each); some places filled, some gaps."""
    from django.utils import timezone

    from sanshe.groups.models import DutyKind, Group
    from sanshe.rosters.models import Shift, ShiftNeed

    tz = timezone.get_current_timezone()
    groups = Group.objects.bulk_create([
        Group(organisation=org, community=community, tier=2, name=f"基准聚焦群{start_index + i:04d}", admin=admin)
        for i in range(count)])
    if groups[0].pk is None:
        groups = list(Group.objects.filter(name__startswith="基准聚焦群").order_by("pk"))[start_index:]
    shifts = []
    for group in groups:
        for d in range(DAYS):
            day = first_day + timedelta(days=d)
            for start, end in SLOTS:
                shifts.append(Shift(group=group, starts_at=datetime(day.year, day.month, day.day, start, tzinfo=tz),
                                    ends_at=datetime(day.year, day.month, day.day, end, tzinfo=tz)))
    Shift.objects.bulk_create(shifts, batch_size=2000)
    if shifts[0].pk is None:
        shifts = list(Shift.objects.filter(group__in=groups).order_by("pk"))
    needs = []
    for n, shift in enumerate(shifts):
        for k, kind in enumerate((DutyKind.MEDICAL, DutyKind.PSYCHOLOGICAL, DutyKind.SECRETARY)):
            needs.append(ShiftNeed(shift=shift, kind=kind, needed=1 + (k == 2), filled=(n + k) % 2))
    ShiftNeed.objects.bulk_create(needs, batch_size=5000)


def _measure(user, hours: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from sanshe.accounts.policies import forget_scope
    from sanshe.rosters.selectors import coverage

    now = timezone.now()
    timings = []
    for _ in range(RUNS):
        forget_scope(user)
        started = time.perf_counter()
        rows, _urgent = coverage(actor=user, now=now, hours=hours)
        timings.append((time.perf_counter() - started) * 1000)
    forget_scope(user)
    with CaptureQueriesContext(connection) as queries:
        rows, _urgent = coverage(actor=user, now=now, hours=hours)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    return statistics.median(timings), p95, len(queries), len(rows)


def main() -> None:
    from django.db import transaction
    from django.utils import timezone

    first_day = timezone.localdate() - timedelta(days=7)
    with transaction.atomic():
        org, community, user = _world()
    results = {}
    for total, start in ((100, 0), (1000, 100)):
        began = time.perf_counter()
        with transaction.atomic():
            _add_groups(org, community, user, start, total - start, first_day)
        print(f"{total} 个群 × {DAYS} 天 × {len(SLOTS)} 班：准备数据 {time.perf_counter() - began:.1f} 秒", flush=True)
        for hours, label in ((24, "未来24小时"), (24 * 7, "未来7天")):
            p50, p95, n_queries, n_rows = _measure(user, hours)
            results[(total, hours)] = (p50, p95, n_queries)
            print(f"  缺口看板（{label}）：p50 {p50:.1f} ms，p95 {p95:.1f} ms，查询 {n_queries} 次，{n_rows} 个群有缺口",
                  flush=True)
    for hours, label in ((24, "未来24小时"), (24 * 7, "未来7天")):
        small, large = results[(100, hours)], results[(1000, hours)]
        print(f"{label}：1000 群 / 100 群 p50 比值 {large[0] / small[0]:.1f}×；查询次数 {small[2]} → {large[2]}"
              f"（{'不随群数增长' if small[2] == large[2] else '随群数增长！'}）")
