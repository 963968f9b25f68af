"""On a phone: a referral waits in the inbox → "take next" → intake (信息采集) saved → the case page (tool 5)."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, PersonFactory

from .conftest import CHINESE, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)


@pytest.fixture
def waiting(transactional_db, world, social_worker, community_worker):
    from datetime import timedelta

    from django.utils import timezone

    from sanshe.cases.models import Referral

    older = PersonFactory(household=world.household2, name="李建国")
    referrals = []
    for person, urgency, minutes in ((world.head, "routine", 300), (older, "immediate", 40)):
        referral = Referral.objects.create(
            person=person, community_id=person.community_id, building_id=person.building_id,
            source_kind="screening", source_id=person.pk, reason="独居老人，情绪低落，降压药快吃完", urgency=urgency,
            urgency_rank={"immediate": 3, "routine": 1}[urgency], created_by=community_worker)
        Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
        referrals.append(referral)
    return referrals


def test_inbox_take_next_intake_case_page(phone_page, problems, live_server, waiting):
    from sanshe.cases.models import Case

    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/?next=/cases/referrals/")
    page.fill("#id_username", "social_worker")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}/cases/referrals/")
    rows = page.locator("ul.list > li")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("李建国")  # the immediate one first, though it waited less
    expect(rows.first).to_contain_text("已等待")
    screenshot(page, "cases-inbox")

    page.get_by_role("button", name=re.compile("接收下一条")).click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/intake/$"))
    expect(page.locator("h1")).to_contain_text("信息采集")
    expect(page.locator("dl.kv").first).to_contain_text("李建国")

    # A bad phone number: the page comes back with everything typed still there.
    page.fill("#id_emergency_contact_name", "李小红")
    page.fill("#id_emergency_contact_phone", "139abc")
    page.fill("#id_demand_emotion", "老伴去世后一个人住，夜里睡不着")
    page.get_by_label("情绪支持").check()
    page.get_by_label("医疗物资").check()
    page.fill("#id_plan", "每日电话问候；社区代购降压药")
    page.get_by_role("button", name="保存信息采集").click()
    expect(page.locator(".errorlist")).to_contain_text("电话号码")
    expect(page.locator("#id_demand_emotion")).to_have_value("老伴去世后一个人住，夜里睡不着")
    expect(page.get_by_label("情绪支持")).to_be_checked()
    page.fill("#id_emergency_contact_phone", "13900001234")
    screenshot(page, "cases-intake")
    page.get_by_role("button", name="保存信息采集").click()

    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    expect(page.locator(".msg.success")).to_contain_text("信息采集已保存")
    body = page.locator("main, body").first
    expect(body).to_contain_text("个案编号")
    expect(body).to_contain_text("医疗物资、情绪支持")
    expect(body).to_contain_text("139****1234")
    assert "13900001234" not in page.content()

    followups = page.locator("#followups")
    followups.locator("summary").click()
    followups.locator("#id_content").fill("电话问候，情绪平稳")
    followups.locator("#id_responsible_name").fill("社工")
    followups.locator("#id_domain").select_option("psychological")
    followups.get_by_role("button", name="保存跟进记录").click()
    expect(page.locator("#followups .fu-entry")).to_contain_text("电话问候，情绪平稳")
    screenshot(page, "cases-case-page")

    case = Case.objects.get()
    assert case.person.name == "李建国" and case.referral_id == waiting[1].pk
    assert case.needs == ["medical_supplies", "emotional_support"] and case.emergency_contact_phone == "13900001234"
    assert CHINESE.search(page.title())
    # The one bad submission answers 400 (the form with its message); nothing else failed.
    assert [item for item in problems.items if "/ws/" not in item] == [
        f"HTTP 400 {live_server.url}/cases/{case.pk}/intake/"]
