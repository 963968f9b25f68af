"""Issue 12 item 3 on phones: a resident's second, urgent 求助 while an earlier non-urgent one is open is not
refused — it is attached to the open one, raises its urgency and tells the resident who has it; the social
worker sees both entries on the referral and on the case. Item 9: the form's controls are check-in sized."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.browser.conftest import CHINESE, PHONE, WECHAT_UA, require_chromium, screenshot
from tests.factories import PASSWORD

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

DESK = {"width": 1280, "height": 900}
INSULIN = "胰岛素两天后就用完了，药店都关了"


def _phone(browser, problems):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=WECHAT_UA)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems.watch(page)
    return page


def _log_in(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}{next_url}")


def _both_widths(page, problems, name: str) -> None:
    """Screenshots at phone and desk width; the page fits the phone and is Chinese, with no failed request."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    body = page.inner_text("body")
    assert CHINESE.search(body) and "Traceback" not in body and "Not Found" not in body
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESK)
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    assert [p for p in problems.items if "/ws/" not in p] == []


@pytest.fixture
def helpers(transactional_db, world, social_worker, resident):
    social_worker.display_name = "陈社工"
    social_worker.save(update_fields=["display_name"])
    resident.display_name = world.head.name
    resident.save(update_fields=["display_name"])
    return world


def test_a_second_urgent_request_is_attached_raised_and_says_who_has_it(browser, live_server, problems, helpers,
                                                                       social_worker):
    from sanshe.cases.models import Case, HelpRequest, Referral

    help_url = reverse("cases:help_request")

    # 1. A non-urgent request first.
    resident = _phone(browser, problems)
    _log_in(resident, live_server, "resident", help_url)
    # Check-in-sized controls: every choice is a whole-row touch target of at least 44 px.
    for label in ("买药", "生活物资", "情绪"):
        box = resident.locator(".help-form .choice-list label", has_text=label).first.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 150, (label, box)
    resident.get_by_label("情绪").first.check()
    resident.fill("textarea[name=text]", "一个人在家，有点焦虑")
    resident.locator('input[name="urgency"][value="routine"]').check()
    resident.get_by_role("button", name="发送求助").click()
    expect(resident.locator(".messages")).to_contain_text("求助已发送")
    expect(resident.locator(".help-open")).to_contain_text("正在等待社工接收")
    _both_widths(resident, problems, "help-1-first-request")

    # 2. The social worker takes it from the inbox (it is now open and has a handler).
    worker = _phone(browser, problems)
    _log_in(worker, live_server, "social_worker", reverse("cases:referral_inbox"))
    worker.get_by_role("button", name=re.compile("接收下一条")).click()
    expect(worker).to_have_url(re.compile(r"/cases/\d+/intake/$"))
    referral = Referral.objects.get(source_kind="self_help")
    assert referral.status == "taken" and referral.urgency == "routine"

    # 3. A second, urgent one while the first is open: not refused, attached, urgency raised, handler named.
    resident.reload()
    expect(resident.locator(".help-open")).to_contain_text("由陈社工负责")
    resident.get_by_label("买药").check()
    resident.fill("textarea[name=text]", INSULIN)
    resident.locator('input[name="urgency"][value="today"]').check()
    resident.get_by_role("button", name="发送求助").click()
    message = resident.locator(".messages")
    expect(message).to_contain_text("已并入您正在处理中的求助，由陈社工负责")
    expect(message).to_contain_text("已提高处理的紧急程度")
    expect(message).to_contain_text("请立即拨打120")
    expect(resident.locator("main")).not_to_contain_text("还在处理中")
    mine = resident.locator("li", has_text=INSULIN[:10])
    expect(mine).to_contain_text("已并入上一条求助")
    expect(mine).to_contain_text("买药")
    _both_widths(resident, problems, "help-2-attached")

    assert Referral.objects.count() == 1  # one request, two entries
    referral.refresh_from_db()
    assert referral.urgency == "within_24h"
    second = HelpRequest.objects.order_by("-pk").first()
    assert second.is_attached and second.raised_urgency and second.referral_id == referral.pk

    # 4. The social worker sees both entries, the raised one marked, on the referral and on the case.
    worker.goto(f"{live_server.url}{reverse('cases:referral_detail', args=[referral.pk])}")
    expect(worker.locator(".head .tag")).to_have_text("24小时内处理")
    entries = worker.locator("#help-requests")
    expect(entries.locator("h2")).to_contain_text("本人求助（2 条）")
    expect(entries.locator(".help-entry")).to_have_count(2)
    expect(entries.locator(".help-entry").first).to_contain_text("有点焦虑")
    raised = entries.locator(".help-entry.raised")
    expect(raised).to_contain_text(INSULIN)
    expect(raised).to_contain_text("这条求助提高了紧急程度")
    expect(raised).to_contain_text("胰岛素")
    _both_widths(worker, problems, "help-3-referral-detail")

    case = Case.objects.get(person=helpers.head)
    worker.goto(f"{live_server.url}{reverse('cases:case_detail', args=[case.pk])}")
    section = worker.locator("#help-requests")
    expect(section.locator(".help-entry")).to_have_count(2)
    expect(section).to_contain_text(INSULIN)
    expect(section).to_contain_text("一个人在家，有点焦虑")
    _both_widths(worker, problems, "help-4-case-page")
    worker.context.close()
    resident.context.close()
