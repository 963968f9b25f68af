"""A chat page whose socket the server closed for lost access (4401/4403/4404) neither reconnects nor polls."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.browser.conftest import PHONE, WECHAT_UA, require_chromium

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402


@pytest.mark.parametrize("code, shown", [(4403, "无法访问"), (4401, "请重新登录")])
def test_a_socket_closed_for_lost_access_is_not_reopened(browser, chat_server, on_duty, resident, code, shown):
    client = Client()
    client.force_login(resident)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", user_agent=WECHAT_UA)
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": chat_server}])
    page = context.new_page()
    page.clock.install()  # the page's timers run only when the test says so
    sockets, polls = [], []
    page.route_web_socket(re.compile(r".*/ws/groups/\d+/(\?[^/]*)?$"), lambda ws: (sockets.append(ws), ws.connect_to_server()))
    page.on("request", lambda request: polls.append(request.url) if "/events/" in request.url else None)
    page.goto(f"{chat_server}/groups/{on_duty.pk}/")
    expect(page.locator("#conn")).to_have_text("实时")

    sockets[0].close(code=code, reason="")  # what the server does once the access is gone
    expect(page.locator("#conn")).to_have_text(shown)
    page.clock.run_for(10 * 60 * 1000)  # every reconnect back-off and poll interval would have fired
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # back from the background
    page.clock.run_for(60 * 1000)
    assert len(sockets) == 1
    assert polls == []
    expect(page.locator("#composer")).to_be_hidden()
    context.close()
