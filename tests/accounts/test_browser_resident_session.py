"""Issue 12 item 7 on a phone: a resident stays logged in for hours; once the session has expired, the next
visit lands on 手机验证码登录 (not the staff password login), and logging in by code returns to the page the
resident wanted — their own check-in page, which names them in full (item 9)."""

from __future__ import annotations

import re
import time
from importlib import import_module

import pytest
from django.conf import settings
from django.urls import reverse

from sanshe.accounts.sms import MemorySmsBackend
from sanshe.core.sessions import LAST_SEEN_KEY
from tests.browser.conftest import PHONE, require_chromium, screenshot
from tests.factories import PASSWORD

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

DESK = {"width": 1280, "height": 900}
DAY = 24 * 60 * 60


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def under_follow_up(transactional_db, world, resident, community_worker):
    from tests.monitoring.test_views import _under_follow_up

    return _under_follow_up(community_worker, world.head)


def _idle_for(page, seconds: int) -> None:
    """Move the browser session's last use back, as if the phone had lain unused (no waiting)."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def _both_widths(page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESK)
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)


def test_expired_resident_logs_in_by_code_and_is_back_at_the_page(phone_page, problems, live_server, world,
                                                                 resident, under_follow_up, outbox):
    page = phone_page
    wanted = reverse("monitoring:check_in_mine")
    page.goto(f"{live_server.url}{reverse('accounts:login')}?next={wanted}")
    page.fill("#id_username", "resident")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}{wanted}")
    expect(page.locator("main h1")).to_have_text(f"{world.head.name} 的健康打卡")  # item 9: not masked

    # Hours without use (far beyond the staff's 30 minutes): the resident is still in.
    _idle_for(page, 5 * 60 * 60)
    page.reload()
    expect(page).to_have_url(f"{live_server.url}{wanted}")
    expect(page.locator("main h1")).to_have_text(f"{world.head.name} 的健康打卡")

    # Past the resident's limit: the code login, with the page kept as next — never the password login.
    _idle_for(page, settings.RESIDENT_SESSION_IDLE_TIMEOUT + 60)
    page.reload()
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:otp_login")) + r"\?next=%2Fmonitoring%2Fme%2F$"))
    expect(page.locator(".messages")).to_contain_text("登录已过期，请用手机验证码重新登录")
    expect(page.locator("main h2")).to_have_text("居民手机验证码登录")
    expect(page.locator("#id_password")).to_have_count(0)
    _both_widths(page, "accounts-resident-expired-code-login")

    page.fill("#id_phone", world.head.phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#id_code")).to_be_visible()
    assert outbox[-1][0] == world.head.phone
    page.fill("#id_code", re.search(r"\d{6}", outbox[-1][1]).group())
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{wanted}")
    expect(page.locator("main h1")).to_have_text(f"{world.head.name} 的健康打卡")
    expect(page.locator("header .who")).to_be_visible()
    _both_widths(page, "monitoring-check-in-own-name")
    assert [item for item in problems.items if "favicon" not in item] == []
