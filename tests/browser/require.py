"""pytest plugin (loaded from pyproject's addopts): with REQUIRE_BROWSER=1, a skipped browser test fails.

CI sets REQUIRE_BROWSER=1 on the run that has Chromium installed, so browser tests can never pass there
by being skipped, whichever module they live in and however that module skips.
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("REQUIRE_BROWSER") == "1" and item.get_closest_marker("browser"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_BROWSER=1 but this browser test was skipped: {reason}"
