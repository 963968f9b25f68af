"""Issue 12 item 13 in a real browser (390 px phone, 1280 px desk): a social worker gives the PHQ-9; the live
score box never sits over item 9's answers, and a positive item 9 puts "save and do C-SSRS now" in the box,
which saves the PHQ-9 and opens the C-SSRS form. Screenshots in test-results/."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.browser.conftest import PHONE, WECHAT_UA, PageProblems, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402

DESK = {"width": 1280, "height": 900}


def _page(chromium, base_url: str, user, problems: PageProblems, viewport: dict):
    phone = viewport == PHONE
    context = chromium.new_context(viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone,
                                   has_touch=phone, locale="zh-CN", timezone_id="Asia/Shanghai",
                                   user_agent=WECHAT_UA if phone else None)
    context.set_default_timeout(20_000)
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    page = context.new_page()
    problems.watch(page)
    return page


def _apart(page, a: str, b: str) -> bool:
    """Whether the two elements' boxes on screen do not overlap."""
    return page.evaluate(
        """([a, b]) => { const r = document.querySelector(a).getBoundingClientRect();
                         const s = document.querySelector(b).getBoundingClientRect();
                         return r.bottom <= s.top || s.bottom <= r.top || r.right <= s.left || s.right <= r.left; }""",
        [a, b])


@pytest.mark.parametrize(("viewport", "size"), [(PHONE, "390"), (DESK, "1280")])
def test_item_9_stays_visible_and_a_positive_answer_offers_cssrs_at_once(
        transactional_db, browser, live_server, social_worker, case, viewport, size):
    from sanshe.assessments.models import Administration

    problems = PageProblems()
    page = _page(browser, live_server.url, social_worker, problems, viewport)
    page.goto(f"{live_server.url}/assessments/cases/{case.pk}/give/phq9/")
    for n in range(1, 9):
        page.locator(f"input[name=item{n}][value='0']").check()
        expect(page.locator("#live")).to_contain_text(f"已答 {n}/9")
    last = page.locator("fieldset.scale-q").last
    # Scrolled just far enough to see item 9's last answer: the score box no longer sticks over it.
    last.locator("input[value='3']").scroll_into_view_if_needed()
    expect(page.locator("form[data-scale]")).to_have_class(re.compile(r"\bat-last\b"))
    assert _apart(page, "fieldset.scale-q:last-of-type .opts", "#live")
    screenshot(page, f"assessments-phq9-item9-open-{size}")
    last.locator("input[value='1']").check()
    offer = page.get_by_role("button", name="保存并立即做 C-SSRS 自杀风险筛查")
    expect(offer).to_be_visible()
    expect(page.locator("#live")).to_contain_text("第9题得分≥1")
    page.locator("fieldset.scale-q").first.scroll_into_view_if_needed()  # back up, then down to item 9
    expect(page.locator("form[data-scale]")).not_to_have_class(re.compile(r"\bat-last\b"))
    last.scroll_into_view_if_needed()
    assert _apart(page, "fieldset.scale-q:last-of-type", "#live")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"assessments-phq9-item9-positive-{size}")
    offer.click()
    expect(page.locator("main h1")).to_contain_text("C-SSRS")
    expect(page.locator(".messages, .msg").first).to_contain_text("已保存PHQ-9")
    screenshot(page, f"assessments-phq9-then-cssrs-{size}")
    page.context.close()
    assert Administration.objects.get(case=case, scale="phq9").result["item9"] == 1
    assert problems.items == []
