"""In a real browser at phone width: the API docs page works offline, and the token page's flow."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
]


ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def test_swagger_ui_renders_offline(live_server, world, community_worker):
    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import sync_playwright

    # The docs need a login, like the data they describe.
    client = Client()
    client.force_login(community_worker)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
            page = context.new_page()

            def only_local(route):
                if route.request.url.startswith(live_server.url):
                    return route.continue_()
                blocked.append(route.request.url)
                return route.abort()

            page.route("**/*", only_local)
            page.goto(f"{live_server.url}/api/v1/docs")
            page.wait_for_selector(".opblock-summary-path", timeout=15000)
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            title = page.locator(".info .title").inner_text()
        finally:
            browser.close()
    assert blocked == []
    assert "/api/v1/people" in [p.replace("\u200b", "").strip() for p in paths]
    assert "三社 Sanshe API" in title


def test_make_and_revoke_a_token_on_the_phone(live_server, world, community_worker, tmp_path):
    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import sync_playwright

    from tests.api.conftest import ApiCaller

    client = Client()
    client.force_login(community_worker)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
            page = context.new_page()
            page.goto(f"{live_server.url}/api/tokens/")
            page.get_by_role("button", name="创建").click()
            assert page.locator(".errorlist").inner_text() == "请填写令牌用途"
            page.get_by_label("用途").fill("区疫情平台对接")
            page.get_by_role("button", name="创建").click()
            plaintext = page.locator("#token-value").input_value()
            assert page.locator("#new-token h2").inner_text() == "新令牌“区疫情平台对接”已创建"
            assert plaintext.startswith("ssk_")
            page.screenshot(path=str(tmp_path / "token-created.png"), full_page=True)
            # (No Django calls in here: Playwright's sync API runs an event loop in this thread.)
            page.once("dialog", lambda dialog: dialog.dismiss())
            page.get_by_role("button", name="撤销").click()
            assert page.locator("#token-list .tag").inner_text() == "有效"  # cancelled: nothing sent
            page.once("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name="撤销").click()
            page.wait_for_selector("text=已撤销令牌“区疫情平台对接”")
            assert page.locator("#token-list .tag.danger").inner_text() == "已撤销"
            assert plaintext not in page.content()
        finally:
            browser.close()
    assert ApiCaller(token=plaintext).get("/communities").status_code == 401
