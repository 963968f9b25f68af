"""On a phone: give PHQ-9 and GAD-7 on a case, run triage, read the reasons, accept, see the client placed."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD

from .conftest import PHONE, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)


@pytest.fixture
def setup(transactional_db, world, social_worker, resident, counsellor):
    from sanshe.assessments.views import case_url
    from sanshe.cases.services import case_open
    from tests.assessments.conftest import staff_group

    # Placement needs duty cover in the next 12 hours: a counsellor is on duty in the group.
    group = staff_group(social_worker, world.home, tier=2, name="民族社区聚焦服务群", helper=counsellor, capacity=20)
    case = case_open(actor=social_worker, person_id=world.head.pk)
    return {"case": case, "group": group, "case_url": case_url(case.pk)}


def _answer(page, values: list[int]) -> None:
    for number, value in enumerate(values, start=1):
        page.locator(f'input[name="item{number}"][value="{value}"]').check()


def test_phq9_gad7_triage_accept_and_placement_on_a_phone(phone_page, problems, live_server, setup, resident):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/?next={setup['case_url']}")
    page.fill("#id_username", "social_worker")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}{setup['case_url']}")
    section = page.locator("#assessments")
    expect(section).to_contain_text("还没有做过量表评估")

    section.get_by_role("link", name="PHQ-9", exact=True).click()
    expect(page.locator("h1")).to_contain_text("PHQ-9")
    _answer(page, [2, 2, 1, 2, 1, 1, 1, 1, 0])  # 11: moderate
    expect(page.locator("#live")).to_contain_text("总分 11 / 27")  # scored by the server as answers come in
    expect(page.locator("#live")).to_contain_text("中度抑郁")
    screenshot(page, "assessments_phq9_phone")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(f"{live_server.url}{setup['case_url']}")

    page.locator("#assessments").get_by_role("link", name="GAD-7", exact=True).click()
    _answer(page, [2, 2, 2, 1, 1, 1, 1])  # 10: the referral cut-off
    expect(page.locator("#live")).to_contain_text("达到转介界值")
    page.get_by_role("button", name="保存").click()
    section = page.locator("#assessments")
    expect(section).to_contain_text("11/27 中度抑郁")
    expect(section).to_contain_text("10/21 中度焦虑")

    section.get_by_role("button", name="运行分流").click()
    expect(page).to_have_url(re.compile(r"/assessments/triage/\d+/$"))
    expect(page.locator("#tier")).to_have_text("二级：聚焦服务群")
    reasons = page.locator("#reasons")
    expect(reasons).to_contain_text("PHQ-9 总分11分（10–19分，中度抑郁）")
    expect(reasons).to_contain_text("GAD-7 总分10分（10–14分，中度焦虑，达到转介界值）")
    screenshot(page, "assessments_decision_phone")
    page.get_by_role("button", name="采纳建议").click()

    expect(page).to_have_url(f"{live_server.url}{setup['case_url']}")
    expect(page.locator(".messages")).to_contain_text("已将服务对象加入“民族社区聚焦服务群”")
    section = page.locator("#assessments")
    expect(section).to_contain_text("民族社区聚焦服务群")
    expect(section).to_contain_text("已入群")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "assessments_placed_phone")
    assert problems.items == []

    from sanshe.groups.models import GroupMember

    assert GroupMember.objects.filter(group=setup["group"], user=resident, status="active", role="client").exists()
