"""Issue 12 item 4 on phones: a move into a group nobody staffs is refused with the alternatives offered; once
someone is on duty the client is moved, both groups get a neutral system message, her old group link forwards
to the new group, and her home page names the group neutrally (no "重点陪助群", no tier tag)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.browser.conftest import CHINESE, PHONE, WECHAT_UA, require_chromium, screenshot
from tests.factories import PASSWORD

from .conftest import staff_group

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

DESK = {"width": 1280, "height": 900}
REVEALING = ("重点", "陪助", "聚焦", "三级", "二级")


def _phone(browser, problems):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=WECHAT_UA)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems.watch(page)
    return page


def _log_in(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{live_server.url}{next_url}")


def _both_widths(page, problems, name: str, status_ok=()) -> None:
    """Screenshots at phone and desk width; the page fits the phone, is Chinese, and nothing failed (the chat's
    WebSocket is not served by the test server: the page falls back to polling)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    body = page.inner_text("body")
    assert CHINESE.search(body) and "Traceback" not in body and "Not Found" not in body
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESK)
    screenshot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    assert [p for p in problems.items if "/ws/" not in p and not any(s in p for s in status_ok)] == []


@pytest.fixture
def placed(transactional_db, world, social_worker, counsellor, resident):
    """张伟 (the resident) is a client of a staffed focus group; the key group exists but nobody is on duty."""
    from sanshe.assessments.services import placement_create
    from sanshe.cases.services import case_open

    for user, name in ((social_worker, "陈静"), (counsellor, "林心"), (resident, world.head.name)):
        user.display_name = name
        user.save(update_fields=["display_name"])
    case = case_open(actor=social_worker, person_id=world.head.pk)
    focus = staff_group(social_worker, world.home, tier=2, name="民族社区聚焦服务群", helper=counsellor)
    key = staff_group(social_worker, world.home, tier=3, name="民族社区重点陪助群")
    placement_create(actor=social_worker, case_id=case.pk, group_id=focus.pk)
    return case, focus, key


def test_a_move_is_refused_without_duty_then_told_forwarded_and_neutral(browser, live_server, problems, placed,
                                                                        social_worker, counsellor, resident):
    from django.utils import timezone

    from sanshe.groups.models import DutyKind, GroupMember, MemberRole, MemberStatus, PrivateThread
    from sanshe.groups.services import duty_set, member_add

    case, focus, key = placed
    place_url = reverse("assessments:place", args=[case.pk])

    # 1. Moving her into the key group nobody staffs is refused, and the alternatives are offered.
    worker = _phone(browser, problems)
    _log_in(worker, live_server, "social_worker", place_url)
    key_choice = worker.locator("label.group-choice", has_text="民族社区重点陪助群")
    expect(key_choice).to_contain_text("未来12小时无人值班")
    key_choice.locator("input").check()
    worker.get_by_role("button", name="确定入群").click()
    expect(worker.locator("#placement-error")).to_contain_text("“民族社区重点陪助群”在未来12小时内没有医务或心理值班人员")
    offer = worker.locator("#placement-thread")
    expect(offer).to_contain_text("正在值班的心理咨询志愿者林心可以先和服务对象私聊")
    expect(offer.get_by_role("button", name="开通与林心的私聊")).to_be_visible()
    assert GroupMember.objects.get(group=focus, user=resident).status == MemberStatus.ACTIVE  # nothing moved
    _both_widths(worker, problems, "placement-1-refused", status_ok=("HTTP 400 ",))
    problems.items.clear()

    # The private thread with the counsellor on duty, one tap.
    offer.get_by_role("button", name="开通与林心的私聊").click()
    expect(worker.locator(".messages")).to_contain_text("已开通服务对象与值班心理咨询志愿者林心的私聊")
    assert PrivateThread.objects.filter(client=resident, helper=counsellor, group=focus).exists()

    # 2. Someone is put on duty in the key group: the move goes through.
    member_add(actor=social_worker, group=key, user=counsellor, role=MemberRole.PSYCHOLOGICAL)
    start = timezone.now() - timedelta(minutes=1)
    duty_set(actor=social_worker, group=key, user=counsellor, kind=DutyKind.PSYCHOLOGICAL, starts_at=start,
             ends_at=start + timedelta(hours=8))
    worker.goto(f"{live_server.url}{place_url}")
    worker.locator("label.group-choice", has_text="民族社区重点陪助群").locator("input").check()
    worker.get_by_role("button", name="确定入群").click()
    expect(worker.locator(".messages")).to_contain_text("已将服务对象加入“民族社区重点陪助群”")
    moved = GroupMember.objects.get(group=focus, user=resident)
    assert moved.status == MemberStatus.LEFT and moved.moved_to == key
    nickname = moved.nickname or str(resident)

    # 3. Both groups are told, in neutral words (the worker manages both and sees the old one).
    worker.goto(f"{live_server.url}{reverse('groups:chat', args=[focus.pk])}")
    expect(worker.locator("#chat-log")).to_contain_text(f"{nickname} 已转入其他群继续交流。")
    _both_widths(worker, problems, "placement-2-old-group-told")

    # 4. Her old link forwards her to the new group, which welcomes her and is named neutrally.
    client = _phone(browser, problems)
    _log_in(client, live_server, "resident", "/")
    client.goto(f"{live_server.url}{reverse('groups:chat', args=[focus.pk])}")
    expect(client).to_have_url(f"{live_server.url}{reverse('groups:chat', args=[key.pk])}")
    expect(client.locator(".messages")).to_contain_text("您已转到新的交流群")
    log = client.locator("#chat-log")
    expect(log).to_contain_text(f"欢迎 {nickname} 加入本群")
    title = client.locator(".chat-head h1").inner_text()
    assert title == "民族社区线上交流群" and not any(word in title for word in REVEALING)
    expect(client.locator(".chat-head .tag")).to_have_count(0)
    for text in log.locator("li").all_inner_texts():
        assert not any(word in text for word in REVEALING), text
    _both_widths(client, problems, "placement-3-forwarded")

    # 5. Her home page: the new group, neutral name, no red tier tag; the old group is gone.
    client.goto(f"{live_server.url}/")
    groups = client.locator("section[aria-labelledby=home-groups]")
    expect(groups).to_contain_text("民族社区线上交流群")
    home = groups.inner_text()
    assert not any(word in home for word in REVEALING), home
    expect(groups.locator(".tag.danger, .tag.warn")).to_have_count(0)
    _both_widths(client, problems, "placement-4-home")
    client.context.close()
    worker.context.close()
