"""Real-browser fixtures: Playwright driving the system Chromium at phone width against `live_server`.

Browser test modules call `require_chromium()` at import: without Chromium they are skipped with the
reason, unless REQUIRE_BROWSER=1 (CI), where a missing browser is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make there are
# still plain synchronous calls, which Django would otherwise refuse inside a running loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
PHONE = {"width": 390, "height": 844}
# What residents use: WeChat's built-in browser on Android.
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 13; V2217A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 "
             "MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI "
             "Language/zh_CN ABI/arm64")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def require_chromium() -> None:
    """Skip the calling module when Chromium is missing; fail instead when REQUIRE_BROWSER=1."""
    if CHROMIUM.exists():
        return
    reason = f"Chromium not found at {CHROMIUM}: browser tests skipped (apt-get install chromium to run them)"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is open, and
# later tests (Channels' communicators through async_to_sync) need the thread without one.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class PageProblems:
    """Server errors, failed asset loads and script errors seen while a page was open."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page) -> None:
        page.on("response", lambda r: r.status >= 400 and self.items.append(f"HTTP {r.status} {r.url}"))
        page.on("requestfailed", self._failed)
        page.on("pageerror", lambda e: self.items.append(f"script error {e}"))

    def _failed(self, request) -> None:
        # A request the browser itself cancelled because the page navigated away (a background poll,
        # a prefetch) is not a problem of the page; on a loaded CI machine it happens at random.
        if (request.failure or "") == "net::ERR_ABORTED":
            return
        self.items.append(f"failed {request.url} ({request.failure})")


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def phone_page(browser, live_server, problems):
    """A fresh phone-sized browser tab (no cookies) that records problems."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=WECHAT_UA)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems.watch(page)
    yield page
    context.close()


@pytest.fixture
def demo_street(transactional_db):
    """A small demo street (the printed demo logins) in the live server's database."""
    call_command("demo", people=300, no_progress=True, no_logins=True, core_only=True)


def screenshot(page, name: str) -> Path:
    """A full-page screenshot in test-results/ for people to look at."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def rendered_cjk_width(page, text: str = "工作台", size: int = 20) -> float:
    """Width of `text` in the page's own font: 1 em per character when a CJK font draws it, not tofu."""
    return page.evaluate(
        """([text, size]) => {
            const ctx = document.createElement('canvas').getContext('2d');
            ctx.font = `${size}px ${getComputedStyle(document.body).fontFamily}`;
            return ctx.measureText(text).width;
        }""",
        [text, size],
    )
