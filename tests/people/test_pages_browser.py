"""In a real browser at phone width: search people, reveal a number with a reason, register a person."""

from __future__ import annotations

import re

import pytest

from sanshe.core.models import AuditEvent
from sanshe.people.demo_community import DEMO_PASSWORD
from sanshe.people.models import Person
from tests.browser import conftest as shared
from tests.browser.conftest import PHONE, require_chromium, screenshot

# The phone-width browser fixtures shared by every browser test.
browser, phone_page, problems, demo_street = shared.browser, shared.phone_page, shared.problems, shared.demo_street

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)


def log_in(page, base_url: str, username: str = "shequ") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base_url}/")


def choose(page, select: str, index: int) -> None:
    """Pick an option and wait until htmx has swapped in (and wired up) the selects that follow."""
    # A marker attribute and wait_for_selector, not wait_for_function: the page's Content-Security-Policy
    # forbids the eval that Playwright's polling predicates use.
    page.evaluate("delete document.body.dataset.settled; document.body.addEventListener('htmx:afterSettle',"
                  " () => { document.body.dataset.settled = '1'; }, {once: true})")
    page.select_option(select, index=index)
    page.wait_for_selector("body[data-settled='1']", state="attached")


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_search_by_initials_then_reveal_a_phone_number(phone_page, problems, live_server, demo_street):
    page = phone_page
    log_in(page, live_server.url)
    page.get_by_role("navigation").first.get_by_role("link", name="人员").click()
    person = Person.objects.filter(community__name="友谊社区").exclude(phone=None).order_by("pk").first()
    page.fill("#id_q", person.name_initials)
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/people/\?s=[\w-]+$"))  # the typed text is not in the URL
    expect(page.locator("#id_q")).to_have_value(person.name_initials)
    page.get_by_role("link", name=re.compile(person.name)).first.click()
    expect(page.locator("main h1")).to_contain_text(person.name)
    phone_row = page.locator("#reveal-phone")
    expect(phone_row).to_contain_text(person.phone_masked)
    assert person.phone not in page.content()
    no_sideways_scroll(page)
    screenshot(page, "person-detail")

    phone_row.locator("summary").click()
    phone_row.get_by_role("button", name="确认查看").click()
    expect(phone_row).to_contain_text("请填写查看事由（至少4个字）")  # nothing shown without a reason
    phone_row.get_by_label("查看事由").fill("电话回访居家隔离人员")
    phone_row.get_by_role("button", name="确认查看").click()
    expect(phone_row.locator(".masked.full")).to_have_text(person.phone)
    event = AuditEvent.objects.get(action="person.reveal", outcome="success")
    assert event.reason == "电话回访居家隔离人员" and event.object_id == str(person.pk)
    screenshot(page, "person-revealed")
    page.reload()
    expect(page.locator("#reveal-phone")).not_to_contain_text(person.phone)
    assert problems.items == []


def test_register_a_person_through_the_household_picker(phone_page, problems, live_server, demo_street):
    page = phone_page
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/people/new/")
    picker = page.locator("#household-picker")
    # Each choice reloads the next select with the places under it (the demo's first compound and so on).
    choose(page, "#id_compound", 1)
    expect(page.locator("#id_building option")).not_to_have_count(1)
    choose(page, "#id_building", 1)
    expect(page.locator("#id_unit option")).not_to_have_count(1)
    unit_name = page.locator("#id_unit option").nth(1).inner_text()
    choose(page, "#id_unit", 1)
    expect(page.locator("#id_household option")).not_to_have_count(1)
    page.fill("#id_new_room", "2501")
    page.fill("#id_name", "欧阳娜娜")
    page.fill("#id_doc_number", "440524188001010015")  # wrong check digit
    page.fill("#id_phone", "138 0013 8000")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("身份证号校验位错误，请核对")).to_be_visible()
    # Everything typed and chosen is still there.
    expect(page.locator("#id_name")).to_have_value("欧阳娜娜")
    expect(page.locator("#id_phone")).to_have_value("138 0013 8000")
    expect(picker.locator("#id_new_room")).to_have_value("2501")
    expect(page.locator("#id_unit option:checked")).to_have_text(unit_name)
    no_sideways_scroll(page)
    screenshot(page, "person-form-error")
    page.fill("#id_doc_number", "440524188001010014")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("main h1")).to_contain_text("欧阳娜娜")
    person = Person.objects.get(name="欧阳娜娜")
    assert person.household.room == "2501" and person.phone == "13800138000"
    expect(page.locator("#reveal-doc_number")).to_contain_text("440524********0014")
    assert problems.items == []
