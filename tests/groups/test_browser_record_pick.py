"""Issue 12 item 13 in a real browser (390 px phone, 1280 px desk): the secretary's 记录咨询 page offers the last
hour's messages and finds an older question by a word, then keeps the picked pair. Screenshots in test-results/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.browser.conftest import PHONE, WECHAT_UA, PageProblems, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402

DESK = {"width": 1280, "height": 900}


@pytest.mark.parametrize(("viewport", "size"), [(PHONE, "390"), (DESK, "1280")])
def test_secretary_picks_from_the_last_hour_or_searches(
        transactional_db, browser, live_server, on_duty, resident, secretary, medic, viewport, size):
    from sanshe.groups import services
    from sanshe.groups.models import Message, RecordRequest

    earlier = timezone.now() - timedelta(hours=3)
    old = services.message_send(actor=resident, group=on_duty, body="早上量的血压160/100要紧吗").message
    answer = services.message_send(actor=medic, group=on_duty, body="请按时服降压药，半小时后复测").message
    Message.objects.filter(pk__in=[old.pk, answer.pk]).update(published_at=earlier)
    services.message_send(actor=resident, group=on_duty, body="孩子咳嗽两天了，要吃什么药")

    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone,
                                  has_touch=phone, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  user_agent=WECHAT_UA if phone else None)
    context.set_default_timeout(20_000)
    client = Client()
    client.force_login(secretary)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    page.goto(f"{live_server.url}/groups/{on_duty.pk}/record/")
    expect(page.locator("main h1")).to_have_text("记录咨询")
    expect(page.locator(".pick-list li")).to_have_count(1)
    expect(page.locator(".pick-list")).to_contain_text("孩子咳嗽两天了")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"groups-record-last-hour-{size}")

    page.get_by_label("查找今天的消息（内容或昵称）").fill("血压")
    page.get_by_role("button", name="查找").click()
    expect(page.locator(".record-scope")).to_contain_text("含“血压”的消息：1条")
    expect(page.locator(".pick-list li")).to_have_count(1)
    page.locator(f".pick-list input[value='{old.pk}']").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"groups-record-search-{size}")
    page.get_by_role("button", name="保存待记录").click()
    expect(page.locator(".messages, .msg").first).to_contain_text("已保存待记录内容")
    context.close()
    assert list(RecordRequest.objects.get().messages.values_list("pk", flat=True)) == [old.pk]
    assert problems.items == []
