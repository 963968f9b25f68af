"""On a phone: start the crisis protocol from a case, acknowledge, work the checklist, record the outcome."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

from .conftest import PHONE, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)


@pytest.fixture
def case(transactional_db, world, social_worker, org_admin):
    from sanshe.cases.services import case_open

    case = case_open(actor=social_worker, person_id=world.head.pk)
    case.emergency_contact_name = "张丽"
    case.emergency_contact_phone = "13900001111"
    case.save()
    return case


def _step(page, kind: str, note: str = "", call: str = "") -> None:
    step = page.locator(f"#step-{kind}")
    if call:
        step.locator(f'input[name="call"][value="{call}"]').check()
    if note:
        step.locator("textarea[name=note]").fill(note)
    step.get_by_role("button", name="完成这一步").click()
    expect(page.locator(f"#step-{kind}")).to_have_class(re.compile(r"\bdone\b"))


def test_crisis_from_case_to_closed_on_a_phone(phone_page, problems, live_server, case):
    from sanshe.crisis.models import CrisisResponse

    page = phone_page
    case_url = reverse("cases:case_detail", args=[case.pk])
    page.goto(f"{live_server.url}/accounts/login/?next={case_url}")
    page.fill("#id_username", "social_worker")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}{case_url}")

    section = page.locator("#crisis")
    section.locator("summary").click()
    section.get_by_label("自杀/自伤风险").check()
    section.locator("textarea[name=reason]").fill("电话中说今晚想结束生命，已写好遗书")
    section.get_by_role("button", name="启动危机处置").click()

    expect(page).to_have_url(re.compile(r"/crisis/\d+/$"))
    hero = page.locator(".crisis-hero")
    expect(hero).to_contain_text("自杀/自伤风险")
    expect(hero).to_contain_text("待确认")
    expect(page.locator("body")).to_contain_text("139****1111")  # the emergency contact, masked
    assert "13900001111" not in page.content()
    screenshot(page, "crisis_open_phone")

    page.get_by_role("button", name="我来处置（确认）").click()
    expect(hero).to_contain_text("处置中")
    expect(page.locator(".callout")).to_contain_text("确认处置")

    _step(page, "stay_in_contact", "一直保持通话")
    _step(page, "emergency_contact", "女儿20分钟内到")
    _step(page, "community")
    # Not calling 120/110 needs a reason: the page says so and nothing is saved.
    page.locator("#step-emergency_call").locator('input[name="call"][value="not_applicable"]').check()
    page.locator("#step-emergency_call").get_by_role("button", name="完成这一步").click()
    expect(page.locator("#step-emergency_call .errorlist")).to_contain_text("写明原因")
    _step(page, "emergency_call", "家属和楼栋长已到场，本人未服药", call="not_applicable")
    _step(page, "help_confirmed", "女儿已到家陪伴")
    expect(page.locator("body")).to_contain_text("已完成 5/5")

    page.select_option("#outcome_kind", "safe_with_family")
    page.fill("#outcome", "女儿今晚留宿陪伴，明早社工回访")
    page.get_by_role("button", name="记录结果并结束危机处置").click()
    expect(hero).to_contain_text("已结束")
    expect(hero).to_contain_text("已安全，家人陪伴")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "crisis_closed_phone")

    crisis = CrisisResponse.objects.get(case=case)
    assert crisis.status == "closed" and crisis.steps.count() == 5 and crisis.ack_seconds is not None
    page.goto(f"{live_server.url}{case_url}")
    expect(page.locator("#crisis")).to_contain_text("已安全，家人陪伴")
    # The one bad-input answer (no reason for not calling) is the only non-success response.
    assert problems.items == [f"HTTP 400 {live_server.url}/crisis/{crisis.pk}/steps/"]
