"""Issue 12 item 13 in a browser: on the case page a social worker opens 打印（含联系电话）, is asked for a reason,
and gets tool 5 with the full numbers (audited); the ordinary print stays masked. Screenshots at 390 and 1280 px."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.cases.services import case_followup_add, case_intake_save, case_open
from sanshe.core.models import AuditEvent
from tests.browser.conftest import CHINESE, PHONE, WECHAT_UA, require_chromium, screenshot
from tests.factories import PASSWORD

from .conftest import NOW

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

DESK = {"width": 1280, "height": 900}
CLIENT_PHONE, CONTACT_PHONE = "13812345678", "13907151234"


@pytest.fixture
def case(transactional_db, world, social_worker):
    world.head.phone = CLIENT_PHONE
    world.head.save()
    case = case_open(actor=social_worker, person_id=world.head.pk, now=NOW)
    case_intake_save(actor=social_worker, case_id=case.pk, emergency_contact_name="张敏",
                     emergency_contact_phone=CONTACT_PHONE, demand_medical="需要配药说明")
    case_followup_add(actor=social_worker, case_id=case.pk, date=NOW.date(), domain="medical",
                      content="电话确认降压药已送到", responsible_name="李医生", contact="13700001111", now=NOW)
    return case


def _both_widths(page, problems, name: str) -> None:
    """Screenshots at phone and desk width; the page is Chinese and nothing failed to load."""
    body = page.inner_text("body")
    assert CHINESE.search(body) and "Traceback" not in body
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESK)
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    assert [p for p in problems.items if "/ws/" not in p] == []


def test_a_social_worker_prints_the_case_with_contacts_after_a_reason(browser, problems, live_server, case,
                                                                      social_worker):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=WECHAT_UA)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems.watch(page)
    url = reverse("cases:case_detail", args=[case.pk])
    page.goto(f"{live_server.url}/accounts/login/?next={url}")
    page.fill("#id_username", social_worker.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}{url}")

    # The ordinary print: masked numbers.
    page.get_by_role("link", name="打印跟进表").click()
    expect(page.locator("table.tool5").first).to_contain_text("138****5678")
    expect(page.locator("table.tool5").first).to_contain_text("139****1234")
    assert CLIENT_PHONE not in page.content()
    _both_widths(page, problems, "cases_print_masked")

    # With contacts: no reason first — a Chinese error, nothing printed.
    page.goto(f"{live_server.url}{url}")
    page.locator("#print-contacts summary").click()
    page.locator("#print-contacts").get_by_role("button", name="生成含联系电话的跟进表").click()
    expect(page.locator("main")).to_contain_text("请填写打印事由（至少4个字）")
    assert page.locator("table.tool5").count() == 0 and CLIENT_PHONE not in page.content()
    screenshot(page, "cases_print_contacts_no_reason-390")
    # The form with its error is answered 400 on purpose; that is the only failed request so far.
    form_url = reverse("cases:case_print_contacts", args=[case.pk])
    assert [p for p in problems.items if "/ws/" not in p] == [f"HTTP 400 {live_server.url}{form_url}"]
    problems.items.clear()

    page.locator("#id_reason").fill("明天上门探访，需要电话联系家属")
    page.get_by_role("button", name="生成含联系电话的跟进表").click()
    table = page.locator("table.tool5").first
    expect(table).to_contain_text(CLIENT_PHONE)
    expect(table).to_contain_text(CONTACT_PHONE)
    expect(page.locator(".contacts-note")).to_contain_text("本表含完整联系电话")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # the A4 box scrolls itself
    _both_widths(page, problems, "cases_print_contacts")
    context.close()
    (event,) = AuditEvent.objects.filter(action="case.print_contacts")
    assert event.reason == "明天上门探访，需要电话联系家属"
