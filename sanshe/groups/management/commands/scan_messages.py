"""Scan chat messages for risk, rule breaches and questions: one JSON object per message on stdout.

    python manage.py scan_messages messages.txt          one message per line
    python manage.py scan_messages - < messages.txt      from standard input
    python manage.py scan_messages export.txt --format wechat   a WeChat chat export

Organisations still running WeChat groups use it on their exports. `--organisation` applies that
organisation's own rule lists instead of the defaults. Nothing is stored.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from sanshe.groups.analysis import analyse, read_wechat_export


class Command(BaseCommand):
    help = "Score messages (one per line, or a WeChat export) for risk, group rules and questions; JSON lines out."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", default="-", help="a text file (UTF-8), or - for standard input")
        parser.add_argument("--format", choices=["lines", "wechat"], default="lines",
                            help="lines: one message per line (default); wechat: a WeChat chat export")
        parser.add_argument("--organisation", type=int, default=None,
                            help="use this organisation's rule lists (id) instead of the defaults")

    def handle(self, *args, **options) -> None:
        rulebook = rumours = None
        if options["organisation"] is not None:
            from sanshe.accounts.models import Organisation
            from sanshe.groups.moderation.selectors import rulebook_for

            if not Organisation.objects.filter(pk=options["organisation"]).exists():
                raise CommandError(f"没有编号为 {options['organisation']} 的机构")
            from sanshe.groups.rumour_base import rumour_index

            rulebook = rulebook_for(organisation_id=options["organisation"])
            rumours = rumour_index()
        try:
            stream = sys.stdin if options["file"] == "-" else open(options["file"], encoding="utf-8-sig")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"无法读取文件：{exc}") from exc
        try:
            if options["format"] == "wechat":
                for message in read_wechat_export(stream):
                    row = analyse(message.text, rulebook, rumours)
                    self._emit({**row, "sender": message.sender, "time": message.time})
            else:
                for line in stream:
                    text = line.rstrip("\r\n")
                    if text.strip():
                        self._emit(analyse(text, rulebook, rumours))
        except UnicodeDecodeError as exc:
            raise CommandError("文件不是 UTF-8 编码，请另存为 UTF-8 后重试") from exc
        finally:
            if stream is not sys.stdin:
                stream.close()

    def _emit(self, row: dict) -> None:
        self.stdout.write(json.dumps(row, ensure_ascii=False))
