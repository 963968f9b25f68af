"""Import a household sheet from the command line, with the same checks as the import page.

    python manage.py import_households 名册.xlsx --community C00001 --as zhangsan [--dry-run] [--all-or-nothing]

Exit status: 0 when every row is fine (and, without --dry-run, imported); 1 when the file has problems
(listed in Chinese) or nothing could be imported; 2 for a wrong command line (unknown user or community,
no permission).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from tqdm import tqdm

from sanshe.accounts.models import User
from sanshe.people.household_sheet_services import (
    household_sheet_import,
    household_sheet_job_create,
    household_sheet_validate,
)
from sanshe.people.models import ImportJob, ImportMode, ImportStatus
from sanshe.places.models import Community

PHASES = {"reading": "读取", "validating": "检查", "importing": "导入"}
ERRORS_PRINTED = 200


class _Bar:
    """A tqdm progress bar per phase, fed by the services' progress reports."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.bar: tqdm | None = None
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(total=total or None, desc=PHASES.get(phase, phase), unit="行", file=self.stream,
                            leave=True, dynamic_ncols=True)
        if self.bar is not None and total:
            self.bar.total = total
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = "导入住户名册（.xlsx/.xls/.csv）：先检查，再导入；有问题时列出行号、列和原因，并以非零状态退出。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="名册文件路径")
        parser.add_argument("--community", required=True, help="社区编码（导入到哪个社区）")
        parser.add_argument("--as", dest="username", required=True,
                            help="以哪个账号的名义导入（须有该社区的名册导入权限；审计日志记录此账号）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不导入")
        parser.add_argument("--all-or-nothing", action="store_true",
                            help="只要有一行有问题就什么都不导入（默认：导入无误的行）")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}", returncode=2)
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"找不到账号：{options['username']}", returncode=2)
        community = Community.objects.filter(code=options["community"]).first()
        if community is None:
            raise CommandError(f"找不到社区编码：{options['community']}", returncode=2)
        bar = _Bar(self.stderr._out)
        try:
            with path.open("rb") as handle:
                job = household_sheet_job_create(actor=actor, community_id=community.pk, upload=File(handle, name=path.name),
                                        file_name=path.name, enqueue=False)
            job = household_sheet_validate(actor=actor, job=job, progress=bar)
            bar.close()
            if job.status == ImportStatus.FAILED:
                self._print_errors(job)
                self.stderr.write(f"未能读取：{job.failure_reason}")
                raise SystemExit(1)
            self.stdout.write(f"共 {job.total_rows} 行：可导入 {job.valid_rows} 行，有问题 {job.error_rows} 行。")
            self._print_errors(job)
            if options["dry_run"]:
                self._discard(actor, job, "只检查（命令行 --dry-run），没有导入，文件已删除")
                self.stdout.write("只检查（--dry-run），没有导入。")
                raise SystemExit(1 if job.error_count else 0)
            mode = ImportMode.ALL_OR_NOTHING if options["all_or_nothing"] else ImportMode.VALID_ONLY
            if mode == ImportMode.ALL_OR_NOTHING and job.error_count:
                self._discard(actor, job, "有问题的行，按 --all-or-nothing 没有导入，文件已删除")
                self.stderr.write("有问题的行，按 --all-or-nothing 没有导入任何人员。")
                raise SystemExit(1)
            job = household_sheet_import(actor=actor, job=job, mode=mode, progress=bar)
            bar.close()
        except PermissionDenied as exc:
            raise CommandError(f"账号 {actor.username} 没有导入名册的权限", returncode=2) from exc
        except Http404 as exc:
            raise CommandError(f"账号 {actor.username} 不能向社区 {community.code} 导入名册", returncode=2) from exc
        except ValidationError as exc:  # the file itself was refused (kind, size)
            for message in exc.messages:
                self.stderr.write(message)
            raise SystemExit(1) from exc
        finally:
            bar.close()
        if job.status != ImportStatus.DONE:
            self.stderr.write(f"未能导入：{job.failure_reason}")
            self._print_errors(job)
            raise SystemExit(1)
        created = (job.summary or {}).get("created", {})
        self.stdout.write(self.style.SUCCESS(
            f"已导入 {job.imported_rows} 人（新建小区 {created.get('compounds', 0)} 个、楼栋 {created.get('buildings', 0)} 栋、"
            f"单元 {created.get('units', 0)} 个、住户 {created.get('households', 0)} 户）。"))
        if job.error_count:
            self.stderr.write(f"另有 {job.error_rows} 行有问题，没有导入（见上方清单）。")
            raise SystemExit(1)

    def _print_errors(self, job: ImportJob) -> None:
        errors = job.errors or []
        for error in errors[:ERRORS_PRINTED]:
            row = f"第{error['row']}行" if error.get("row") else "整个文件"
            column = f"【{error['column']}】" if error.get("column") else ""
            self.stderr.write(f"{row}{column}{error['reason']}")
        if job.error_count > ERRORS_PRINTED:
            self.stderr.write(f"……另有 {job.error_count - ERRORS_PRINTED} 处问题未列出")

    def _discard(self, actor, job: ImportJob, reason: str) -> None:
        from sanshe.people.household_sheet_services import household_sheet_job_cancel

        if job.status == ImportStatus.VALIDATED:
            household_sheet_job_cancel(actor=actor, job=job, reason=reason)
