"""On a phone: the secretary turns a "record this" request into a consultation record (tool 3); the daily
summary (tool 8) for that group and day shows it and exports to Excel."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD
from tests.groups.conftest import focus, on_duty  # noqa: F401  (the focus group, its staff on duty, a client)

from .conftest import PHONE, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)


@pytest.fixture
def record_request(transactional_db, world, on_duty, secretary, resident, medic):  # noqa: F811
    from sanshe.groups import services

    question = services.message_send(actor=resident, group=on_duty, body="我父亲发烧38度两天了，要去发热门诊吗？").message
    answer = services.message_send(actor=medic, group=on_duty, body="请尽快去发热门诊，出门戴好口罩。").message
    return services.record_request_create(actor=secretary, group=on_duty, message_ids=[question.pk, answer.pk],
                                          consult_kind="medical", note="发热就诊咨询")


def test_record_this_to_consultation_to_daily_summary_xlsx(phone_page, problems, live_server, record_request,
                                                           focus, secretary):  # noqa: F811
    from openpyxl import load_workbook

    from sanshe.records.models import ServiceRecord

    page = phone_page
    requests_url = reverse("records:request_list")
    page.goto(f"{live_server.url}/accounts/login/?next={requests_url}")
    page.fill("#id_username", secretary.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}{requests_url}")
    expect(page.locator("main")).to_contain_text("我父亲发烧38度两天了")

    page.get_by_role("button", name="生成咨询记录").click()
    expect(page).to_have_url(re.compile(r"/records/\d+/edit/$"))
    # The quoted question and answer are prefilled as the first point; the chat record holds the quote.
    expect(page.locator("#id_q_0")).to_have_value(re.compile("发烧38度"))
    expect(page.locator("#id_a_0")).to_have_value(re.compile("发热门诊"))
    expect(page.locator("#id_chat_record")).to_have_value(re.compile("发热就诊咨询"))
    expect(page.locator("#id_client_name")).to_have_value("张伟")
    page.locator("#id_service_staff").fill("医务志愿者 李医生")
    page.locator("#id_q_1").fill("家里其他人需要隔离吗？")
    page.locator("#id_a_1").fill("同住家属居家观察，每天测体温。")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "records_consultation_form")
    page.get_by_role("button", name="提交记录").click()
    expect(page).to_have_url(re.compile(r"/records/\d+/$"))
    expect(page.locator("article.sheet")).to_contain_text("服务对象咨询记录表")
    expect(page.locator("article.sheet")).to_contain_text("家里其他人需要隔离吗？")
    record = ServiceRecord.objects.get()
    assert not record.is_draft and record.source_request_id == record_request.pk

    page.get_by_role("link", name="当日汇总表").click()
    expect(page.locator("main h1")).to_have_text("每日工作记录汇总表")
    page.get_by_role("button", name="汇总当天记录").click()
    cards = page.locator(".cards-mobile .row-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("我父亲发烧38度两天了")
    expect(cards.first).to_contain_text("仅限医务志愿者和社工查看")  # the answer is clinical: not for the secretary
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "records_daily_summary")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出Excel").click()
    sheet = load_workbook(BytesIO(open(download_info.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "求助日期" and rows[1][-1] == "记录员"
    assert rows[2][0] == timezone.localdate().isoformat() and rows[2][1] == "张*" and rows[2][2] == focus.name
    assert "发烧38度" in rows[2][6]
    # Chromium reports a download as an aborted navigation ("failed"); nothing else may have gone wrong.
    assert [item for item in problems.items if not item.endswith("/xlsx/")] == []
