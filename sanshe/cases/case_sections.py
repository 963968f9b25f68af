"""The 本人求助 section of the case page: the person's own requests for help, attached ones included."""

from __future__ import annotations

from typing import Any

from .sections import CaseSection


def help_section(actor, case) -> dict[str, Any] | None:
    from .selectors import help_entries_for_case

    entries = help_entries_for_case(actor=actor, case=case)
    return {"help_entries": entries} if entries else None


CASE_SECTIONS = [CaseSection(template="cases/_help_section.html", context=help_section, order=8)]
