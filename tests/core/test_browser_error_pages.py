"""Issue 12 item 8 on a phone: the 404, 403, CSRF-failure and 500 pages are Chinese, in the site layout, and
offer a way back that works. Screenshots at 390 and 1280 px."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.browser.conftest import CHINESE, PHONE, require_chromium, screenshot
from tests.factories import PASSWORD

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

DESK = {"width": 1280, "height": 900}
ENGLISH = ("Not Found", "Forbidden", "Bad Request", "Server Error", "CSRF")


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}{reverse('accounts:login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base_url}/")


def _assert_error_page(page, heading: str, name: str) -> None:
    expect(page.locator("main h1")).to_have_text(heading)
    expect(page.locator("header .brand")).to_be_visible()  # the site layout
    expect(page.get_by_role("link", name="回到首页")).to_be_visible()
    body = page.inner_text("body")
    assert CHINESE.search(body) and not any(word in body for word in ENGLISH)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESK)
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)


def _other_problems(problems, *expected: str) -> list[str]:
    return [item for item in problems.items
            if "favicon" not in item and not any(item.startswith(e) for e in expected)]


def test_404_and_403_pages_lead_back(phone_page, problems, live_server, resident):
    page = phone_page
    _log_in(page, live_server.url, "resident")
    # An old link (a group the resident was moved out of, a mistyped address): the Chinese 404, back works.
    page.goto(f"{live_server.url}/groups/999999/", referer=f"{live_server.url}/")
    _assert_error_page(page, "页面不存在", "error-404")
    expect(page.locator("header .who")).to_be_visible()  # still the resident's own layout
    page.get_by_role("link", name="返回上一页").click()
    expect(page).to_have_url(f"{live_server.url}/")
    # A staff page: the Chinese 403.
    page.goto(f"{live_server.url}{reverse('people:person_list')}")
    _assert_error_page(page, "您无权访问此页面", "error-403")
    expect(page.get_by_role("link", name="返回上一页")).to_have_count(0)  # typed address: no page to go back to
    page.get_by_role("link", name="回到首页").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert _other_problems(problems, "HTTP 404", "HTTP 403") == []
    assert len(problems.items) == 2


def test_a_form_refused_by_csrf_explains_itself_and_leads_back(phone_page, problems, live_server, resident):
    page = phone_page
    login_url = f"{live_server.url}{reverse('accounts:login')}?next=/monitoring/me/"
    page.goto(login_url)
    page.context.clear_cookies()  # the CSRF cookie is gone (cookies cleared, WeChat's webview restarted)
    page.fill("#id_username", "resident")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    _assert_error_page(page, "页面已过期，未能提交", "error-csrf")
    page.get_by_role("link", name="返回上一页").click()
    expect(page).to_have_url(login_url)
    assert _other_problems(problems, "HTTP 403") == []


@pytest.mark.urls("tests.core.error_urls")
def test_the_500_page(phone_page, problems, live_server, resident):
    page = phone_page
    _log_in(page, live_server.url, "resident")
    page.goto(f"{live_server.url}/boom/", referer=f"{live_server.url}/")
    _assert_error_page(page, "抱歉，服务器出错了", "error-500")
    assert "a bug" not in page.content()
    page.get_by_role("link", name="返回上一页").click()
    expect(page).to_have_url(re.compile(r"/$"))
    assert _other_problems(problems, "HTTP 500") == []
