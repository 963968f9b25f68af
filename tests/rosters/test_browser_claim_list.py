"""Issue 12 item 12 in a real browser (390 px phone, 1280 px desk): a medical volunteer sees only the shift they
can claim, the others folded under "不能认领的班次" with the reason; the social worker fills the gap anyway with a
written reason (破例安排). Screenshots in test-results/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.browser.conftest import PHONE, WECHAT_UA, PageProblems, require_chromium, screenshot
from tests.rosters.conftest import make_shift, need

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402

DESK = {"width": 1280, "height": 900}


def soon(hours: int):
    return timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)


def _page(browser, base_url: str, user, problems: PageProblems, viewport: dict):
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone,
                                  has_touch=phone, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  user_agent=WECHAT_UA if phone else None)
    context.set_default_timeout(20_000)
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    page = context.new_page()
    problems.watch(page)
    return page


def _fits(page, viewport: dict) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize(("viewport", "size"), [(PHONE, "390"), (DESK, "1280")])
def test_claim_list_folds_what_cannot_be_taken_and_the_coordinator_overrides_rest(
        transactional_db, browser, live_server, roster, viewport, size):
    from sanshe.rosters import services
    from sanshe.rosters.models import Assignment

    medic = roster.medics[0]
    morning = make_shift(roster.group, soon(30), soon(34))
    services.shift_assign(actor=roster.secretary, need_id=need(morning).pk, user_id=medic.pk)
    too_close = make_shift(roster.group, soon(36), soon(40))
    make_shift(roster.group, soon(60), soon(64))
    problems = PageProblems()

    page = _page(browser, live_server.url, medic, problems, viewport)
    page.goto(f"{live_server.url}/rosters/")
    expect(page.locator("main h1")).to_have_text("我的班次")
    claimable = page.locator("ul.claimable li.place")
    expect(claimable).to_have_count(1)
    expect(claimable.get_by_role("button", name="认领")).to_be_visible()
    folded = page.locator("details#blocked")
    expect(folded.locator("summary")).to_have_text("不能认领的班次（1）")
    expect(folded.locator(".reasons")).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.locator(".reasons")).to_contain_text("两次值班之间至少休息8小时")
    expect(folded.get_by_role("button", name="认领")).to_have_count(0)
    _fits(page, viewport)
    screenshot(page, f"rosters-my-shifts-blocked-{size}")
    page.context.close()

    page = _page(browser, live_server.url, roster.social_worker, problems, viewport)
    page.goto(f"{live_server.url}/rosters/shifts/{too_close.pk}/")
    expect(page.locator("details.blocked-people summary")).to_have_text("不能安排的人员（1）")
    override = page.locator("details.override")
    override.locator("summary").click()
    expect(override.locator("select[name=user] option")).to_contain_text(["孙海燕"])
    _fits(page, viewport)
    screenshot(page, f"rosters-shift-override-form-{size}")
    override.get_by_label("破例原因（必填）").fill("夜间缺医务志愿者，已电话征得本人同意")
    override.get_by_role("button", name="破例安排").click()
    expect(page.locator(".messages")).to_contain_text("已破例安排")
    expect(page.locator("ul.people")).to_contain_text("原因：夜间缺医务志愿者，已电话征得本人同意")
    _fits(page, viewport)
    screenshot(page, f"rosters-shift-overridden-{size}")
    page.context.close()
    assert Assignment.objects.get(shift=too_close, user=medic).rest_override_reason
    assert problems.items == []
