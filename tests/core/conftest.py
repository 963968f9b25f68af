"""Fixtures for kernel tests: the real-browser fixtures, shared with tests/browser."""

from tests.browser.conftest import browser, demo_street, phone_page, problems  # noqa: F401  (shared fixtures)
