"""The social workers' inbox and "my cases" at 10,000 open cases and referrals vs 100: p50/p95, query counts.

Two communities of one organisation, each with its own social worker: a small one (BENCH_CASES_SMALL, default
100 open cases and 100 waiting referrals) and a large one (BENCH_CASES_LARGE, default 10,000 of each), built
in the same run with bulk inserts. Each page is requested BENCH_CASES_REQUESTS times (default 100) in-process
through Django's test client (middleware, templates, nav and home panels included) for both social workers.
Reported: p50/p95 per page, queries per request, and the large/small ratios. The query count must be the same
for both (constant in the number of cases); the timings show what the indexes make of 100× the rows.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

SMALL = int(os.environ.get("BENCH_CASES_SMALL", "100"))
LARGE = int(os.environ.get("BENCH_CASES_LARGE", "10000"))
REQUESTS = int(os.environ.get("BENCH_CASES_REQUESTS", "100"))
PAGES = [("转介收件箱", "/cases/referrals/"), ("我的个案", "/cases/mine/"), ("工作台", "/")]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def build(organisation, tag: str, label: str, n: int):
    """A community with 2n people: n with an open case (with a follow-up, some overdue), n referred and waiting."""
    from django.db import connection, transaction
    from django.utils import timezone

    from sanshe.accounts.models import Membership, User
    from sanshe.accounts.roles import Role
    from sanshe.cases.models import Case, CaseFollowUp, Referral
    from sanshe.people.models import Person
    from sanshe.places.models import Building, Community, Compound

    batch = None if connection.vendor == "sqlite" else 5000
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        community = Community.objects.create(name=f"个案基准{label}{tag}", code=f"C{label}{tag}")
        organisation.communities.add(community)
        compound = Compound.objects.create(community=community, name="小区")
        building = Building.objects.create(compound=compound, community=community, name="1栋", sort_key=1)
        worker = User.objects.create_user(username=f"bench-sw-{label}-{tag}", password=None, display_name="基准社工")
        Membership.objects.create(user=worker, organisation=organisation,
                                  role=Role.SOCIAL_WORKER).communities.set([community])
        people = Person.objects.bulk_create(
            [Person(name="张伟", name_pinyin="zhangwei", name_initials="zw", community=community, compound=compound,
                    building=building) for _ in range(2 * n)], batch_size=batch)
        urgencies = [("immediate", 3), ("within_24h", 2), ("routine", 1)]
        cases = Case.objects.bulk_create(
            [Case(number=f"B{label}{tag}-{i:06d}", person=p, community=community, building=building, owner=worker,
                  intake_by=worker, status="in_service" if i % 2 else "open", urgency=urgencies[i % 3][0],
                  urgency_rank=urgencies[i % 3][1], opened_at=now - timedelta(minutes=i), plan="服务计划")
             for i, p in enumerate(people[:n])], batch_size=batch)
        CaseFollowUp.objects.bulk_create(
            [CaseFollowUp(case=c, date=now.date(), domain="other", content="跟进内容", responsible_name="社工",
                          due_at=now + timedelta(hours=-1 if i % 4 == 0 else 24)) for i, c in enumerate(cases)],
            batch_size=batch)
        Referral.objects.bulk_create(
            [Referral(person=p, community=community, building=building, source_kind="screening", source_id=i,
                      reason="需要社工跟进", urgency=urgencies[i % 3][0], urgency_rank=urgencies[i % 3][1])
             for i, p in enumerate(people[n:])], batch_size=batch)
    print(f"  {label}：{n} 个进行中个案，{n} 条待接收转介（{time.perf_counter() - started:.1f} 秒）", flush=True)
    return worker


def measure(small, large) -> tuple[dict, dict]:
    """Both social workers' pages, requests interleaved (small, large, small, ...) so that load on the machine
    and warm caches fall on both alike."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = []
    for worker in (small, large):
        client = Client()
        client.force_login(worker)
        clients.append(client)
    results: tuple[dict, dict] = ({}, {})
    for title, url in PAGES:
        timings: tuple[list, list] = ([], [])
        for _ in range(3):  # warm up
            for client in clients:
                assert client.get(url).status_code == 200, url
        for _ in range(REQUESTS):
            for index, client in enumerate(clients):
                started = time.perf_counter()
                response = client.get(url)
                timings[index].append(time.perf_counter() - started)
                assert response.status_code == 200
        for index, client in enumerate(clients):
            with CaptureQueriesContext(connection) as context:
                client.get(url)
            results[index][title] = (_percentile(timings[index], 50), _percentile(timings[index], 95),
                                     len(context.captured_queries))
    return results


def main() -> None:
    from django.conf import settings
    from django.core.management import call_command

    from sanshe.accounts.models import Organisation
    from sanshe.accounts.roles import OrganisationKind

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    call_command("collectstatic", interactive=False, verbosity=0)  # pages reference the hashed static files
    tag = f"{int(time.time()) % 100000:05d}"
    organisation = Organisation.objects.create(name=f"个案基准社工机构{tag}", kind=OrganisationKind.SOCIAL_WORK)
    small = build(organisation, tag, "S", SMALL)
    large = build(organisation, tag, "L", LARGE)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics after the bulk inserts, as a running database has
        cursor.execute("ANALYZE")
    baseline, big = measure(small, large)
    print(f"  每页 {REQUESTS} 次请求（进程内，含中间件、模板、导航与工作台面板）：")
    print(f"  {'页面':<8}{'个案数':>8}{'p50':>10}{'p95':>10}{'查询数':>8}")
    constant = True
    for title, _url in PAGES:
        for n, result in ((SMALL, baseline[title]), (LARGE, big[title])):
            p50, p95, queries = result
            print(f"  {title:<8}{n:>8}{p50 * 1000:>8.1f}ms{p95 * 1000:>8.1f}ms{queries:>8}")
        ratio50 = big[title][0] / baseline[title][0]
        ratio95 = big[title][1] / baseline[title][1]
        same = big[title][2] == baseline[title][2]
        constant &= same
        print(f"  {title}：{LARGE}/{SMALL} 比值 p50 {ratio50:.2f}×，p95 {ratio95:.2f}×，"
              f"查询数{'不变' if same else '变化了！'}（{baseline[title][2]} → {big[title][2]}）")
    if not constant:
        raise SystemExit("查询数随个案数增长")
