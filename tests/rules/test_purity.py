"""The rules layer stays pure: plain functions over plain data, no ORM, nothing above the kernel.

import-linter (`make lint`) checks the layers for the whole project; this test keeps the rules' own promise
in the test suite, where a rule module that reached for the database would otherwise only fail at review.
"""

from __future__ import annotations

import ast
from pathlib import Path

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


def test_the_old_paths_are_the_same_modules():
    """The shims left at the old paths alias the moved modules (one module object, so patches still apply)."""
    import sanshe.groups.risk
    import sanshe.groups.riskmodel.detect
    import sanshe.groups.riskstat
    import sanshe.monitoring.redflags
    import sanshe.rules.chatrisk
    import sanshe.rules.chatrisk.detect
    import sanshe.rules.chatrisk.riskstat
    import sanshe.rules.redflags

    assert sanshe.monitoring.redflags is sanshe.rules.redflags
    assert sanshe.groups.risk is sanshe.rules.chatrisk
    assert sanshe.groups.riskstat is sanshe.rules.chatrisk.riskstat
    assert sanshe.groups.riskmodel.detect is sanshe.rules.chatrisk.detect
