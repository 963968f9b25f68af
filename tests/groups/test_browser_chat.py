"""The focus group on three phones: real Chromium, the real ASGI app, WebSockets through the channel layer."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from sanshe.groups.models import DutyKind, Message, MessageStatus, RiskAlert, RiskAlertStatus
from tests.browser.conftest import PHONE, RESULTS, WECHAT_UA, require_chromium, screenshot

from .conftest import put_on_duty

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402


def _phone(browser, base_url: str, user, problems=None):
    """A phone-sized browser logged in as `user` (session cookie from Django's test client)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=WECHAT_UA)
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    page = context.new_page()
    if problems is not None:
        page.on("pageerror", lambda e: problems.append(f"{user.username}: {e}"))
    return page


def _phone_shot(page, name: str) -> None:
    """What the phone's screen shows (the chat scrolls; a full-page shot would not be what people see)."""
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"{name}.png"))


def _open_chat(page, base_url: str, group) -> None:
    page.goto(f"{base_url}/groups/{group.pk}/")
    expect(page.locator("#conn")).to_have_text("实时")


def _send(page, text: str) -> None:
    page.fill("#body", text)
    page.click("#send")


def test_resident_secretary_and_counsellor_chat_in_real_time(browser, chat_server, on_duty, resident, secretary,
                                                             counsellor, medic, social_worker):
    problems: list[str] = []
    base = chat_server
    # The medic's shift is over: they can read but not speak.
    from sanshe.groups.models import ManualDuty

    ManualDuty.objects.filter(group=on_duty, user=medic).update(cancelled_at=on_duty.created_at)
    client_page = _phone(browser, base, resident, problems)
    secretary_page = _phone(browser, base, secretary, problems)
    counsellor_page = _phone(browser, base, counsellor, problems)
    medic_page = _phone(browser, base, medic, problems)
    for page in (client_page, secretary_page, counsellor_page, medic_page):
        _open_chat(page, base, on_duty)

    # The secretary opens the service; everyone sees it at once, without reloading.
    _send(secretary_page, "各位好，今天的线上服务现在开始，请按顺序提问。")
    for page in (client_page, counsellor_page, medic_page):
        expect(page.locator("#chat-log")).to_contain_text("今天的线上服务现在开始")

    # The client asks; local echo first, then the counsellor answers with a reply.
    _send(client_page, "这几天一直睡不着，心里很慌，怎么办？")
    expect(client_page.locator("li.mine").last).to_contain_text("一直睡不着")
    expect(counsellor_page.locator("#chat-log")).to_contain_text("一直睡不着")
    counsellor_page.locator("li", has_text="一直睡不着").locator("summary").click()
    counsellor_page.locator("li", has_text="一直睡不着").get_by_role("button", name="回复").click()
    _send(counsellor_page, "@张先生 先试试睡前深呼吸放松，我们可以私聊慢慢说。")
    expect(client_page.locator("li", has_text="深呼吸放松").locator("blockquote")).to_contain_text("一直睡不着")
    expect(client_page.locator("li.mentioned", has_text="深呼吸放松")).to_be_visible()

    # The off-duty medic cannot post and is told why.
    expect(medic_page.locator("#composer")).to_be_hidden()
    expect(medic_page.locator("#composer-off")).to_contain_text("非值班时间")

    # A rumour is held: the sender sees it awaits review, nobody else sees it.
    _send(client_page, "听说喝白酒可以预防新冠，大家多喝点")
    expect(client_page.locator("li.held", has_text="喝白酒")).to_contain_text("待群管理员审核")
    assert next(m for m in Message.objects.all() if "喝白酒" in m.body).status == MessageStatus.HELD

    # A risk message is published (risk never hides a message) and alerts the on-duty counsellor at once.
    _send(client_page, "我真的撑不下去了，攒了一瓶安眠药，今晚就吃")
    expect(secretary_page.locator("#chat-log")).to_contain_text("攒了一瓶安眠药")
    expect(counsellor_page.locator("#toast")).to_contain_text("紧急风险预警")
    assert "喝白酒" not in secretary_page.locator("#chat-log").inner_text()
    for name, page in (("client", client_page), ("secretary", secretary_page), ("counsellor", counsellor_page),
                       ("medic-off-duty", medic_page)):
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        _phone_shot(page, f"groups-chat-{name}")

    # The counsellor opens the alert and acknowledges it; the time to acknowledgement is recorded.
    counsellor_page.locator("#toast a").click()
    expect(counsellor_page).to_have_url(re.compile(r"/groups/alerts/"))
    card = counsellor_page.locator(".alert-card").first
    expect(card).to_contain_text("紧急")
    screenshot(counsellor_page, "groups-alert-counsellor")
    card.get_by_role("button", name="我来处理（确认）").click()
    expect(counsellor_page.locator(".messages")).to_contain_text("已确认")
    alert = RiskAlert.objects.get()
    assert alert.status == RiskAlertStatus.ACKNOWLEDGED and alert.acknowledged_by == counsellor
    assert alert.ack_seconds is not None

    # The admin reviews the rumour: rejecting it with a warning tells the client.
    admin_page = _phone(browser, base, social_worker, problems)
    admin_page.goto(f"{base}/groups/{on_duty.pk}/moderation/")
    expect(admin_page.locator(".held-item")).to_contain_text("谣言与不可靠健康信息")
    screenshot(admin_page, "groups-moderation-admin")
    admin_page.get_by_role("button", name="驳回并警告").click()
    expect(client_page.locator("li", has_text="喝白酒")).to_contain_text("未通过群管理员审核")

    # 私聊值班员: the client opens a private thread with the on-duty counsellor, who is told at once.
    client_page.get_by_role("button", name="私聊心理值班员").click()
    expect(client_page).to_have_url(re.compile(r"/groups/threads/\d+/"))
    expect(client_page.locator("#conn")).to_have_text("实时")
    _send(client_page, "这件事我想私下跟您说")
    expect(counsellor_page.locator("#notify-toast")).to_contain_text("私聊")
    counsellor_page.locator("#notify-toast a").click()
    expect(counsellor_page.locator("#chat-log")).to_contain_text("这件事我想私下跟您说")
    _send(counsellor_page, "好的，我在，慢慢说。")
    expect(client_page.locator("#chat-log")).to_contain_text("我在，慢慢说")
    _phone_shot(client_page, "groups-private-thread-client")
    assert "这件事我想私下" not in secretary_page.locator("#chat-log").inner_text()
    assert problems == []


def test_no_message_is_lost_or_doubled_across_a_reconnect(browser, chat_server, on_duty, resident, secretary):
    base = chat_server
    gate = {"open": True, "routes": []}

    def route(ws):
        if not gate["open"]:
            ws.close()
            return
        ws.connect_to_server()
        gate["routes"].append(ws)

    client_page = _phone(browser, base, resident)
    client_page.route_web_socket(re.compile(r".*/ws/groups/\d+/(\?[^/]*)?$"), route)
    secretary_page = _phone(browser, base, secretary)
    _open_chat(client_page, base, on_duty)
    _open_chat(secretary_page, base, on_duty)
    _send(secretary_page, "第0条：连接正常")
    expect(client_page.locator("#chat-log")).to_contain_text("第0条")

    # The client's connection drops (a lift, a tunnel, WeChat in the background) and stays down.
    gate["open"] = False
    for ws in gate["routes"]:
        ws.close()
    expect(client_page.locator("#conn")).not_to_have_text("实时")
    for n in range(1, 6):
        _send(secretary_page, f"第{n}条：断线期间发送")
    expect(secretary_page.locator("li.mine", has_text="第5条")).not_to_have_class(re.compile("pending"))
    # The client writes meanwhile too: it goes over HTTP and shows once.
    _send(client_page, "我这边网络不好")

    gate["open"] = True
    for n in range(1, 6):
        expect(client_page.locator("#chat-log li", has_text=f"第{n}条")).to_have_count(1)
    expect(client_page.locator("#chat-log li", has_text="我这边网络不好")).to_have_count(1)
    expect(secretary_page.locator("#chat-log li", has_text="我这边网络不好")).to_have_count(1)
    texts = client_page.locator("#chat-log li .text").all_inner_texts()
    order = [t for t in texts if t.startswith("第")]
    assert order == ["第0条：连接正常"] + [f"第{n}条：断线期间发送" for n in range(1, 6)]
    assert [m.body for m in Message.objects.all()].count("我这边网络不好") == 1
    _phone_shot(client_page, "groups-chat-after-reconnect")


def test_off_duty_volunteer_gets_the_composer_when_the_shift_starts(browser, chat_server, focus, social_worker,
                                                                    secretary):
    page = _phone(browser, chat_server, secretary)
    _open_chat(page, chat_server, focus)
    expect(page.locator("#composer-off")).to_contain_text("非值班时间")
    put_on_duty(social_worker, focus, secretary, DutyKind.SECRETARY)
    # The duty change reaches the open page (a personal notice), which asks again for its rights.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("#composer")).to_be_visible()


def test_the_demo_focus_group_on_four_phones(browser, chat_server):
    """Done means: in the demo, resident, secretary and on-duty counsellor chat; the off-duty medic cannot;
    a rumour is held; a risk message raises an alert that is acknowledged."""
    from django.utils import timezone

    from sanshe.accounts.models import User
    from sanshe.groups import demo
    from sanshe.groups.models import Group, GroupTier
    from sanshe.people.demo_community import demo_load as core_demo_load
    from sanshe.volunteers.demo import demo_load as volunteers_demo_load

    core_demo_load(people=300)
    volunteers_demo_load(today=timezone.localdate())  # only cleared volunteers join the demo groups
    demo.demo_load(today=timezone.localdate())
    focus = Group.objects.get(tier=GroupTier.FOCUS)
    users = {name: User.objects.get(username=name) for name in ("jumin", "mishu", "xinli", "mishu2")}
    problems: list[str] = []
    pages = {name: _phone(browser, chat_server, user, problems) for name, user in users.items()}
    for page in pages.values():
        _open_chat(page, chat_server, focus)
    expect(pages["jumin"].locator("#announce")).to_contain_text("私聊值班员")
    _send(pages["jumin"], "请问老人咳嗽需要去医院吗？")
    for name in ("mishu", "xinli", "mishu2"):
        expect(pages[name].locator("#chat-log")).to_contain_text("老人咳嗽需要去医院吗")
    _send(pages["xinli"], "@王女士 先别着急，我们一起看看情况。")
    expect(pages["jumin"].locator("li.mentioned", has_text="先别着急")).to_be_visible()
    expect(pages["mishu2"].locator("#composer-off")).to_contain_text("非值班时间")
    _send(pages["jumin"], "内部消息：明天全城封城，快去囤菜")
    expect(pages["jumin"].locator("li.held", has_text="全城封城")).to_be_visible()
    _send(pages["jumin"], "照顾老人太累了，我真的不想活了")
    expect(pages["xinli"].locator("#toast")).to_contain_text("风险预警")
    expect(pages["mishu"].locator("#chat-log")).to_contain_text("我真的不想活了")
    assert "全城封城" not in pages["mishu"].locator("#chat-log").inner_text()
    for name, page in pages.items():
        _phone_shot(page, f"groups-demo-{name}")
    pages["xinli"].locator("#toast a").click()
    pages["xinli"].locator(".alert-card").first.get_by_role("button", name="我来处理（确认）").click()
    expect(pages["xinli"].locator(".messages")).to_contain_text("已确认")
    assert next(a for a in RiskAlert.objects.select_related("message") if "不想活了" in a.message.body).acknowledged_by == users["xinli"]
    assert problems == []
