"""Every role logs in through the real login form on a phone and lands on its own 工作台, in Chinese."""

from __future__ import annotations

import re

import pytest

from sanshe.accounts.roles import Role
from sanshe.people.demo_community import DEMO_PASSWORD, RESIDENT_PHONE

from .conftest import CHINESE, PHONE, rendered_cjk_width, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

# Demo login → the role label the header shows (community-worker sub-kinds land on the community worker's).
LOGINS = [
    ("admin", Role.ORG_ADMIN),
    ("shegong", Role.SOCIAL_WORKER),
    ("shequ", Role.COMMUNITY_WORKER),
    ("loudong", Role.COMMUNITY_WORKER),
    ("zuzhang", Role.COMMUNITY_WORKER),
    ("wuye", Role.COMMUNITY_WORKER),
    ("mishu", Role.GENERAL_VOLUNTEER),
    ("yiwu", Role.MEDICAL_VOLUNTEER),
    ("xinli", Role.COUNSELLOR),
    ("jumin", Role.RESIDENT),
]


def _log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))  # anonymous visitors are sent to log in
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").first.click()


def _assert_readable_phone_page(page, problems) -> None:
    body = page.inner_text("body")
    assert CHINESE.search(body), "the page shows no Chinese text"
    assert "Server Error" not in body and "Traceback" not in body
    # A CJK font draws the characters (1 em each); tofu boxes would be narrower.
    assert rendered_cjk_width(page) >= 3 * 20 * 0.95
    # Nothing forces sideways scrolling on a 390-pixel-wide phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert problems.items == []


@pytest.mark.parametrize(("username", "role"), LOGINS, ids=[u for u, _ in LOGINS])
def test_role_logs_in_and_lands_on_its_home_page(phone_page, problems, live_server, demo_street, username, role):
    _log_in(phone_page, live_server.url, username, DEMO_PASSWORD)
    expect(phone_page).to_have_url(f"{live_server.url}/")
    heading = phone_page.locator("main h1").first
    # Staff land on 工作台; a resident's home page may name itself in the resident's words.
    expect(heading).to_have_text("工作台" if role != Role.RESIDENT else CHINESE)
    expect(phone_page.locator("header")).to_contain_text(str(role.label))
    nav = phone_page.get_by_role("navigation").first
    expect(nav.get_by_role("link", name="工作台")).to_be_visible()
    _assert_readable_phone_page(phone_page, problems)
    screenshot(phone_page, f"home-{username}")


def test_wrong_password_shows_the_chinese_error_and_keeps_the_username(phone_page, problems, live_server,
                                                                         demo_street):
    _log_in(phone_page, live_server.url, "shegong", "Wrong-password-1")
    expect(phone_page.get_by_role("alert")).to_contain_text("用户名/手机号或密码不正确")
    expect(phone_page).to_have_url(re.compile(r"/accounts/login/"))
    expect(phone_page.locator("#id_username")).to_have_value("shegong")
    # The failed POST answers 200 with the form again; nothing else on the page failed.
    assert problems.items == []
    screenshot(phone_page, "login-failed")


def test_resident_logs_in_with_a_one_time_code(phone_page, problems, live_server, demo_street, settings):
    from sanshe.accounts.sms import MemorySmsBackend

    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    phone_page.goto(f"{live_server.url}/accounts/login/code/")
    phone_page.fill("#id_phone", RESIDENT_PHONE)
    phone_page.get_by_role("button", name="获取验证码").click()
    expect(phone_page.locator("#id_code")).to_be_visible()
    sent_to, message = MemorySmsBackend.outbox[-1]
    assert sent_to == RESIDENT_PHONE
    code = re.search(r"\d{6}", message).group()
    phone_page.fill("#id_code", code)
    phone_page.get_by_role("button", name="登录", exact=True).click()
    expect(phone_page).to_have_url(f"{live_server.url}/")
    expect(phone_page.locator("main h1").first).to_have_text(CHINESE)
    expect(phone_page.locator("header")).to_contain_text(str(Role.RESIDENT.label))
    _assert_readable_phone_page(phone_page, problems)
    screenshot(phone_page, "home-resident-otp")
