"""`python manage.py triage`: an assessment as JSON on stdin, the triage result as JSON on stdout."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sanshe.rules.redflags import DEFAULT_FEVER_THRESHOLD_C
from sanshe.rules.triage import AssessmentError, triage
from sanshe.rules.triage_schema import assessment_from_text

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Triage one assessment: read its JSON (schema: sanshe/triage/schema.py) from stdin and write the "
        "result JSON (tier, urgency, crisis, scores, reasons, actions, rules_version) to stdout. "
        "Exit code 2 with a Chinese message on stderr for bad input."
    )
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fever-threshold", type=float, default=DEFAULT_FEVER_THRESHOLD_C, dest="fever_threshold",
            help="fever threshold of the epidemic profile in ℃ (default %(default)s)",
        )
        parser.add_argument("--compact", action="store_true", help="one line of JSON instead of indented")

    def handle(self, *args: Any, **options: Any) -> None:
        stdin = options.get("stdin") or sys.stdin
        # Read bytes where there are bytes, so the input is UTF-8 whatever the terminal's locale says.
        raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
        try:
            result = triage(assessment_from_text(raw), fever_threshold_c=options["fever_threshold"])
        except AssessmentError as exc:
            lines = "\n".join(f"- {message}" for message in exc.errors)
            raise CommandError(_("评估数据有误：\n%(lines)s") % {"lines": lines}, returncode=EXIT_BAD_INPUT) from None
        indent = None if options["compact"] else 2
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=indent))
