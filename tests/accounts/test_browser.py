"""In a real browser at phone width: a resident logs in with a texted code; an admin sets up a user."""

from __future__ import annotations

import re

import pytest

from sanshe.accounts.models import User
from sanshe.accounts.sms import MemorySmsBackend
from sanshe.people.demo_community import DEMO_PASSWORD, RESIDENT_PHONE
from tests.browser.conftest import PHONE, WECHAT_UA, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def test_resident_logs_in_with_a_texted_code(phone_page, problems, live_server, demo_street, outbox):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="手机验证码登录").click()
    page.fill("#id_phone", RESIDENT_PHONE[:3] + " " + RESIDENT_PHONE[3:7] + " " + RESIDENT_PHONE[7:])
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("[role=status]")).to_contain_text("验证码短信已发出")
    resend = page.locator("button[value=send]")
    # The resend button counts down and stays disabled meanwhile.
    expect(resend).to_be_disabled()
    expect(resend).to_have_text(re.compile(r"重新获取验证码（\d+秒）"))
    code = re.search(r"\d{6}", outbox[-1][1]).group()
    assert outbox[-1][0] == RESIDENT_PHONE
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    page.fill("#id_code", wrong)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("验证码错误，还可尝试4次")
    expect(page.locator("#id_phone")).not_to_have_value("")  # nothing typed is lost
    page.fill("#id_code", code)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".who")).to_contain_text("居民")
    screenshot(page, "accounts-resident-otp-home")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert [item for item in problems.items if "favicon" not in item] == []


def test_admin_creates_a_steward_who_must_choose_a_password(browser, phone_page, problems, live_server,
                                                            demo_street):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/users/new/")
    buildings = page.locator("[data-show-for='community_worker']").last
    page.select_option("#id_role", "social_worker")
    expect(buildings).to_be_hidden()  # a social worker covers communities, not buildings
    page.select_option("#id_role", "community_worker")
    expect(buildings).to_be_visible()
    page.fill("#id_username", "laowang")
    page.fill("#id_display_name", "王建国")
    page.select_option("#id_worker_kind", "building_steward")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".errorlist")).to_contain_text("楼门栋长请至少选择一个负责楼栋")
    expect(page.locator("#id_username")).to_have_value("laowang")
    # The error opened the building groups so the admin can pick one at once.
    page.locator("input[name=buildings]").first.check()
    page.locator("main button[type=submit]").click()
    password = page.locator("#generated-password").inner_text().strip()
    screenshot(page, "accounts-user-created")
    assert User.objects.get(username="laowang").check_password(password)

    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN", user_agent=WECHAT_UA)
    steward = context.new_page()
    steward.goto(f"{live_server.url}/accounts/login/")
    steward.fill("#id_username", "laowang")
    steward.fill("#id_password", password)
    steward.locator("main button[type=submit]").click()
    expect(steward).to_have_url(f"{live_server.url}/accounts/me/password/")
    expect(steward.locator(".messages")).to_contain_text("请先修改为只有您自己知道的密码")
    steward.fill("#id_old_password", password)
    steward.fill("#id_new_password1", "Bamboo-Tea-37")
    steward.fill("#id_new_password2", "Bamboo-Tea-37")
    steward.locator("main button[type=submit]").click()
    expect(steward).to_have_url(f"{live_server.url}/accounts/me/")
    expect(steward.locator("main")).to_contain_text("楼门栋长")
    steward.goto(f"{live_server.url}/")
    expect(steward.locator("main h1").first).to_have_text("工作台")
    context.close()
    assert [item for item in problems.items if "favicon" not in item] == []
