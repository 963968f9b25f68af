"""Issue 14 item 7 in a real browser: a message that arrives live and the same message after a reload are the
same list item, every action included — for the staff member (记录, 应当预警), the group's admin (删除), and
the sender — because the server renders both with the one template (sanshe/groups/chat/render.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from sanshe.groups.models import Message
from tests.browser.conftest import PHONE, WECHAT_UA, require_chromium

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402


def _phone(browser, base_url: str, user, problems: list[str]):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=WECHAT_UA)
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    page = context.new_page()
    page.on("pageerror", lambda e: problems.append(f"{user.username}: {e}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{user.username}: HTTP {r.status} {r.url}"))
    return page


def _open(page, base_url: str, group) -> None:
    page.goto(f"{base_url}/groups/{group.pk}/")
    expect(page.locator("#conn")).to_have_text("实时")


# The staff's suggested-answer panel (knowledge/chat_suggest.js) is another feature's, loaded into client messages
# on both pages alike by its own script when it scrolls into view: it is left out of the comparison.
OUTER_HTML = """node => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll(".kb-suggest").forEach(panel => panel.remove());
    return copy.outerHTML;
}"""


def _item(page, message: Message) -> str:
    """The message's list item as the page holds it, once it is the server's item (not the sender's echo)."""
    locator = page.locator(f'#chat-log li#m{message.pk}[data-seq="{message.seq}"]')
    expect(locator).to_have_count(1)
    return re.sub(r">\s+<", "><", locator.evaluate(OUTER_HTML)).strip()


def _message(text: str) -> Message:
    return next(m for m in Message.objects.order_by("-pk") if text in m.body)


def test_a_live_message_and_the_reloaded_one_are_the_same_item(browser, chat_server, on_duty, resident, secretary,
                                                               social_worker):
    problems: list[str] = []
    base = chat_server
    poster = _phone(browser, base, resident, problems)
    staff = _phone(browser, base, secretary, problems)
    admin = _phone(browser, base, social_worker, problems)
    for page in (poster, staff, admin):
        _open(page, base, on_duty)

    # The secretary opens; the resident answers it with a reply (the quote names the secretary by nickname).
    staff.fill("#body", "各位好，今天的线上服务现在开始。")
    staff.click("#send")
    opening = poster.locator("#chat-log li", has_text="线上服务现在开始")
    opening.locator("summary").click()
    opening.get_by_role("button", name="回复").click()
    poster.fill("#body", "我想问一下孩子发烧的事")
    poster.click("#send")
    expect(staff.locator("#chat-log")).to_contain_text("孩子发烧")
    expect(admin.locator("#chat-log")).to_contain_text("孩子发烧")
    reply = _message("孩子发烧")
    first = _message("线上服务现在开始")
    assert reply.reply_to_id == first.pk

    live = {name: {m.pk: _item(page, m) for m in (first, reply)}
            for name, page in (("resident", poster), ("secretary", staff), ("admin", admin))}
    for page in (poster, staff, admin):
        _open(page, base, on_duty)
    reloaded = {name: {m.pk: _item(page, m) for m in (first, reply)}
                for name, page in (("resident", poster), ("secretary", staff), ("admin", admin))}
    assert live == reloaded

    # What each reader's item offers is theirs: the staff's 记录 and 应当预警, the admin's 删除, nothing of the
    # kind for the resident; the quote carries the secretary's nickname for everyone.
    staff_item, admin_item, own_item = live["secretary"][reply.pk], live["admin"][reply.pk], live["resident"][reply.pk]
    assert "记录</a>" in staff_item and "missed-mark" in staff_item and "删除" not in staff_item
    assert "删除" in admin_item
    assert "记录</a>" not in own_item and "missed-mark" not in own_item and "删除" not in own_item
    assert "举报" not in own_item and 'class="msg-row mine' in own_item  # one's own message: no report
    assert "举报" in live["resident"][first.pk]
    nickname = on_duty.members.get(user=secretary).nickname
    for name in live:
        assert f"<b>{nickname}</b>" in live[name][reply.pk]

    # The admin's 删除 from the live item works like the reloaded one's (one form, one CSRF token).
    admin.on("dialog", lambda dialog: dialog.accept())
    item = admin.locator(f"#m{reply.pk}")
    item.locator("summary").click()
    item.get_by_role("button", name="删除").click()
    expect(admin.locator(".messages, .msg").first).to_contain_text("已删除该消息")
    expect(poster.locator(f"#m{reply.pk}")).to_have_count(0)
    assert problems == []
