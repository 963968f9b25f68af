"""The declared layers hold: the import contract of pyproject.toml ([tool.importlinter]) is kept.

`make lint` runs the same check; running it in the suite makes CI refuse a new upward import or a new cycle
between apps, not only a developer who remembers to lint.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contract_is_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
