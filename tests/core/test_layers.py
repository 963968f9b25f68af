"""The declared layers hold: the import contract of pyproject.toml ([tool.importlinter]) is kept.

`make lint` runs the same check; running it in the suite makes CI refuse a new upward import or a new cycle
between apps, not only a developer who remembers to lint.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contract_is_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def _contracts() -> list[dict]:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def test_the_contracts_have_no_exceptions():
    """No cycle and no upward import is tolerated by an ignore list: the graph between apps is acyclic as it is."""
    assert {c["id"] for c in _contracts()} >= {"layers", "acyclic-apps", "rules-pure"}
    for contract in _contracts():
        assert not contract.get("ignore_imports"), contract["id"]


@pytest.mark.parametrize(("module", "planted"), [
    ("core/pii.py", "from sanshe.accounts import models as _upward  # planted: kernel -> directory\n"),
    ("rules/needs.py", "from sanshe.monitoring import models as _upward  # planted: rules -> feature\n"),
    ("groups/labels.py", "from sanshe.cases import models as _cycle  # planted: closes groups <-> cases\n"),
])
def test_a_planted_upward_import_or_cycle_breaks_the_contract(tmp_path, module, planted):
    """The contract is not vacuous: the same contracts on a copy of the code with one planted import fail."""
    import shutil

    shutil.copytree(ROOT / "sanshe", tmp_path / "sanshe",
                    ignore=shutil.ignore_patterns("*.pyc", "__pycache__", "locale", "static", "templates", "*.json"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "sanshe" / module
    target.write_text(planted + target.read_text(encoding="utf-8"), encoding="utf-8")
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=600, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode != 0, result.stdout[-3000:]
    assert "BROKEN" in result.stdout
