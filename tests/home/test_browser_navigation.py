"""In a real browser: the bottom bar of the role's daily work plus 更多 on a phone, a side bar at desk width;
the secretary's home leads with the work and keeps the guide's texts folded."""

from __future__ import annotations

import pytest

from tests.browser import conftest as shared
from tests.browser.conftest import PHONE, require_chromium, screenshot

browser, phone_page, problems, demo_street = shared.browser, shared.phone_page, shared.problems, shared.demo_street

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

from tests.people.test_pages_browser import log_in  # noqa: E402

DESK = {"width": 1280, "height": 900}


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_social_worker_bottom_bar_and_more(phone_page, problems, live_server, demo_street):
    page = phone_page
    log_in(page, live_server.url, "shegong")
    bar = page.locator("nav.nav .nav-main > li")
    assert 3 <= bar.count() <= 5
    expect(bar.first).to_have_text("工作台")
    for i in range(bar.count()):
        expect(bar.nth(i)).to_be_in_viewport()  # nothing cut off at the side
    fits(page, PHONE["width"])
    screenshot(page, "nav-social-worker-390")
    page.locator("details.nav-more > summary").click()
    expect(page.locator("details.nav-more ul a").first).to_be_visible()
    screenshot(page, "nav-social-worker-more-390")
    page.set_viewport_size(DESK)
    page.goto(f"{live_server.url}/")
    for i in range(bar.count()):
        expect(bar.nth(i)).to_be_in_viewport()
    fits(page, DESK["width"])
    screenshot(page, "nav-social-worker-1280")
    assert problems.items == []


def test_secretary_home_leads_with_the_work_and_folds_the_guide(phone_page, problems, live_server, demo_street):
    page = phone_page
    log_in(page, live_server.url, "mishu")
    guide = page.locator("details.guide")
    expect(guide.first).to_be_visible()
    assert guide.count() == 3
    expect(page.get_by_text("非当班社会工作者")).not_to_be_visible()  # folded
    expect(page.locator("main")).to_contain_text("您能看到您担任群秘书的咨询群里的成员和聊天")
    expect(page.locator("main")).not_to_contain_text("您看不到任何居民的个人信息")
    screenshot(page, "home-secretary-390")
    page.locator("details.guide > summary", has_text="在线工作守则").click()
    expect(page.get_by_text("非当班社会工作者", exact=False)).to_be_visible()
    page.set_viewport_size(DESK)
    page.goto(f"{live_server.url}/")
    screenshot(page, "home-secretary-1280")
    assert problems.items == []
