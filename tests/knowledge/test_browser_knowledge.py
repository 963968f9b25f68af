"""The library on phones (390 px, real Chromium): a counsellor sends a suggested answer beside a client's question
in the demo focus group; a resident finds an answer on the public FAQ; a social worker's review pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from sanshe.accounts.models import User
from tests.browser.conftest import PHONE, RESULTS, WECHAT_UA, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402


@pytest.fixture
def demo_library(chat_server):
    """The core, groups and library demos in the running server's database."""
    from sanshe.groups.demo import demo_load as groups_demo
    from sanshe.knowledge.demo import demo_load as knowledge_demo
    from sanshe.people.demo_community import demo_load as core_demo
    from sanshe.volunteers.demo import demo_load as volunteers_demo

    today = timezone.localdate()
    core_demo(people=300)
    volunteers_demo(today=today)  # only cleared volunteers join the demo groups
    groups_demo(today=today)
    knowledge_demo(today=today)
    return chat_server


def _phone(browser, base_url: str, username: str | None, problems: list[str]):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=WECHAT_UA)
    context.set_default_timeout(20_000)
    if username:
        client = Client()
        client.force_login(User.objects.get(username=username))
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    page = context.new_page()
    page.on("pageerror", lambda e: problems.append(f"script error {e}"))
    page.on("response", lambda r: r.status >= 500 and problems.append(f"HTTP {r.status} {r.url}"))
    return page


def _screen(page, name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"{name}.png"))


def test_counsellor_reads_a_suggested_answer_beside_the_question_and_sends_it(browser, demo_library):
    from sanshe.groups.models import Group, Message
    from sanshe.knowledge.demo import OPEN_QUESTION

    problems: list[str] = []
    base = demo_library
    group = Group.objects.get(name__endswith="聚焦服务群")
    page = _phone(browser, base, "xinli", problems)
    page.goto(f"{base}/groups/{group.pk}/")
    expect(page.locator("#conn")).to_have_text("实时")
    question = page.locator("li.msg-row", has_text=OPEN_QUESTION)
    panel = question.locator(".kb-panel")
    expect(panel).to_contain_text("资源库推荐答复")
    suggestion = panel.locator("details.kb-sugg").first
    expect(suggestion.locator("summary")).to_contain_text("被隔离在家")
    # Nothing is sent until the helper opens the answer, reads it, and taps.
    expect(suggestion.get_by_role("button", name="发送这条答复")).to_be_hidden()
    suggestion.locator("summary").click()
    answer = suggestion.locator(".kb-answer").inner_text()
    assert "日程表" in answer
    _screen(page, "knowledge-chat-suggestions-390")
    suggestion.get_by_role("button", name="发送这条答复").click()
    expect(question.locator(".kb-note.ok")).to_have_text("已发送。")
    sent = page.locator("li.msg-row.mine").last
    expect(sent).to_contain_text("日程表")
    expect(sent.locator("blockquote")).to_contain_text("被隔离在家")
    _screen(page, "knowledge-chat-sent-390")
    message = Message.objects.filter(sender__username="xinli").latest("id")
    assert message.reply_to.body == OPEN_QUESTION and message.body.startswith("隔离带来的孤独和烦躁很常见")
    # The resident sees the answer in the group.
    resident = _phone(browser, base, "jumin", problems)
    resident.goto(f"{base}/groups/{group.pk}/")
    expect(resident.locator("#chat-log")).to_contain_text("隔离带来的孤独和烦躁很常见")
    expect(resident.locator(".kb-suggest")).to_have_count(0)  # clients never see the staff panel
    assert problems == []


def test_resident_finds_an_answer_on_the_public_faq(browser, demo_library):
    problems: list[str] = []
    base = demo_library
    page = _phone(browser, base, None, problems)  # no login: anyone with the link
    page.goto(f"{base}/knowledge/faq/")
    expect(page.get_by_role("heading", name="疫情防控常见问题")).to_be_visible()
    expect(page.locator("section.kb-faq h2").first).to_contain_text("疫情科普")
    screenshot(page, "knowledge-faq-390")
    page.get_by_role("searchbox").fill("孩子发烧")
    page.get_by_role("button", name="搜索").click()
    first = page.locator("details.kb-item").first
    expect(first.locator("summary")).to_contain_text("孩子发烧了要去医院吗？")
    expect(first.locator("summary mark").first).to_be_visible()
    expect(first.locator(".kb-answer")).to_contain_text("精神差")  # the first result is open
    expect(first.locator(".kb-reviewed")).to_contain_text("审核于")
    screenshot(page, "knowledge-faq-search-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"
    assert problems == []


def test_social_worker_reviews_on_a_phone(browser, demo_library):
    from sanshe.knowledge.models import Entry

    problems: list[str] = []
    base = demo_library
    page = _phone(browser, base, "shegong", problems)
    page.goto(f"{base}/knowledge/review/")
    expect(page.get_by_role("heading", name="待审核草稿")).to_be_visible()
    expect(page.locator("main")).to_contain_text("疑似重复")
    expect(page.locator("main")).to_contain_text("已过期，待复审")
    screenshot(page, "knowledge-review-390")
    duplicate = Entry.objects.get(question="孩子发烧了要不要马上去医院？")
    page.goto(f"{base}/knowledge/{duplicate.pk}/")
    expect(page.locator("main")).to_contain_text("孩子发烧了要去医院吗？")  # the flagged near-duplicate
    screenshot(page, "knowledge-entry-duplicate-390")
    page.get_by_role("link", name="并入 #").first.click()
    expect(page.get_by_role("heading", name="把 #")).to_be_visible()
    page.get_by_label("合并后的答复").fill("先看孩子精神状态：精神差、嗜睡、呼吸急促、持续呕吐要及时就医；精神好可以先在家观察。")
    page.get_by_role("button", name="合并").click()
    expect(page.locator(".messages")).to_contain_text("已合并")
    duplicate.refresh_from_db()
    assert duplicate.status == "merged"
    page.goto(f"{base}/knowledge/?q=fs")
    expect(page.locator("#results mark").first).to_be_visible()
    screenshot(page, "knowledge-library-pinyin-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"
    assert problems == []
