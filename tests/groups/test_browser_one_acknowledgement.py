"""Issue 12 item 2 on phones: a flagged chat message carries a marker to its alert, then to the crisis started from
it, and the one acknowledgement shows the same state in the chat, on the alerts page and on the crisis page."""

from __future__ import annotations

import re

import pytest

from sanshe.crisis.models import CrisisResponse
from sanshe.groups.models import RiskAlert
from tests.browser.conftest import PHONE, RESULTS, require_chromium, screenshot

from .test_browser_chat import _open_chat, _phone, _send

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402

DESK = {"width": 1280, "height": 900}
IMMINENT = "我真的撑不下去了，攒了一瓶安眠药，今晚就吃"
QUESTION = "请问老人咳嗽需要去医院吗？"


def _shots(page, name: str, *, full_page: bool = True) -> None:
    """The page at phone width (nothing wider than the screen) and at desk width, into test-results/."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    if full_page:
        screenshot(page, f"{name}-390")
    else:  # the chat scrolls inside the screen: a full-page shot is not what people see
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{name}-390.png"))
    page.set_viewport_size(DESK)
    if full_page:
        screenshot(page, f"{name}-1280")
    else:
        page.screenshot(path=str(RESULTS / f"{name}-1280.png"))
    page.set_viewport_size(PHONE)


def test_flagged_message_marker_and_one_acknowledgement(browser, chat_server, on_duty, resident, social_worker):
    problems: list[str] = []
    base = chat_server
    resident_page = _phone(browser, base, resident, problems)
    worker_page = _phone(browser, base, social_worker, problems)
    _open_chat(resident_page, base, on_duty)
    _open_chat(worker_page, base, on_duty)

    # The resident writes two messages; the risk one raises an alert. The social worker's open chat marks it live.
    _send(resident_page, QUESTION)
    _send(resident_page, IMMINENT)
    flagged = worker_page.locator("#chat-log li", has_text="攒了一瓶安眠药")
    marker = flagged.locator("a.msg-flag")
    expect(marker).to_contain_text("风险预警 · 待确认")
    alert = RiskAlert.objects.get()
    expect(marker).to_have_attribute("href", f"/groups/alerts/#alert-{alert.pk}")
    expect(flagged).to_have_class(re.compile(r"\bflagged\b"))
    # The library's suggested answers stay beside the plain question but not under the flagged message.
    question = worker_page.locator("#chat-log li", has_text="老人咳嗽")
    expect(question.locator("a.msg-flag")).to_have_count(0)
    expect(question.locator(".kb-suggest")).to_have_count(1)
    assert flagged.evaluate(
        "li => [...li.querySelectorAll('.kb-suggest')].every(b => getComputedStyle(b).display === 'none')")
    # Residents never see the marker, not even on their own message.
    expect(resident_page.locator("#chat-log li", has_text="攒了一瓶安眠药")).to_be_visible()
    assert resident_page.locator(".msg-flag").count() == 0
    _shots(worker_page, "ack-chat-marker-alert", full_page=False)

    # The marker leads to the alert; the social worker starts the crisis from it.
    marker.click()
    expect(worker_page).to_have_url(re.compile(rf"/groups/alerts/#alert-{alert.pk}$"))
    card = worker_page.locator(f"#alert-{alert.pk}")
    expect(card.locator(".alert-state")).to_have_text("待确认")
    card.get_by_role("button", name="启动危机处置").click()
    expect(worker_page).to_have_url(re.compile(r"/crisis/\d+/$"))
    crisis = CrisisResponse.objects.get()
    hero = worker_page.locator(".crisis-hero")
    expect(hero).to_contain_text("待确认")

    # Starting the crisis did not acknowledge anything: the alerts page says what the crisis page says.
    worker_page.goto(f"{base}/groups/alerts/")
    card = worker_page.locator(f"#alert-{alert.pk}")
    expect(card.locator(".alert-state")).to_have_text("危机处置 · 待确认")
    expect(card).not_to_contain_text("已确认")
    expect(card.get_by_role("link", name="打开危机处置")).to_have_attribute("href", f"/crisis/{crisis.pk}/")
    _shots(worker_page, "ack-alerts-crisis-open")

    # In the chat the marker now leads to the crisis, with its state.
    _open_chat(worker_page, base, on_duty)
    marker = worker_page.locator("#chat-log li", has_text="攒了一瓶安眠药").locator("a.msg-flag")
    expect(marker).to_have_text(re.compile("危机处置 · 待确认"))
    expect(marker).to_have_attribute("href", f"/crisis/{crisis.pk}/")
    expect(worker_page.locator("#chat-log li", has_text="老人咳嗽").locator(".kb-panel")).to_be_visible()
    expect(marker.locator("xpath=ancestor::li").locator(".kb-suggest")).to_be_hidden()
    _shots(worker_page, "ack-chat-marker-crisis", full_page=False)

    # One acknowledgement on the crisis page ...
    marker.click()
    expect(worker_page).to_have_url(re.compile(rf"/crisis/{crisis.pk}/$"))
    worker_page.get_by_role("button", name="我来处置（确认）").click()
    expect(hero).to_contain_text("处置中")
    _shots(worker_page, "ack-crisis-acknowledged")

    # ... is the alert's too: the same state on the alerts page, nothing left to acknowledge there.
    worker_page.goto(f"{base}/groups/alerts/")
    card = worker_page.locator(f"#alert-{alert.pk}")
    expect(card.locator(".alert-state")).to_have_text("危机处置 · 处置中")
    expect(card.get_by_role("button", name=re.compile("确认"))).to_have_count(0)
    _shots(worker_page, "ack-alerts-acknowledged")
    _open_chat(worker_page, base, on_duty)
    expect(worker_page.locator("#chat-log li", has_text="攒了一瓶安眠药").locator("a.msg-flag")).to_have_text(
        re.compile("危机处置 · 处置中"))
    alert.refresh_from_db()
    crisis.refresh_from_db()
    assert alert.status == crisis.status == "acknowledged"
    assert alert.acknowledged_by == crisis.acknowledged_by == social_worker
    assert problems == []
