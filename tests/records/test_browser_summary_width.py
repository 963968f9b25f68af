"""Issue 12 item 13: the daily summary (tool 8) uses the page's full width at desk size — at 1280 px the table
fills its box without a sideways scroll bar — and on a phone nothing pushes the page wider than the screen."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from sanshe.records import services
from tests.browser.conftest import PHONE, WECHAT_UA, browser, problems, require_chromium, screenshot  # noqa: F401
from tests.factories import PASSWORD
from tests.groups.conftest import focus, on_duty  # noqa: F401

from .conftest import consultation, medical, psychological, social_work

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

DESK = {"width": 1280, "height": 900}


@pytest.fixture
def summary(transactional_db, world, focus, social_worker, secretary, medic, counsellor):  # noqa: F811
    consultation(secretary, focus, world.head)
    medical(medic, focus, world.head)
    psychological(counsellor, focus, world.head)
    social_work(social_worker, focus, world.head)
    consultation(social_worker, focus, world.spouse, client_name=world.spouse.name)
    return services.summary_compile(actor=social_worker, group_id=focus.pk, day=timezone.localdate())


def _box(page) -> dict:
    return page.evaluate("""() => {
        const wrap = document.querySelector('.summary-wrap'), table = wrap.querySelector('table.summary');
        return {wrap: wrap.clientWidth, scroll: wrap.scrollWidth, table: table.getBoundingClientRect().width,
                page: document.documentElement.scrollWidth, main: document.querySelector('main').clientWidth};
    }""")


def test_the_daily_summary_fills_the_desk_and_fits_the_phone(browser, problems, live_server, summary,  # noqa: F811
                                                             social_worker):
    context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems.watch(page)
    url = reverse("records:summary_detail", args=[summary.group_id, summary.day.isoformat()])
    page.goto(f"{live_server.url}/accounts/login/?next={url}")
    page.fill("#id_username", social_worker.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}{url}")
    rows = summary.rows.count()
    assert rows == 2
    expect(page.locator("table.summary tbody tr")).to_have_count(rows)

    box = _box(page)
    # The content column beside the 11rem side bar is 1280 - 176 px; the box takes all of it but the padding,
    # and the table fills the box without scrolling sideways.
    assert box["wrap"] >= 1280 - 176 - 40, box
    assert box["scroll"] <= box["wrap"] + 1 and box["table"] >= box["wrap"] - 2, box
    assert box["page"] <= 1280, box
    screenshot(page, "records_summary_width-1280")

    page.set_viewport_size({"width": 2000, "height": 900})
    wide = _box(page)
    assert wide["wrap"] > box["wrap"] + 500 and wide["table"] >= wide["wrap"] - 2, wide  # no 1100 px cap

    page.set_viewport_size(PHONE)
    expect(page.locator(".cards-mobile .row-card")).to_have_count(rows)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "records_summary_width-390")
    context.close()
    # The desk context asks for /favicon.ico (there is none); nothing else may have failed.
    assert [p for p in problems.items if "/ws/" not in p and "/favicon.ico" not in p] == []
