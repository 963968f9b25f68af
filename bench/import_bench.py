"""Household sheet import of 50,000 rows vs a bare python-calamine read of the same file (target: within 3×)."""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "50000"))
HEADERS = ["姓名", "性别", "身份证号", "手机号", "小区", "楼栋", "单元", "房号", "与户主关系"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彩春菊凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
RELATIONS = ["户主", "配偶", "子女"]


def _resident_id(rng: random.Random, region: int, index: int) -> str:
    from sanshe.core.identity import resident_id_check_char

    # Unique per index: the birth date and sequence number spell it out.
    day = index % 20000
    year, rest = 1940 + day // 336, day % 336
    first17 = f"{region}{year}{rest // 28 + 1:02d}{rest % 28 + 1:02d}{index // 20000:03d}"
    return first17 + resident_id_check_char(first17)


def write_household_sheet(path: Path, rows: int, *, seed: int = 2020) -> None:
    """A 9-column household sheet the way a community keeps one: ~3 people per household, 4 units per building."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    region = rng.randrange(110101, 659001)  # a fresh region code per run keeps IDs unique across runs
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名册")
    sheet.append(HEADERS)
    for i in range(rows):
        household = i // 3
        building, unit, room = household // 80 + 1, household // 20 % 4 + 1, household % 20 + 101
        number = _resident_id(rng, region, i)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        sex = "男" if int(number[16]) % 2 else "女"
        sheet.append([name, sex, number, f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}", "江城花园",
                      f"{building}栋", f"{unit}单元", str(room), RELATIONS[i % 3]])
    workbook.save(path)


def bare_read(path: Path) -> int:
    """What the fastest reader does with the file and nothing else: every cell, plus merged ranges."""
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as workbook:
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
        sheet.merged_cell_ranges  # noqa: B018 (part of what the importer needs)
    return len(rows)


def _actor_and_community():
    from sanshe.accounts.models import Membership, Organisation, User
    from sanshe.accounts.roles import OrganisationKind, Role
    from sanshe.places.models import Community

    tag = f"{int(time.time())}{random.randrange(1000):03d}"
    organisation = Organisation.objects.create(name=f"基准测试机构{tag}", kind=OrganisationKind.SOCIAL_WORK)
    community = Community.objects.create(name=f"基准测试社区{tag}", code=f"BENCH{tag}")
    organisation.communities.add(community)
    user = User.objects.create_user(username=f"bench-import-{tag}", password=None)
    Membership.objects.create(user=user, organisation=organisation, role=Role.ORG_ADMIN)
    return user, community


class _Phases:
    """Wall-clock seconds per phase of a service run, from its progress reports."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.current = "reading"
        self.seconds: dict[str, float] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.current:
            self._close()
            self.current = phase

    def _close(self) -> None:
        now = time.perf_counter()
        self.seconds[self.current] = self.seconds.get(self.current, 0.0) + now - self.started
        self.started = now

    def done(self) -> str:
        self._close()
        names = {"reading": "读取+逐格校验", "validating": "按 person_normalise 规则复核+查重",
                 "importing": "建住户+加密+写入"}
        return "，".join(f"{names.get(k, k)} {v:.2f} 秒" for k, v in self.seconds.items())


def _timed(run):
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    from django.core.files import File

    from sanshe.people.household_sheet_services import (
        household_sheet_import,
        household_sheet_job_create,
        household_sheet_validate,
    )
    from sanshe.people.models import ImportMode, ImportStatus

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "households.xlsx"
        started = time.perf_counter()
        write_household_sheet(path, ROWS)
        print(f"生成 {ROWS} 行 × {len(HEADERS)} 列的名册：{time.perf_counter() - started:.1f} 秒，"
              f"{path.stat().st_size / 1024 / 1024:.1f} MB")

        reads = [_timed(lambda: bare_read(path)) for _attempt in range(3)]
        count = reads[0][0]
        read = statistics.median(r[1] for r in reads)
        read_cpu = statistics.median(r[2] for r in reads)
        print(f"python-calamine 直接读取（{count} 行，3 次中位数）：{read:.2f} 秒（CPU {read_cpu:.2f} 秒）")

        actor, community = _actor_and_community()
        with path.open("rb") as handle:
            job = household_sheet_job_create(actor=actor, community_id=community.pk, upload=File(handle, name="households.xlsx"),
                                    file_name="households.xlsx", enqueue=False)
        phases = _Phases()
        job, validate, validate_cpu = _timed(lambda: household_sheet_validate(actor=actor, job=job, progress=phases))
        if job.status != ImportStatus.VALIDATED or job.error_count:
            print(f"检查未通过：{job.failure_reason or job.errors[:3]}")
            return
        print(f"检查（预览）：{validate:.2f} 秒 = 直接读取的 {validate / read:.1f} 倍（CPU {validate_cpu:.2f} 秒 = "
              f"{validate_cpu / read_cpu:.1f} 倍）。{phases.done()}")
        phases = _Phases()
        job, imported, imported_cpu = _timed(
            lambda: household_sheet_import(actor=actor, job=job, mode=ImportMode.ALL_OR_NOTHING, progress=phases))
        if job.status != ImportStatus.DONE:
            print(f"导入失败：{job.failure_reason}")
            return
        print(f"导入 {job.imported_rows} 人（重新读取并复核、建 {job.summary['created']['households']} 户、加密写入）："
              f"{imported:.2f} 秒 = 直接读取的 {imported / read:.1f} 倍（CPU {imported_cpu:.2f} 秒 = "
              f"{imported_cpu / read_cpu:.1f} 倍）。{phases.done()}")
        total, total_cpu = validate + imported, validate_cpu + imported_cpu
        print(f"比值（目标 ≤ 3）：导入/直接读取 = {imported / read:.2f}；检查+导入/直接读取 = {total / read:.2f}；"
              f"按CPU时间 = {imported_cpu / read_cpu:.2f} / {total_cpu / read_cpu:.2f}")
