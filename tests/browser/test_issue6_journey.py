"""Issue 6 "done means", end to end on phones: a resident asks for help → the social worker's inbox → take
next → intake → PHQ-9 and GAD-7 → triage with reasons → accepted → placed in a focus group → the client asks in
the group, the on-duty medic answers, the secretary records it → consultation record → daily summary xlsx;
then a crisis opened on the case escalates when nobody acknowledges it."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory, grant

from .conftest import CHROMIUM_ARGS, PHONE, WECHAT_UA, require_chromium, screenshot  # noqa: F401

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)


@pytest.fixture
def community(transactional_db, world, social_worker, secretary, medic, counsellor, resident, org_admin):
    from django.utils import timezone

    from sanshe.accounts.roles import Role
    from sanshe.groups.models import DutyKind, GroupTier, MemberRole
    from sanshe.groups.services import duty_set, group_create, member_add

    focus = group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="民族社区聚焦服务群")
    for user, role in ((secretary, MemberRole.SECRETARY), (medic, MemberRole.MEDICAL),
                       (counsellor, MemberRole.PSYCHOLOGICAL)):
        member_add(actor=social_worker, group=focus, user=user, role=role)
    start = timezone.now() - timedelta(minutes=5)
    for user, kind in ((secretary, DutyKind.SECRETARY), (medic, DutyKind.MEDICAL),
                       (counsellor, DutyKind.PSYCHOLOGICAL)):
        duty_set(actor=social_worker, group=focus, user=user, kind=kind, starts_at=start,
                 ends_at=start + timedelta(hours=8))
    colleague = UserFactory(username="colleague", display_name="李社工")  # escalation's first round
    grant(colleague, world.org, Role.SOCIAL_WORKER, communities=[world.home])
    return focus


def _phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=WECHAT_UA)
    context.set_default_timeout(20_000)
    return context


def _login(context, live_server, username: str, next_url: str):
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}{next_url}")
    return page


def _answer(page, values: list[int]) -> None:
    for number, value in enumerate(values, start=1):
        page.locator(f'input[name="item{number}"][value="{value}"]').check()


def test_help_request_to_daily_summary_and_an_unacknowledged_crisis(browser, live_server, community, world,
                                                                    resident, secretary, medic):
    from openpyxl import load_workbook

    from sanshe.cases.models import Case
    from sanshe.crisis.models import CrisisResponse
    from sanshe.crisis.services import crises_escalate_overdue
    from sanshe.groups import services as chat
    from sanshe.groups.models import GroupMember

    # 1. The resident asks for help on the phone (求助).
    resident_phone = _phone(browser)
    page = _login(resident_phone, live_server, "resident", reverse("cases:help_request"))
    page.locator('input[name="kinds"]').first.check()
    page.fill("textarea[name=text]", "隔离在家两周了，整夜睡不着，心里很慌，想找人聊聊。")
    page.locator('input[name="urgency"][value="today"]').check()
    page.get_by_role("button", name=re.compile("发送|提交")).click()
    expect(page.locator(".messages")).to_contain_text("求助已发送")
    screenshot(page, "journey_1_help_request")

    # 2. The social worker takes it from the inbox: take next → intake.
    worker_phone = _phone(browser)
    page = _login(worker_phone, live_server, "social_worker", reverse("cases:referral_inbox"))
    expect(page.locator("main")).to_contain_text("整夜睡不着")
    page.get_by_role("button", name=re.compile("接收下一条")).click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/intake/$"))
    page.fill("#id_emergency_contact_name", "王芳")
    page.fill("#id_emergency_contact_phone", "13900002222")
    page.fill("#id_demand_emotion", "焦虑、失眠，担心家人")
    page.get_by_label("情绪支持").check()
    page.get_by_label("线上陪护").check()
    page.get_by_role("button", name="保存信息采集").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get(person=world.head)
    case_url = reverse("cases:case_detail", args=[case.pk])

    # 3. PHQ-9 and GAD-7, scored as answered; triage with reasons; accept → placed in the focus group.
    page.locator("#assessments").get_by_role("link", name="PHQ-9", exact=True).click()
    _answer(page, [2, 2, 3, 2, 1, 1, 1, 1, 0])  # 13: moderate
    expect(page.locator("#live")).to_contain_text("总分 13 / 27")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(f"{live_server.url}{case_url}")
    page.locator("#assessments").get_by_role("link", name="GAD-7", exact=True).click()
    _answer(page, [2, 2, 2, 2, 1, 1, 1])  # 11: moderate anxiety
    page.get_by_role("button", name="保存").click()
    page.locator("#assessments").get_by_role("button", name="运行分流").click()
    expect(page.locator("#tier")).to_have_text("二级：聚焦服务群")
    expect(page.locator("#reasons")).to_contain_text("PHQ-9 总分13分")
    expect(page.locator("#reasons")).to_contain_text("GAD-7 总分11分")
    screenshot(page, "journey_2_triage_reasons")
    page.get_by_role("button", name="采纳建议").click()
    expect(page.locator(".messages")).to_contain_text("民族社区聚焦服务群")
    assert GroupMember.objects.filter(group=community, user=resident, role="client", status="active").exists()
    case.refresh_from_db()
    assert case.tier == 2 and case.status == "in_service"

    # 4. In the group the client asks, the on-duty medic answers; the secretary records it (tool 3).
    question = chat.message_send(actor=resident, group=community, body="晚上睡不着，可以吃点安眠药吗？").message
    answer = chat.message_send(actor=medic, group=community,
                               body="请不要自行服用安眠药，先规律作息；心理老师也会联系您。").message
    chat.record_request_create(actor=secretary, group=community, message_ids=[question.pk, answer.pk],
                               consult_kind="medical")
    secretary_phone = _phone(browser)
    page = _login(secretary_phone, live_server, "general_volunteer", reverse("groups:tools", args=[community.pk]))
    page.locator("details.record summary").first.click()
    page.get_by_role("button", name="生成咨询记录").click()
    expect(page).to_have_url(re.compile(r"/records/\d+/edit/$"))
    expect(page.locator("#id_q_0")).to_have_value(re.compile("安眠药"))
    page.locator("#id_service_staff").fill("医务志愿者（值班）")
    page.get_by_role("button", name="提交记录").click()
    expect(page.locator("article.sheet")).to_contain_text("服务对象咨询记录表")
    page.get_by_role("link", name="当日汇总表").click()
    page.get_by_role("button", name="汇总当天记录").click()
    expect(page.locator(".cards-mobile .row-card")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("link", name="导出Excel").click()
    rows = list(load_workbook(BytesIO(open(download.value.path(), "rb").read())).active.iter_rows(values_only=True))
    assert rows[2][2] == community.name and "安眠药" in rows[2][6]
    screenshot(page, "journey_3_daily_summary")

    # 5. A crisis on the case alerts at once, and escalates when nobody acknowledges it in 5 minutes.
    page = worker_phone.pages[0]
    page.goto(f"{live_server.url}{case_url}")
    section = page.locator("#crisis")
    section.locator("summary").click()
    section.get_by_label("自杀/自伤风险").check()
    section.locator("textarea[name=reason]").fill("深夜私聊说不想活了，家里存有安眠药")
    section.get_by_role("button", name="启动危机处置").click()
    expect(page.locator(".crisis-hero")).to_contain_text("待确认")
    crisis = CrisisResponse.objects.get(case=case)
    assert crises_escalate_overdue(now=crisis.ack_deadline - timedelta(seconds=1)) == 0
    assert crises_escalate_overdue(now=crisis.ack_deadline) == 1
    page.reload()
    expect(page.locator("body")).to_contain_text("已升级 1 次")
    expect(page.locator("body")).to_contain_text("李社工")
    screenshot(page, "journey_4_crisis_escalated")
    for context in (resident_phone, worker_phone, secretary_phone):
        context.close()
