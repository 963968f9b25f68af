"""In a real browser: a rumour is held with its debunk; the admin sends the debunk with one tap on a phone; the
sender of private data is told to use a private chat; the library shows and edits a 辟谣 entry."""

from __future__ import annotations

import pytest
from django.test import Client

from sanshe.groups import services
from sanshe.groups.models import Message, MessageStatus
from sanshe.knowledge.models import Category, Entry, EntryKind
from tests.browser.conftest import PHONE, WECHAT_UA, require_chromium, screenshot

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402

DESKTOP = {"width": 1280, "height": 900}


def _page(browser, base_url: str, user, *, viewport=PHONE, problems: list[str]):
    client = Client()
    client.force_login(user)
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone,
                                  has_touch=phone, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  user_agent=WECHAT_UA if phone else None)
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    page = context.new_page()
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page


def _publish_seed(actor, index: int = 0) -> Entry:
    """A library 辟谣 entry from the shipped list (a live-server test's flush removed the migration's rows)."""
    from datetime import timedelta

    from django.utils import timezone

    from sanshe.groups.rumours import DEFAULT_RUMOURS
    from sanshe.knowledge import services as library
    from sanshe.knowledge.services import Debunk, ensure_default_categories

    ensure_default_categories()
    seed = DEFAULT_RUMOURS[index]
    existing = Entry.objects.filter(kind=EntryKind.DEBUNK, question=seed.claim).first()
    if existing is not None:
        return existing
    entry = library.entry_create(actor=actor, question=seed.claim, answer=seed.debunk,
                                 category=Category.objects.get(name="辟谣"),
                                 debunk=Debunk(EntryKind.DEBUNK, "\n".join(seed.variants), seed.source, seed.link))
    return library.entry_publish(actor=actor, entry=entry, valid_until=timezone.localdate() + timedelta(days=30))


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_admin_sends_the_debunk_of_a_held_rumour_with_one_tap(browser, chat_server, on_duty, resident,
                                                             social_worker):
    problems: list[str] = []
    _publish_seed(social_worker)
    services.message_send(actor=resident, group=on_duty, body="听说多喝高度白酒可以防新冠病毒，大家都喝起来")
    services.message_send(actor=resident, group=on_duty, body="王阿姨电话 139 1234 5678，她家3号楼501确诊了")
    desk = _page(browser, chat_server, social_worker, viewport=DESKTOP, problems=problems)
    desk.goto(f"{chat_server}/groups/{on_duty.pk}/moderation/")
    expect(desk.locator(".debunk-box")).to_contain_text("喝白酒能预防新冠病毒")
    expect(desk.locator(".held-item").nth(1)).to_contain_text("个人隐私信息")
    _no_overflow(desk)
    screenshot(desk, "moderation-debunk-1280")
    desk.context.close()

    phone = _page(browser, chat_server, social_worker, problems=problems)
    phone.goto(f"{chat_server}/groups/{on_duty.pk}/moderation/")
    box = phone.locator(".debunk-box")
    expect(box).to_contain_text("饮酒不能预防新冠病毒感染")
    expect(box).to_contain_text("国家卫生健康委员会")
    _no_overflow(phone)
    screenshot(phone, "moderation-debunk-390")
    box.get_by_role("button", name="发送辟谣").click()
    expect(phone.locator("body")).to_contain_text("已驳回这条谣言")
    screenshot(phone, "moderation-debunk-sent-390")
    phone.context.close()
    reply = Message.objects.filter(sender=social_worker, status=MessageStatus.PUBLISHED).latest("id")
    assert reply.body.startswith("【辟谣】")

    reader = _page(browser, chat_server, resident, problems=problems)
    reader.goto(f"{chat_server}/groups/{on_duty.pk}/")
    expect(reader.locator(".msg-row").filter(has_text="【辟谣】网传").first).to_be_visible()
    held_note = reader.locator(".msg-row.held").filter(has_text="王阿姨")
    expect(held_note).to_contain_text("个人隐私信息")
    _no_overflow(reader)
    screenshot(reader, "chat-after-debunk-390")
    held_note.get_by_role("button", name="发给医务值班员").click()
    expect(reader.locator("#body")).to_have_value("王阿姨电话 139 1234 5678，她家3号楼501确诊了")
    screenshot(reader, "private-thread-draft-390")
    reader.context.close()
    assert problems == []


def test_the_library_shows_and_edits_a_debunk_entry(browser, chat_server, social_worker):
    problems: list[str] = []
    entry = _publish_seed(social_worker)
    for viewport, name in ((PHONE, "390"), (DESKTOP, "1280")):
        page = _page(browser, chat_server, social_worker, viewport=viewport, problems=problems)
        page.goto(f"{chat_server}/knowledge/{entry.pk}/")
        expect(page.locator(".kb-entry")).to_contain_text("谣言说法")
        expect(page.locator(".kb-entry")).to_contain_text(entry.debunk_source)
        _no_overflow(page)
        screenshot(page, f"knowledge-debunk-detail-{name}")
        page.goto(f"{chat_server}/knowledge/new/?kind=debunk")
        expect(page.locator("input[name=kind][value=debunk]")).to_be_checked()
        _no_overflow(page)
        screenshot(page, f"knowledge-debunk-new-{name}")
        page.context.close()
    page = _page(browser, chat_server, social_worker, problems=problems)
    page.goto(f"{chat_server}/knowledge/new/?kind=debunk")
    page.fill("textarea[name=question]", "喝茶叶水能杀死新冠病毒")
    page.fill("textarea[name=answer]", "茶叶水不能杀死新冠病毒，预防感染请戴口罩、勤洗手。")
    page.fill("textarea[name=claim_variants]", "多喝浓茶能把病毒杀死")
    page.fill("input[name=debunk_source]", "中国互联网联合辟谣平台")
    page.get_by_role("button", name="保存并发布").click() if page.get_by_role(
        "button", name="保存并发布").count() else page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".kb-entry")).to_contain_text("中国互联网联合辟谣平台")
    page.context.close()
    created = Entry.objects.get(question="喝茶叶水能杀死新冠病毒")
    assert created.kind == EntryKind.DEBUNK and created.claim_variants == "多喝浓茶能把病毒杀死"
    assert problems == []
