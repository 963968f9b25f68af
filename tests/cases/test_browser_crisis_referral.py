"""Issue 12 item 1 on a phone and at a desk: a chat alert (saved-up sleeping pills) → referral → the social worker
takes next → the crisis page opens first → the intake is pre-filled from the referral → a mild PHQ-9 with item
9 = 3 → triage shows the crisis and the alert among its reasons → accept → the case stays 立即处理 · 危机个案."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.browser.conftest import PHONE, require_chromium, screenshot
from tests.factories import PASSWORD
from tests.groups.conftest import focus, on_duty  # noqa: F401  (fixtures)

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

PILLS = "我攒了一瓶安眠药，今晚就吃"
DESK = {"width": 1280, "height": 900}


@pytest.fixture
def alert_referred(transactional_db, world, social_worker, resident, on_duty):  # noqa: F811
    """The resident writes in the focus group; the imminent alert refers them at once (after commit). The on-duty
    social worker already started the crisis protocol from the alert; the referral still waits in the inbox."""
    from sanshe.cases.models import Referral
    from sanshe.crisis.services import crisis_from_alert
    from sanshe.groups import services
    from sanshe.groups.models import Group, RiskAlert

    message = services.message_send(actor=resident, group=Group.objects.get(pk=on_duty.pk), body=PILLS).message
    alert = RiskAlert.objects.get(message=message)
    referral = Referral.objects.get(source_kind="chat", source_id=alert.pk)
    crisis = crisis_from_alert(actor=social_worker, alert_id=alert.pk)
    assert referral.status == "new"
    return {"alert": alert, "crisis": crisis, "referral": referral}


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_take_next_on_a_chat_alert_referral_keeps_the_case_immediate_through_triage(
        browser, live_server, problems, alert_referred, viewport):
    from sanshe.cases.models import Case

    size = PHONE if viewport == "phone" else DESK
    context = browser.new_context(viewport=size, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  is_mobile=viewport == "phone", has_touch=viewport == "phone")
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems.watch(page)
    inbox = reverse("cases:referral_inbox")
    page.goto(f"{live_server.url}/accounts/login/?next={inbox}")
    page.fill("#id_username", "social_worker")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}{inbox}")

    # Take next: the crisis page opens first, not a blank intake form.
    page.get_by_role("button", name=re.compile("接收下一条")).click()
    crisis_url = reverse("crisis:detail", args=[alert_referred["crisis"].pk])
    expect(page).to_have_url(f"{live_server.url}{crisis_url}")
    expect(page.locator(".messages")).to_contain_text("请先在本页确认并处置危机")
    screenshot(page, f"issue12_take_next_crisis_first_{viewport}")
    page.get_by_role("button", name="我来处置（确认）").click()
    expect(page.locator(".crisis-hero")).to_contain_text("处置中")

    # From the crisis page to the case, and its intake: pre-filled from the referral, the message quoted.
    page.get_by_role("link", name="打开个案").click()
    case = Case.objects.get(person__user__username="resident")
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/"))
    page.get_by_role("link", name="信息采集", exact=True).click()
    source = page.locator("#referral-source")
    expect(source).to_contain_text("系统自动转介")
    expect(source).to_contain_text("高危风险预警")
    expect(source.locator("blockquote")).to_contain_text(PILLS)
    expect(source).to_contain_text("危机处置进行中：打开危机处置页")
    expect(page.locator("textarea[name=demand_psychological]")).to_have_value(re.compile("^转介原因（系统自动转介"))
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    screenshot(page, f"issue12_intake_prefilled_{viewport}")
    page.fill("#id_plan", "每日电话跟进，联系家属陪伴")
    page.get_by_role("button", name="保存信息采集").click()
    expect(page.locator(".messages")).to_contain_text("信息采集已保存")

    # A mild PHQ-9 with item 9 = 3, then triage: the crisis and the alert are among the reasons.
    page.locator("#assessments").get_by_role("link", name="PHQ-9", exact=True).click()
    for number, value in enumerate([1, 1, 1, 0, 0, 0, 0, 0, 3], start=1):
        page.locator(f'input[name="item{number}"][value="{value}"]').check()
    page.get_by_role("button", name="保存", exact=True).click()
    page.locator("#assessments").get_by_role("button", name="运行分流").click()
    expect(page).to_have_url(re.compile(r"/assessments/triage/\d+/$"))
    reasons = page.locator("#reasons")
    expect(reasons).to_contain_text("危机处置进行中：自杀/自伤风险，已有人确认处置")
    expect(reasons).to_contain_text("线上群高危风险预警未关闭")
    expect(reasons).to_contain_text("PHQ-9 第9题")
    expect(page.locator("body")).to_contain_text("立即处理")
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    screenshot(page, f"issue12_triage_reasons_{viewport}")
    page.get_by_role("button", name="采纳建议").click()

    # Accepting tier 3 goes on to placement (no key group with room here: pick one or create one); the case
    # header, whatever placement does next, stays immediate and in crisis.
    expect(page.locator(".messages")).to_contain_text("已确认分流")
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/"))
    page.goto(f"{live_server.url}{reverse('cases:case_detail', args=[case.pk])}")
    head = page.locator(".head").first
    expect(head).to_contain_text("立即处理")
    expect(page.locator("body")).to_contain_text("危机个案")
    screenshot(page, f"issue12_case_after_accept_{viewport}")
    case.refresh_from_db()
    assert (case.urgency, case.is_crisis) == ("immediate", True)
    assert problems.items == []
    context.close()
