"""In a real browser: a community worker looks people up by room, by a phone's last 4 digits, and gets told
when a query is not understood; cards on a phone, a table with columns at desk width."""

from __future__ import annotations

import re

import pytest

from sanshe.people.models import Person
from tests.browser import conftest as shared
from tests.browser.conftest import PHONE, require_chromium, screenshot

browser, phone_page, problems, demo_street = shared.browser, shared.phone_page, shared.problems, shared.demo_street

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

from tests.people.test_pages_browser import log_in  # noqa: E402

DESK = {"width": 1280, "height": 900}


def search(page, text: str) -> None:
    page.fill("#id_q", text)
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/people/\?s=[\w-]+"))


def row_display(page) -> str:
    return page.evaluate("getComputedStyle(document.querySelector('.people-table tbody tr')).display")


def number(name: str) -> str:
    return re.search(r"\d+", name).group()


def test_look_people_up_by_room_phone_tail_and_a_query_not_understood(phone_page, problems, live_server,
                                                                       demo_street):
    page = phone_page
    log_in(page, live_server.url)
    person = (Person.objects.filter(community__name="友谊社区", household__isnull=False).exclude(phone=None)
              .select_related("household__unit", "building").order_by("pk").first())
    room = f"{number(person.building.name)}-{number(person.household.unit.name)}-{person.household.room}"

    page.goto(f"{live_server.url}/people/")
    expect(page.locator(".people-table tbody tr").first).to_be_visible()
    assert row_display(page) == "block"  # a card per person on a phone, no column headers
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "people-list-390")

    search(page, room)
    expect(page.locator(".people-table")).to_contain_text(person.name)
    expect(page.locator("main")).to_contain_text("按楼栋、单元、房号排列")
    screenshot(page, "people-room-search-390")

    search(page, person.phone[-4:])
    expect(page.locator(".people-table")).to_contain_text(person.name)
    assert person.phone not in page.content()  # the list shows phones masked

    search(page, "张伟101")
    expect(page.locator("main")).to_contain_text("没有看懂“张伟101”")
    expect(page.locator(".people-table")).to_have_count(0)
    screenshot(page, "people-not-understood-390")

    page.set_viewport_size(DESK)
    search(page, f"{number(person.building.name)}栋")
    assert row_display(page) == "table-row"  # columns at desk width
    expect(page.get_by_role("columnheader", name="住址")).to_be_visible()
    screenshot(page, "people-room-search-1280")
    page.goto(f"{live_server.url}/people/")
    expect(page.get_by_role("columnheader", name="手机号")).to_be_visible()
    screenshot(page, "people-list-1280")
    assert problems.items == []
