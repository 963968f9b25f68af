"""Sections other features add to the case page (个案), without the case page importing them.

A feature app may define `sanshe/<app>/case_sections.py` with

    CASE_SECTIONS = [CaseSection(template="records/_case_section.html", context=records_for_case, order=30)]

where `context(actor, case)` returns the template's context, or None to hide the section for this actor
(need-to-know: a counsellor's notes are not shown to a community worker). The case page renders the
sections in `order`. Collected once per process from every installed `sanshe.*` app, like the navigation
modules of sanshe.core.features.

The feature that handles crises (sanshe.crisis, built on cases) also says there where the case's open crisis is:

    CASE_OPEN_CRISIS_URL = open_crisis_url   # (actor, case) -> the crisis page, or "" (none open, or not visible)

so that taking a crisis referral leads to the crisis page first and the intake links it, without cases importing
the crisis feature. Without such a module installed, no case has an open crisis.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class CaseSection:
    template: str
    # (actor, case) -> the template's context, or None to leave the section out.
    context: Callable[[Any, Any], dict[str, Any] | None]
    order: int = 100


@lru_cache(maxsize=1)
def _section_modules() -> tuple:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sanshe."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.case_sections"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.case_sections":
                raise
    return tuple(modules)


def all_case_sections() -> list[CaseSection]:
    return sorted((s for m in _section_modules() for s in getattr(m, "CASE_SECTIONS", [])), key=lambda s: s.order)


def case_sections_for(actor, case) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of each section this actor sees on this case, in order."""
    shown = []
    for section in all_case_sections():
        context = section.context(actor, case)
        if context is not None:
            shown.append((section.template, {"case": case, **context}))
    return shown


def case_open_crisis_url(*, actor, case) -> str:
    """The page of the case's open crisis when the actor may see it, else "" (see CASE_OPEN_CRISIS_URL above)."""
    for module in _section_modules():
        url_for = getattr(module, "CASE_OPEN_CRISIS_URL", None)
        if url_for is not None:
            url = url_for(actor, case)
            if url:
                return url
    return ""
