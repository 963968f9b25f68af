"""The rules layer stays pure: plain functions over plain data, no ORM, nothing above the kernel.

import-linter (`make lint`) checks the layers for the whole project; this test keeps the rules' own promise
in the test suite, where a rule module that reached for the database would otherwise only fail at review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sanshe.rules

RULES = Path(sanshe.rules.__file__).parent
# A rule module may take its labels from Django's translation, nothing else of Django (no ORM, no models).
ALLOWED_DJANGO = {"django.utils.translation"}
ALLOWED_SANSHE = ("sanshe.rules", "sanshe.core.identity")


def imported_modules(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.append((node.module or "", node.lineno))
    return found


def test_rule_modules_import_no_database_and_no_feature():
    offending = []
    for path in sorted(RULES.rglob("*.py")):
        for module, line in imported_modules(path):
            if module.startswith("django") and module not in ALLOWED_DJANGO:
                offending.append(f"{path.relative_to(RULES)}:{line} {module}")
            if module.startswith("sanshe") and not module.startswith(ALLOWED_SANSHE):
                offending.append(f"{path.relative_to(RULES)}:{line} {module}")
    assert offending == []


@pytest.mark.parametrize("old_path", ["sanshe.groups.risk", "sanshe.groups.riskstat", "sanshe.groups.riskmodel",
                                      "sanshe.monitoring.redflags"])
def test_the_transition_shims_are_gone(old_path):
    """The rules live in sanshe.rules only: the old aliases were removed once every importer moved (issue 14)."""
    import importlib.util

    assert importlib.util.find_spec(old_path) is None
