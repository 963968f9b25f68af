"""Load the demo community (deterministic synthetic data) and print its logins."""

from __future__ import annotations

import time
import traceback

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from sanshe.people.demo_community import (
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    database_is_empty,
    demo_is_loaded,
    demo_load,
    demo_logins,
    feature_demos,
    format_logins,
)


class Command(BaseCommand):
    help = "Load the demo street: communities, compounds, buildings, households, people and staff of every role."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE,
                            help=f"number of people (default {DEFAULT_PEOPLE}; 300000 for benchmarks)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same data)")
        parser.add_argument("--if-empty", action="store_true",
                            help="load only into a fresh database; otherwise just print the logins")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")
        parser.add_argument("--core-only", action="store_true",
                            help="only places, people and staff: skip the other apps' demos (groups, monitoring…)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--no-logins", action="store_true",
                            help="do not print the logins (`serve --demo-logins` prints them once it answers)")

    def handle(self, *args, **options) -> None:
        if options["logins"]:
            self._print_logins()
            return
        if options["if_empty"] and not database_is_empty():
            if not demo_is_loaded():
                self.stdout.write("数据库已有数据，未加载演示数据。")
                return
            self.stdout.write("演示数据已存在，未重复加载。")
            # Features added since the demo was loaded bring their own demo data (each is idempotent).
            if not options["core_only"]:
                self._load_features(strict=False)
            if not options["no_logins"]:
                self._print_logins()
            return
        if demo_is_loaded():
            raise CommandError("演示数据已经存在。如需重新加载，请先清空数据库（manage.py flush）。")
        if options["people"] < 10:
            raise CommandError("--people 至少为 10")
        started = time.monotonic()
        bar = None if options["no_progress"] else tqdm(total=options["people"], unit="人", desc="写入人员",
                                                        file=self.stderr._out, leave=False)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.update(done - bar.n)

        try:
            result = demo_load(people=options["people"], seed=options["seed"], progress=progress)
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(self.style.SUCCESS(
            f"已加载演示数据：{result.communities} 个社区，{result.compounds} 个小区，{result.buildings} 栋楼，"
            f"{result.households} 户，{result.people} 人（用时 {time.monotonic() - started:.1f} 秒）。"))
        if not options["core_only"]:
            self._load_features(strict=not options["if_empty"])
        if not options["no_logins"]:
            self.stdout.write(format_logins(result.logins))

    def _load_features(self, *, strict: bool) -> None:
        """Every other app's demo on top of the core one; a failure is reported, the rest still load.

        Strict (a plain `manage.py demo`) ends with an error when one failed; under --if-empty (`make run`)
        the server should still start, so it only warns.
        """
        today = timezone.localdate()
        failed = []
        for label, loader in feature_demos():
            try:
                self.stdout.write(f"  {loader(today=today)}")
            except Exception:
                failed.append(label)
                self.stderr.write(f"{label} 的演示数据加载失败：\n{traceback.format_exc()}")
        if failed and strict:
            raise CommandError(f"以下功能的演示数据加载失败：{'、'.join(failed)}")

    def _print_logins(self) -> None:
        text = format_logins(demo_logins())
        if text:
            self.stdout.write(text)
