"""Issue 13 item 5 on phones: staff tell the detector how it did. A social worker marks a quiet farewell that raised
no alert as "应当预警" from the message's ⋯ menu, gives the alert on an imminent message its verdict, and the
detector page counts both; changing the verdict changes the precision."""

from __future__ import annotations

import re

import pytest

from sanshe.groups.models import RiskAlert, RiskFeedback
from tests.browser.conftest import PHONE, RESULTS, require_chromium, screenshot

from .test_browser_chat import _open_chat, _phone, _send

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402

DESK = {"width": 1280, "height": 900}
IMMINENT = "我真的撑不下去了，攒了一瓶安眠药，今晚就吃"
FAREWELL = "最近总是睡不着，也不想吃东西，什么都没意思"  # distress: no alert, a worker still marks it


def _shots(page, name: str, *, full_page: bool = True) -> None:
    """The page at phone width (nothing wider than the screen) and at desk width, into test-results/."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    if full_page:
        screenshot(page, f"{name}-390")
    else:
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{name}-390.png"))
    page.set_viewport_size(DESK)
    if full_page:
        screenshot(page, f"{name}-1280")
    else:
        page.screenshot(path=str(RESULTS / f"{name}-1280.png"))
    page.set_viewport_size(PHONE)


def test_staff_mark_a_missed_alert_and_a_verdict_and_the_detector_page_counts_them(
        browser, chat_server, on_duty, resident, social_worker):
    problems: list[str] = []
    base = chat_server
    resident_page = _phone(browser, base, resident, problems)
    worker_page = _phone(browser, base, social_worker, problems)
    _open_chat(resident_page, base, on_duty)
    _open_chat(worker_page, base, on_duty)

    _send(resident_page, FAREWELL)
    _send(resident_page, IMMINENT)
    farewell = worker_page.locator("#chat-log li", has_text="总是睡不着")
    flagged = worker_page.locator("#chat-log li", has_text="攒了一瓶安眠药")
    expect(flagged.locator("a.msg-flag")).to_contain_text("风险预警")
    alert = RiskAlert.objects.get()
    # The message that alerted is judged on the alerts page: its menu has no "应当预警"; the quiet one has.
    expect(flagged.locator(".missed-mark")).to_have_count(0)
    farewell.locator("summary").click()
    mark = farewell.locator(".menu").get_by_role("link", name="应当预警")
    expect(mark).to_be_visible()
    _shots(worker_page, "feedback-chat-menu", full_page=False)
    # Residents never see the control, not even on others' messages after a reload.
    resident_page.reload()
    expect(resident_page.locator("#chat-log li", has_text="总是睡不着")).to_be_visible()
    assert resident_page.locator(".missed-mark").count() == 0

    mark.click()
    expect(worker_page.locator("h1")).to_have_text("应当预警")
    expect(worker_page.locator("blockquote")).to_contain_text("总是睡不着")
    worker_page.fill("textarea[name=note]", "睡不着、不吃东西，要跟进")
    _shots(worker_page, "feedback-missed-form")
    worker_page.get_by_role("button", name="标注应当预警").click()
    expect(worker_page).to_have_url(re.compile(rf"/groups/{on_duty.pk}/#m\d+$"))
    expect(worker_page.locator(".messages")).to_contain_text("应当预警")
    assert RiskFeedback.objects.get(kind="missed").created_by == social_worker

    # The alert gets its verdict on the alerts page.
    worker_page.goto(f"{base}/groups/alerts/")
    card = worker_page.locator(f"#alert-{alert.pk}")
    expect(card.locator(".verdict")).to_contain_text("这条预警是否准确？")
    card.get_by_role("button", name="确有风险").click()
    card = worker_page.locator(f"#alert-{alert.pk}")
    expect(card.locator(".verdict")).to_contain_text("标注：确有风险")
    expect(card.get_by_role("button", name="确有风险")).to_have_attribute("aria-pressed", "true")
    _shots(worker_page, "feedback-alert-verdict")

    # The detector page counts both.
    # From the navigation: on a phone it may sit under 更多 (the bottom bar holds the role's daily work).
    detector_link = worker_page.locator("a[href$='/groups/detector/']:visible", has_text="预警准确率")
    if not detector_link.count():
        worker_page.locator("details.nav-more > summary").click()
    detector_link.first.click()
    expect(worker_page).to_have_url(re.compile(r"/groups/detector/$"))
    row = worker_page.locator(".detector-table tbody tr").first
    expect(row.locator(".c-alerts")).to_contain_text("1")
    expect(row.locator(".c-true")).to_contain_text("1")
    expect(row.locator(".c-precision")).to_contain_text("100%")
    expect(row.locator(".c-missed")).to_contain_text("1")
    expect(worker_page.locator("#total-unjudged")).to_have_text("0%")
    _shots(worker_page, "feedback-detector")

    # The handler changes their mind: a false alarm; the precision follows.
    worker_page.goto(f"{base}/groups/alerts/")
    worker_page.locator(f"#alert-{alert.pk}").get_by_role("button", name="误报").click()
    expect(worker_page.locator(f"#alert-{alert.pk} .verdict")).to_contain_text("标注：误报")
    worker_page.goto(f"{base}/groups/detector/")
    expect(worker_page.locator(".detector-table tbody tr").first.locator(".c-precision")).to_contain_text("0%")
    expect(worker_page.locator(".detector-table tbody tr").first.locator(".c-false")).to_contain_text("1")

    # The export without a reason is refused on the page; with one it downloads the labelled file.
    worker_page.get_by_role("button", name="下载标注文件（TSV）").click()
    expect(worker_page.locator("#export .errorlist")).to_contain_text("须填写导出事由")
    _shots(worker_page, "feedback-export-refused")
    worker_page.fill("input[name=reason]", "交规则维护人员评估")
    with worker_page.expect_download() as download_info:
        worker_page.get_by_role("button", name="下载标注文件（TSV）").click()
    content = open(download_info.value.path(), encoding="utf-8").read()
    assert f"none\t{IMMINENT}" in content and f"high\t{FAREWELL}" in content
    assert problems == []
