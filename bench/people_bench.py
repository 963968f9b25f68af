"""People list and search at 1,000 vs 300,000 people, p50/p95 (target: the 300k figure within 1.5× of 1k).

Measured through the real selector (`people.selectors.person_list`) and through the page itself (the
Django test client: middleware, session, scope, template), as an organisation admin who covers two
communities, so the per-community index runs are merged as on a real district deployment.

The people are inserted in bulk (executemany), with pinyin, blind indexes and Fernet-encrypted ID and
phone numbers computed here — the values the services would store, without auditing 300,000 inserts.
Run alone with `python -m bench people` (it then gets a fresh database), or as part of `make bench`.
Sizes: BENCH_PEOPLE_SMALL (1000), BENCH_PEOPLE_LARGE (300000), BENCH_REPEAT (60 runs per figure).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

SMALL = int(os.environ.get("BENCH_PEOPLE_SMALL", "1000"))
LARGE = int(os.environ.get("BENCH_PEOPLE_LARGE", "300000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "60"))
TARGET_RATIO = 1.5

# Weighted like real rosters: 张, 王, 李 and 伟 are common, so "张", "zw" and "zhangw" fill a page of
# results at 1,000 people too (the comparison is then page against page, not 4 rows against 30).
SURNAMES = "张" * 12 + "王" * 8 + "李" * 8 + "赵周朱郑" * 2 + ("刘陈杨黄吴徐孙马胡郭何高林罗梁谢宋唐许韩冯邓曹彭曾肖"
                                                        "田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金")
GIVEN = "伟" * 20 + "文薇婉" * 2 + ("芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕春菊凤洁梅琳云莲雪荣爱香"
                                   "月瑞佳嘉琼珍莉晶妍秋珊锦青倩婷颖露瑶怡丹蓉君琴梦岚馨韵欣宁晓欢枫建国志斌浩宇鹏飞")
CATEGORIES = (["resident"] * 40 + ["home_quarantine", "quarantine_family", "severe_anxiety", "suspected",
                                   "central_quarantine", "stressed_worker"])
PEOPLE_PER_BUILDING = 125
ROOMS_PER_UNIT = 24


@dataclass
class Figure:
    label: str
    p50: float
    p95: float
    rows: int


class World:
    """Two communities of one organisation, grown building by building to the wanted number of people."""

    def __init__(self) -> None:
        from sanshe.accounts.models import Membership, Organisation, User
        from sanshe.accounts.roles import OrganisationKind, Role
        from sanshe.places.models import Community, Compound

        tag = f"{os.getpid()}{int(time.time()) % 100000}"
        self.rng = random.Random(2020)
        self.org = Organisation.objects.create(name=f"基准测试社工机构{tag}", kind=OrganisationKind.SOCIAL_WORK)
        self.communities = [
            Community.objects.create(name=f"基准{name}社区", code=f"BENCH{tag}{i}", district="江汉区", street="民族街道")
            for i, name in enumerate(("友谊", "民意"))
        ]
        self.org.communities.add(*self.communities)
        self.compounds = [Compound.objects.create(community=c, name=f"{c.name}{n}号小区") for c in self.communities
                          for n in (1, 2)]
        self.admin = User.objects.create_user(username=f"bench{tag}", password=None, is_staff=True)
        Membership.objects.create(user=self.admin, organisation=self.org, role=Role.ORG_ADMIN)
        self.people = 0
        self.buildings = 0
        self.serial = 0
        self.pending: list[dict] = []

    def grow(self, total: int) -> float:
        """Add people until the two communities hold `total`; returns the seconds it took."""
        started = time.perf_counter()
        while self.people < total:
            self._add_building(min(PEOPLE_PER_BUILDING, total - self.people))
            if self.buildings % 400 == 0:
                print(f"  … {self.people:,} 人", flush=True)
        self._flush()
        return time.perf_counter() - started

    def _add_building(self, people: int) -> None:
        from sanshe.core.identity import resident_id_check_char
        from sanshe.core.pii import blind_index
        from sanshe.people.pinyin import name_keys
        from sanshe.places.models import Building, Household, Unit

        compound = self.compounds[self.buildings % len(self.compounds)]
        self.buildings += 1
        building = Building.objects.create(compound=compound, community_id=compound.community_id,
                                           name=f"{self.buildings}栋", sort_key=self.buildings)
        units = [Unit.objects.create(building=building, name=f"{n}单元") for n in (1, 2)]
        households = Household.objects.bulk_create([
            Household(unit=unit, building=building, compound=compound, community_id=compound.community_id,
                      room=f"{floor}{door:02d}")
            for unit in units for floor in range(1, ROOMS_PER_UNIT // 2 + 1) for door in (1, 2)
        ])
        rng = self.rng
        for i in range(people):
            self.serial += 1
            serial = self.serial
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
            pinyin, initials = name_keys(name)
            day = serial % 20000
            born = date(1940 + day // 336, day % 336 // 28 + 1, day % 28 + 1)
            first17 = f"469099{born:%Y%m%d}{serial // 20000:03d}"
            number = first17 + resident_id_check_char(first17)
            phone = f"13{serial:09d}"
            household = households[i * len(households) // max(people, 1)]
            self.pending.append({
                "name": name, "name_pinyin": pinyin, "name_initials": initials,
                "sex": "M" if int(number[16]) % 2 else "F", "birth_date": born,
                "doc_number": number, "doc_index": blind_index("doc:resident_id", number),
                "phone": phone, "phone_index": blind_index("phone", phone),
                "household_id": household.pk, "relation": ("head", "spouse", "child")[i % 3],
                "is_representative": i % 3 == 0,
                "community_id": compound.community_id, "compound_id": compound.pk, "building_id": building.pk,
                "category": rng.choice(CATEGORIES), "elderly_alone": rng.random() < 0.04,
                "chronic_disease": rng.random() < 0.12, "needs_care": rng.random() < 0.03,
            })
        self.people += people
        if len(self.pending) >= 5000:
            self._flush()

    def _flush(self) -> None:
        """Insert the pending people in one executemany: the values the services would store (encrypted ID
        and phone, blind indexes, pinyin), without building 300,000 model instances."""
        from django.db import connection, transaction
        from django.utils import timezone

        from sanshe.people.models import Person

        if not self.pending:
            return
        fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        encrypted = {"doc_number", "phone", "address"}
        adapt = {f.attname: f.get_db_prep_save for f in fields}
        defaults = {f.attname: f.get_default() for f in fields}
        rows = []
        for person in self.pending:
            values = []
            for f in fields:
                if f.attname in ("created_at", "updated_at"):
                    values.append(now)
                    continue
                value = person.get(f.attname, defaults[f.attname])
                if f.attname in encrypted or f.get_internal_type() == "DateField":
                    value = adapt[f.attname](value, connection)
                values.append(value)
            rows.append(values)
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            connection.ops.quote_name(Person._meta.db_table),
            ", ".join(connection.ops.quote_name(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        self.pending = []


def _cases(world: World) -> list[tuple[str, Callable[[], int]]]:
    """The timed operations, as the organisation admin of `world` (reads the current database)."""
    from django.conf import settings
    from django.test import Client

    from sanshe.accounts.policies import forget_scope
    from sanshe.people.models import Person
    from sanshe.people.selectors import PersonFilters, person_list

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    actor = world.admin
    forget_scope(actor)
    ordered = Person.objects.filter(community__in=world.communities).order_by("name_pinyin", "id")
    middle = ordered.values_list("pk", flat=True)[world.people // 2]
    known = ordered.values_list("doc_number", flat=True)[world.people // 3]

    def selector(**filters) -> Callable[[], int]:
        after = filters.pop("after", None)
        return lambda: len(person_list(actor=actor, filters=PersonFilters(**filters), after=after).people)

    client = Client()
    client.force_login(actor)
    tokens = {text: client.post("/people/", {"q": text})["Location"] for text in ("张", "zw", "zhangw")}

    def page(url: str) -> Callable[[], int]:
        def fetch() -> int:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content.count(b'<li><a class="row"')
        return fetch

    return [
        ("选择器 · 名单第一页", selector()),
        ("选择器 · 名单中间一页", selector(after=middle)),
        ("选择器 · 姓名前缀“张”", selector(q="张")),
        ("选择器 · 首字母“zw”", selector(q="zw")),
        ("选择器 · 全拼前缀“zhangw”", selector(q="zhangw")),
        ("选择器 · 类别筛选", selector(category="home_quarantine")),
        ("选择器 · 60岁以上独居", selector(vulnerability="elderly_alone")),
        ("选择器 · 身份证号精确查找", selector(q=known)),
        ("页面 · 名单第一页", page("/people/")),
        ("页面 · 名单中间一页", page(f"/people/?after={middle}")),
        ("页面 · 搜索“张”", page(tokens["张"])),
        ("页面 · 搜索“zw”", page(tokens["zw"])),
        ("页面 · 搜索“zhangw”", page(tokens["zhangw"])),
    ]


def _summarise(label: str, samples: list[float], rows: int) -> Figure:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return Figure(label, statistics.median(samples), p95, rows)


def _run_interleaved(sizes: dict[str, int], databases: dict[str, str]) -> dict[str, list[Figure]]:
    """Time every case on both databases in alternating rounds, so machine noise hits both sizes alike."""
    from django.db import connection

    def use(name: str) -> None:
        connection.close()
        connection.settings_dict["NAME"] = databases[name]

    cases: dict[str, list] = {}
    for name in sizes:
        use(name)
        cases[name] = _cases(_WORLDS[name])
    samples = {name: [[] for _ in cases[name]] for name in sizes}
    rows = {name: [0] * len(cases[name]) for name in sizes}
    rounds = 10
    per_round = max(REPEAT // rounds, 1)
    for _ in range(rounds):
        for index in range(len(cases[next(iter(sizes))])):
            for name in sizes:
                use(name)
                _label, fn = cases[name][index]
                for _ in range(2):  # warm the new connection's page cache
                    rows[name][index] = fn()
                for _ in range(per_round):
                    started = time.perf_counter()
                    fn()
                    samples[name][index].append((time.perf_counter() - started) * 1000)
    return {name: [_summarise(cases[name][i][0], samples[name][i], rows[name][i]) for i in range(len(cases[name]))]
            for name in sizes}


_WORLDS: dict[str, World] = {}


def _build(size: int, world: World | None = None) -> World:
    """A world of `size` people in the current database, with planner statistics up to date."""
    from django.db import connection

    world = world or World()
    seconds = world.grow(size)
    with connection.cursor() as cursor:  # what a running server has had time to do
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE people_person")
    print(f"已生成 {world.people:,} 人、{world.buildings:,} 栋楼（证件号、手机号加密，{seconds:.1f} 秒）", flush=True)
    return world


def _print_comparison(small: list[Figure], large: list[Figure]) -> bool:
    width = max(len(f.label) for f in small) + 2
    print(f"\n{'':{width}}  {SMALL:>9,} 人 p50/p95 ms（行数）  {LARGE:>9,} 人 p50/p95 ms（行数）  倍数 p50/p95")
    within = True
    for a, b in zip(small, large, strict=True):
        r50, r95 = b.p50 / a.p50, b.p95 / a.p95
        ok = r50 <= TARGET_RATIO
        within &= ok
        print(f"{a.label:{width}}  {a.p50:7.2f} / {a.p95:7.2f} ({a.rows:2d})     {b.p50:7.2f} / {b.p95:7.2f} ({b.rows:2d})"
              f"     {r50:4.2f} / {r95:4.2f} {'✓' if ok else '✗ 超过1.5倍'}")
    return within


def main() -> None:
    """Build a 1,000-person and a 300,000-person database and compare list/search timings."""
    from django.apps import apps

    if not apps.ready:  # run directly: let the harness make a fresh database first
        from bench.__main__ import main as run_benchmarks

        sys.exit(run_benchmarks(["people_bench"]))
    from pathlib import Path

    from django.core.management import call_command
    from django.db import connection

    print(f"数据库：{connection.vendor}；每项在两个规模上交替各测 {REPEAT} 次，取中位数（p50）与 p95。", flush=True)
    sizes = {"small": SMALL, "large": LARGE}
    original = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        # Two database files side by side, so the two sizes can be timed in alternating rounds.
        base = Path(original)
        databases = {name: str(base.with_name(f"bench-people-{name}.sqlite3")) for name in sizes}
    else:
        databases = {name: original for name in sizes}
    try:
        if connection.vendor == "sqlite":
            for name, size in sizes.items():
                connection.close()
                connection.settings_dict["NAME"] = databases[name]
                for suffix in ("", "-wal", "-shm"):
                    Path(databases[name] + suffix).unlink(missing_ok=True)
                call_command("migrate", verbosity=0, interactive=False)
                _WORLDS[name] = _build(size)
            results = _run_interleaved(sizes, databases)
        else:
            # One database grows from the small size to the large one; the small figures are taken first.
            world = _WORLDS["small"] = _WORLDS["large"] = _build(SMALL)
            results = {"small": _run_interleaved({"small": SMALL}, databases)["small"]}
            _build(LARGE, world)
            results["large"] = _run_interleaved({"large": LARGE}, databases)["large"]
        within = _print_comparison(results["small"], results["large"])
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        if not os.environ.get("BENCH_KEEP"):
            for path in set(databases.values()) - {original}:
                for suffix in ("", "-wal", "-shm"):
                    Path(path + suffix).unlink(missing_ok=True)
    print(f"\n结论：{'全部' if within else '并非全部'}在目标（30万人耗时不超过1千人的{TARGET_RATIO}倍）之内。")


if __name__ == "__main__":
    main()
