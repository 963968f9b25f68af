"""In a real browser: the demo admin's user list shows partner organisations' people and residents of the
communities the admin's organisation serves, view-only, and filters by organisation and role."""

from __future__ import annotations

import pytest

from sanshe.people.demo_community import DEMO_PASSWORD
from tests.browser.conftest import PHONE, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

DESK = {"width": 1280, "height": 900}


def test_admin_lists_everyone_in_scope_and_filters(phone_page, problems, live_server, demo_street):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/users/")
    rows = page.locator("ul.list.users > li")
    # The volunteer organisation's secretary is listed, view-only; the admin's own social worker links.
    secretary = rows.filter(has_text="mishu").first
    expect(secretary).to_contain_text("一般志愿者（群秘书）")
    expect(secretary).to_contain_text("其他机构账号，仅可查看")
    expect(secretary.locator("a")).to_have_count(0)
    expect(rows.filter(has_text="shegong").first.locator("a.row")).to_have_count(1)
    screenshot(page, "accounts-user-list-scope-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(DESK)
    screenshot(page, "accounts-user-list-scope-1280")

    page.select_option("#role", "resident")
    page.get_by_role("button", name="筛选").click()
    expect(rows.first).to_contain_text("居民")
    expect(rows.filter(has_text="mishu")).to_have_count(0)
    screenshot(page, "accounts-user-list-residents-1280")
    page.set_viewport_size(PHONE)
    screenshot(page, "accounts-user-list-residents-390")
    assert [item for item in problems.items if "favicon" not in item] == []
