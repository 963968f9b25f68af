"""Issue 12 items 5 and 6 in a real browser, on a phone (390 px) and at a desk (1280 px):
a medic reaches the person from a fever/SpO₂ alert (one-tap audited call, then a private thread), and a resident who
missed the morning reports at 15:00 (morning 补报 15:00, evening still open). The pages' clock is fixed
(monitoring.views._now); screenshots go to test-results/."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import CHINESE, PHONE, WECHAT_UA, require_chromium, screenshot
from tests.factories import PASSWORD

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

DESK = {"width": 1280, "height": 900}
PHONE_NUMBER = "13812345678"


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(timezone.localdate(), time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture(params=["phone", "desk"])
def screen(request, browser, live_server, problems):
    """A fresh tab at phone or desk width (no cookies) that records problems."""
    if request.param == "phone":
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                      locale="zh-CN", timezone_id="Asia/Shanghai", user_agent=WECHAT_UA)
    else:
        context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems.watch(page)
    page.screen_name = request.param
    yield page
    context.close()


def _log_in(page, base_url: str, username: str, next_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base_url}{next_url}")


def _looks_right(page, problems, name: str) -> None:
    screenshot(page, f"{name}-{page.screen_name}")
    body = page.inner_text("body")
    assert CHINESE.search(body) and "Traceback" not in body
    width = PHONE["width"] if page.screen_name == "phone" else DESK["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert [p for p in problems.items if "/ws/" not in p and "tel:" not in p] == []


@pytest.fixture
def under_follow_up(transactional_db, world, community_worker, resident, monkeypatch):
    """张伟 (the resident's person) under home quarantine since yesterday; today's two slots owed."""
    from sanshe.monitoring import services, views

    world.head.phone = PHONE_NUMBER
    world.head.save()
    period = services.quarantine_register(actor=community_worker, person_id=world.head.pk, kind="home",
                                          start_date=timezone.localdate() - timedelta(days=1),
                                          ordered_how="written", now=_at(7))
    clock = {"now": _at(8)}
    monkeypatch.setattr(views, "_now", lambda: clock["now"])
    return period, clock


def test_a_resident_who_missed_the_morning_reports_at_15_and_the_evening_stays_open(
        screen, problems, live_server, world, community_worker, under_follow_up):
    from sanshe.monitoring import services
    from sanshe.monitoring.choices import FollowUpStatus
    from sanshe.monitoring.models import FollowUp

    period, clock = under_follow_up
    services.followups_pass_deadline(now=_at(10, 5))  # the morning deadline passes without a report
    clock["now"] = _at(15)

    page = screen
    _log_in(page, live_server.url, "resident", reverse("monitoring:check_in_mine"))
    expect(page.locator("#slot-target")).to_contain_text("现在填写：补报上午体温")
    expect(page.locator(".slot-line")).to_contain_text("逾期未报告")
    _looks_right(page, problems, "late-checkin-form")

    page.fill("#id_temperature_c", "36.8")
    page.get_by_role("button", name="提交").click()
    result = page.locator("#checkin-result")
    expect(result).to_contain_text("已补报上午体温（15:00）")
    expect(result).to_contain_text("晚上体温请在 20:00 前报告")
    expect(result.locator(".slot-line")).to_contain_text("补报 15:00")
    _looks_right(page, problems, "late-checkin-result")
    slots = {f.slot: f for f in FollowUp.objects.filter(period=period, date=timezone.localdate())}
    assert slots[0].late and slots[0].seen_at == _at(15)
    assert slots[1].status == FollowUpStatus.PENDING

    page.context.clear_cookies()
    clock["now"] = _at(15, 30)
    building_url = reverse("monitoring:today_building", args=[world.building.pk])
    _log_in(page, live_server.url, community_worker.username, building_url)
    row = page.locator(f"li#p{world.head.pk}")
    expect(row.locator(".slot").first).to_contain_text("补报 15:00")
    expect(row.locator(".slot").nth(1)).to_contain_text("未报告")
    _looks_right(page, problems, "late-checkin-staff")


def test_a_medic_calls_the_person_from_a_fever_alert_and_opens_a_private_thread(
        screen, problems, live_server, world, social_worker, medic, resident, under_follow_up):
    from sanshe.core.models import AuditEvent
    from sanshe.groups import services as group_services
    from sanshe.groups.models import DutyKind, GroupTier, MemberRole, PrivateThread
    from sanshe.monitoring import services
    from sanshe.monitoring.models import Alert

    period, clock = under_follow_up
    clock["now"] = timezone.now()  # the medic's duty window is the real one
    medic.memberships.get().communities.set([world.home])
    group = group_services.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home,
                                        name="阳光聚焦服务群")
    group_services.member_add(actor=social_worker, group=group, user=medic, role=MemberRole.MEDICAL)
    group_services.member_add(actor=social_worker, group=group, user=resident, role=MemberRole.CLIENT)
    start = timezone.now() - timedelta(minutes=5)
    group_services.duty_set(actor=social_worker, group=group, user=medic, kind=DutyKind.MEDICAL, starts_at=start,
                            ends_at=start + timedelta(hours=4))
    link = services.check_in_link_issue(actor=period.created_by, period_id=period.pk, now=_at(8))
    services.check_in_by_link(token=services.link_token(link), data=services.CheckInInput(temperature_c=38.6,
                                                                                           spo2=92),
                              idempotency_key="browser-fever-1", now=_at(9))
    alert = Alert.objects.get()

    page = screen
    _log_in(page, live_server.url, medic.username, reverse("monitoring:alert_list"))
    page.locator("a.alert-item").first.click()
    expect(page.locator("main h1")).to_contain_text("血氧")
    expect(page.locator("body")).to_contain_text("38.6℃")
    expect(page.locator("body")).to_contain_text("92%")
    assert PHONE_NUMBER not in page.content()
    _looks_right(page, problems, "alert-reach")

    # One tap, as on the crisis page: the number goes to the phone's dialler (tel:), audited, never on the page.
    call = page.locator("#alert-reach").get_by_role("button", name="打给张伟")
    expect(call).to_contain_text("138****5678")
    call_url = reverse("monitoring:alert_call", args=[alert.pk])
    with page.expect_event("requestfailed", predicate=lambda r: r.url.endswith(call_url)):
        call.click()
    # The test browser has no dialler, so it drops the tel: answer (a phone opens its dialler there instead);
    # the unit test checks the Location header itself.
    expect(page).to_have_url(f"{live_server.url}{reverse('monitoring:alert_detail', args=[alert.pk])}")
    event = AuditEvent.objects.get(action="alert.call")
    assert (event.actor_id, event.reason) == (medic.pk, "处理健康预警，电话联系本人")
    page.goto(f"{live_server.url}{reverse('monitoring:alert_detail', args=[alert.pk])}")
    assert PHONE_NUMBER not in page.content()

    page.get_by_role("button", name="私聊张伟").click()
    thread = PrivateThread.objects.get(group=group, client=resident, helper=medic)
    expect(page).to_have_url(f"{live_server.url}{reverse('groups:thread', args=[thread.pk])}")
    expect(page.locator("main h1")).to_contain_text("私聊")
    _looks_right(page, problems, "alert-reach-thread")
    assert Alert.objects.get(pk=alert.pk).is_open  # reaching the person does not close the alert
