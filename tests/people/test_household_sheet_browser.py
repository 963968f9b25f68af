"""The household sheet import on a phone, in a real browser: upload → preview with the bad row explained → import."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (  # noqa: F401  (fixtures used by name)
    PHONE,
    browser,
    phone_page,
    problems,
    require_chromium,
    screenshot,
)
from tests.factories import PASSWORD
from tests.people.household_sheet_files import bad_check_digit, person_row, xlsx_bytes

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_community_worker_imports_a_household_sheet_on_a_phone(transactional_db, world, community_worker, live_server,
                                                     phone_page, problems):  # noqa: F811 (fixtures)
    from sanshe.people.models import Person

    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", community_worker.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/people/households/import/")
    expect(page.locator("main h1")).to_have_text("名册导入")
    rows = [person_row(1, name="手机甲", building="6", unit="2", room="601"),
            person_row(2, name="手机乙", building="6", unit="2", room="601", relation="妻子"),
            person_row(3, name="手机丙", room="602")]
    rows[2][2] = bad_check_digit(rows[2][2])
    page.set_input_files("#id_file", files=[{"name": "六栋名册.xlsx", "mimeType": XLSX,
                                             "buffer": xlsx_bytes(rows)}])
    page.get_by_role("button", name="上传并检查").click()

    expect(page.get_by_role("heading", name="检查结果")).to_be_visible()
    table = page.locator(".household-sheet-errors table")
    expect(table).to_contain_text("身份证号校验位错误，请核对")
    expect(table.locator("tbody tr td").first).to_have_text("4")
    expect(page.get_by_role("button", name="全部无误才导入")).to_be_disabled()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "household-sheet-import-preview-phone")

    page.get_by_role("button", name=re.compile("导入无误的 2 行")).click()
    expect(page.get_by_role("heading", name="导入完成")).to_be_visible()
    expect(page.locator(".household-sheet-done .stat").first).to_contain_text("2")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "household-sheet-import-done-phone")
    assert sorted(Person.objects.filter(name__startswith="手机").values_list("name", flat=True)) == ["手机乙", "手机甲"]
    assert problems.items == []
