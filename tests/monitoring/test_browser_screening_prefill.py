"""Issue 12 item 13 in a real browser (390 px phone, 1280 px desk): the screening form of a household with an
adult and a child shows what is already known as ticked boxes marked 预填, offers the child no adult-only
situation, and a forged one is refused with a Chinese message, keeping what was typed. Screenshots in
test-results/."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tests.browser.conftest import PHONE, WECHAT_UA, PageProblems, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402

DESK = {"width": 1280, "height": 900}


def _page(chromium, base_url: str, user, problems: PageProblems, viewport: dict):
    phone = viewport == PHONE
    context = chromium.new_context(viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone,
                                   has_touch=phone, locale="zh-CN", timezone_id="Asia/Shanghai",
                                   user_agent=WECHAT_UA if phone else None)
    context.set_default_timeout(20_000)
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    page = context.new_page()
    problems.watch(page)
    return page


@pytest.mark.parametrize(("viewport", "size"), [(PHONE, "390"), (DESK, "1280")])
def test_screening_form_pre_fills_and_spares_the_child_adult_categories(
        transactional_db, browser, live_server, world, community_worker, viewport, size):
    from sanshe.monitoring import services
    from sanshe.monitoring.models import ScreeningEntry
    from sanshe.monitoring.screening_services import (
        screening_entry_save,
        screening_round_close,
        screening_round_start,
    )
    from tests.factories import PersonFactory

    PersonFactory(household=world.household, name="张小宝", relation="child", doc_number=None,
                  birth_date=date(2015, 3, 1))
    earlier = screening_round_start(actor=community_worker, compound_id=world.compound.pk, title="第一轮")
    screening_entry_save(actor=community_worker, round_id=earlier.pk, household_id=world.household.pk,
                         contact="phone", members={world.head.pk: ["close_contact", "fever"]})
    screening_round_close(actor=community_worker, round_id=earlier.pk)
    services.quarantine_register(actor=community_worker, person_id=world.head.pk, kind="home",
                                 start_date=date.today(), ordered_how="written", ordered_by="江汉区疾控中心")
    round_ = screening_round_start(actor=community_worker, compound_id=world.compound.pk, title="第二轮")

    problems = PageProblems()
    page = _page(browser, live_server.url, community_worker, problems, viewport)
    page.goto(live_server.url + reverse("monitoring:entry_form", args=[round_.pk, world.household.pk]))
    head = page.locator(".member").filter(has_text="张伟")
    kid = page.locator(".member").filter(has_text="张小宝")
    expect(head.locator("label.prefilled")).to_have_count(2)
    expect(head.get_by_label("密切接触者")).to_be_checked()
    expect(head.get_by_label("居家隔离")).to_be_checked()
    expect(head.get_by_label("发热")).not_to_be_checked()  # an earlier observation, not a status
    expect(head.locator(".prefill-note")).to_contain_text("隔离观察中")
    expect(head.get_by_text("压力较大的社区工作者")).to_be_visible()
    expect(kid.get_by_text("未成年")).to_be_visible()
    expect(kid.get_by_text("压力较大的社区工作者", exact=True)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"monitoring-screening-prefill-{size}")

    # A forged adult-only situation for the child is refused; what was typed stays.
    page.get_by_label("上门走访").check()
    page.fill("#id_note", "孩子在家上网课")
    kid.locator("input[value=fever]").evaluate("(box) => { box.value = 'stressed_worker'; box.checked = true; }")
    page.get_by_role("button", name="保存，下一户").click()
    expect(page.locator("main")).to_contain_text("张小宝未满18岁，不能登记为“压力较大的社区工作者”，请重新选择")
    expect(page.locator("#id_note")).to_have_value("孩子在家上网课")
    expect(page.get_by_label("上门走访")).to_be_checked()
    expect(page.locator(".member").filter(has_text="张伟").get_by_label("密切接触者")).to_be_checked()
    screenshot(page, f"monitoring-screening-child-refused-{size}")
    page.context.close()
    assert not ScreeningEntry.objects.filter(round=round_).exists()
    assert problems.items == []
