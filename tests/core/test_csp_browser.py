"""Key pages run in Chromium under the Content-Security-Policy without a single violation."""

from __future__ import annotations

import re

import pytest

from sanshe.people.demo_community import DEMO_PASSWORD
from tests.browser.conftest import require_chromium

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402

# Recorded by the page itself: a CSP violation only shows as a console message, and htmx fails silently.
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile));
"""


def _watch(page) -> list[str]:
    console: list[str] = []
    page.add_init_script(WATCH_VIOLATIONS)
    page.on("console", lambda m: "Content Security Policy" in m.text and console.append(m.text))
    return console


def _violations(page, console: list[str]) -> list[str]:
    return console + page.evaluate("window.__csp || []")


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base_url}/")


def test_login_home_and_groups_pages_have_no_csp_violation(phone_page, problems, live_server, demo_street):
    from django.utils import timezone

    from sanshe.groups.demo import demo_load as groups_demo

    groups_demo(today=timezone.localdate())
    console = _watch(phone_page)
    phone_page.goto(f"{live_server.url}/accounts/login/")
    assert _violations(phone_page, console) == []
    _log_in(phone_page, live_server.url, "shegong")
    assert phone_page.evaluate("htmx.config.allowEval") is False
    assert _violations(phone_page, console) == []
    phone_page.goto(f"{live_server.url}/groups/")
    chat = phone_page.locator("a[href]").filter(has_text=re.compile(".")).evaluate_all(
        "links => links.map(a => a.getAttribute('href')).filter(h => /^\\/groups\\/\\d+\\/$/.test(h))")
    assert chat, "the demo should give the social worker a group"
    phone_page.goto(f"{live_server.url}{chat[0]}")
    expect(phone_page.locator("main")).to_be_visible()
    assert _violations(phone_page, console) == []
    # The API docs (Swagger UI, shipped with the app) render under the same policy.
    phone_page.goto(f"{live_server.url}/api/v1/docs")
    expect(phone_page.locator(".swagger-ui .info .title")).to_contain_text("Sanshe")
    assert _violations(phone_page, console) == []
    assert problems.items == []


def test_resident_check_in_page_has_no_csp_violation(phone_page, problems, live_server, demo_street):
    console = _watch(phone_page)
    _log_in(phone_page, live_server.url, "jumin")
    phone_page.goto(f"{live_server.url}/monitoring/me/")
    expect(phone_page.locator("main")).to_be_visible()
    assert _violations(phone_page, console) == []
    assert problems.items == []


def _first_link(page, pattern: str) -> str | None:
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return next((href for href in hrefs if re.fullmatch(pattern, href or "")), None)


@pytest.fixture
def full_demo_street(transactional_db):
    """The demo street with its monitoring: follow-ups, a screening round, alerts."""
    from django.core.management import call_command

    call_command("demo", people=300, no_progress=True, no_logins=True)


BAR_WIDTHS = """() => [...document.querySelectorAll('.progress > div')].map(bar => {
    const m = /pct-(\\d+)/.exec(bar.className);
    return [m ? +m[1] : null, bar.getBoundingClientRect().width / bar.parentElement.getBoundingClientRect().width];
})"""


def test_monitoring_pages_with_bars_and_warnings_have_no_csp_violation(phone_page, problems, live_server,
                                                                        full_demo_street):
    """The pages that once coloured a figure or sized a progress bar in a style attribute."""
    console = _watch(phone_page)
    _log_in(phone_page, live_server.url, "shequ")
    assert _violations(phone_page, console) == []
    visited = []
    for url, detail in (("/monitoring/today/", r"/monitoring/today/b/\d+/"),
                        ("/monitoring/screening/", r"/monitoring/screening/\d+/"),
                        ("/monitoring/alerts/", r"/monitoring/alerts/\d+/"),
                        ("/monitoring/indicators/", None)):
        phone_page.goto(f"{live_server.url}{url}")
        expect(phone_page.locator("main")).to_be_visible()
        visited.append(url)
        if url == "/monitoring/today/":
            # The stylesheet sizes the bars now: each is as wide as its percentage of the track.
            bars = phone_page.evaluate(BAR_WIDTHS)
            assert bars and all(percent is not None for percent, _ratio in bars), bars
            assert any(percent > 0 for percent, _ratio in bars), bars
            assert all(abs(percent / 100 - ratio) < 0.01 for percent, ratio in bars), bars
        href = detail and _first_link(phone_page, detail)
        if href:
            phone_page.goto(f"{live_server.url}{href}")
            expect(phone_page.locator("main")).to_be_visible()
            visited.append(href)
        assert _violations(phone_page, console) == [], visited
    # The demo has buildings to follow up, a screening round and open alerts to open.
    assert len(visited) == 7, visited
    assert problems.items == []
