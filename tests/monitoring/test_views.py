"""Monitoring pages: who may open what (login / 403 / 404), what they show, and constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sanshe.core.errors import ActionForbidden
from sanshe.core.gate import forget_scope
from sanshe.core.models import AuditEvent
from sanshe.monitoring import screening_services, services
from sanshe.monitoring.models import Alert, CheckIn, FollowUp, QuarantinePeriod
from sanshe.monitoring.services import CheckInInput
from tests.factories import PASSWORD, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


def client_for(client, user):
    client.force_login(user)
    return client


def _under_follow_up(actor, person):
    """A period registered yesterday, with today's follow-ups owed whatever the time of day now."""
    from datetime import timedelta

    today = timezone.localdate()
    period = services.quarantine_register(actor=actor, person_id=person.pk, kind="home",
                                          start_date=today - timedelta(days=1), ordered_how="phone")
    QuarantinePeriod.objects.filter(pk=period.pk).update(created_at=timezone.now() - timedelta(days=1))
    services.followups_generate(day=today)
    forget_scope(actor)
    return period


@pytest.fixture
def live_period(world, community_worker):
    """張伟 under follow-up on the real clock's today, so today's pages have something to show."""
    return _under_follow_up(community_worker, world.head)


@pytest.mark.parametrize(("persona", "status"), [
    ("community_worker", 200), ("social_worker", 200), ("building_steward", 200),
    ("secretary", 403), ("medic", 403), ("counsellor", 403), ("org_admin", 403), ("resident", 403),
])
def test_who_may_open_the_today_list(client, request, persona, status):
    user = request.getfixturevalue(persona)
    response = client_for(client, user).get(reverse("monitoring:today") + "?all=1")
    assert response.status_code == status


def test_anonymous_is_sent_to_login(client):
    for name in ("monitoring:today", "monitoring:alert_list", "monitoring:period_list", "monitoring:round_list",
                 "monitoring:indicators", "monitoring:profile", "monitoring:check_in_mine"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_a_building_out_of_reach_is_not_found(client, world, building_steward, outsider, live_period):
    assert client_for(client, building_steward).get(
        reverse("monitoring:today_building", args=[world.building2.pk])).status_code == 404
    follow_up = FollowUp.objects.filter(period=live_period).first()
    other = client.__class__()
    other.force_login(outsider)
    assert other.get(reverse("monitoring:today_building", args=[world.building.pk])).status_code == 404
    assert other.get(reverse("monitoring:follow_up_record", args=[follow_up.pk])).status_code == 404
    assert other.get(reverse("monitoring:period_detail", args=[live_period.pk])).status_code == 404


def test_the_building_list_shows_who_is_due_with_call_and_record(client, world, community_worker, live_period):
    response = client_for(client, community_worker).get(reverse("monitoring:today_building",
                                                                args=[world.building.pk]))
    body = response.content.decode()
    assert "张伟" in body and "1单元-101" in body
    assert "拨打" in body and "记录" in body
    assert world.head.phone not in body  # the number only appears after the audited reveal
    assert response["Cache-Control"].startswith("max-age=0")


def test_one_tap_call_reveals_the_number_once_and_audits_it(client, world, community_worker, live_period):
    follow_up = FollowUp.objects.filter(period=live_period).first()
    response = client_for(client, community_worker).post(reverse("monitoring:follow_up_call", args=[follow_up.pk]),
                                                         HTTP_HX_REQUEST="true")
    assert f'href="tel:{world.head.phone}"' in response.content.decode()
    event = AuditEvent.objects.get(action="person.reveal")
    assert event.detail == {"field": "phone"} and "随访" in event.reason


def test_recording_a_call_with_a_bad_temperature_keeps_what_was_typed(client, community_worker, live_period):
    follow_up = FollowUp.objects.filter(period=live_period).order_by("slot").last()
    response = client_for(client, community_worker).post(
        reverse("monitoring:follow_up_record", args=[follow_up.pk]),
        {"temperature_c": "36.5度左右", "symptoms": ["cough"], "breathing": "none", "note": "嗓子疼",
         "idempotency_key": "typed-key-001"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "体温请填写数字" in body
    assert 'value="cough" checked' in body.replace('checked=""', "checked") or "checked" in body
    assert "嗓子疼" in body
    assert not CheckIn.objects.exists()


def test_recording_a_call_full_width_digits_are_accepted(client, community_worker, live_period):
    follow_up = FollowUp.objects.filter(period=live_period).order_by("slot").last()
    response = client_for(client, community_worker).post(
        reverse("monitoring:follow_up_record", args=[follow_up.pk]),
        {"temperature_c": "３６。８", "breathing": "none", "idempotency_key": "typed-key-002"})
    assert response.status_code == 302
    assert CheckIn.objects.get().temperature == 36.8


def test_the_personal_link_page_shows_no_full_name_and_no_phone(client, world, community_worker, live_period):
    link = services.check_in_link_issue(actor=community_worker, period_id=live_period.pk)
    response = client.get(reverse("monitoring:check_in_link", args=[services.link_token(link)]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "张* 的健康打卡" in body and "张伟" not in body and world.head.phone not in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_personal_link_stores_a_double_submission_once(client, community_worker, live_period):
    link = services.check_in_link_issue(actor=community_worker, period_id=live_period.pk)
    url = reverse("monitoring:check_in_link", args=[services.link_token(link)])
    data = {"temperature_c": "36.6", "breathing": "none", "idempotency_key": "same-tap-0001"}
    first = client.post(url, data, HTTP_X_REQUESTED_WITH="fetch")
    second = client.post(url, data, HTTP_X_REQUESTED_WITH="fetch")
    assert first.status_code == second.status_code == 200
    assert "已提交，谢谢" in first.content.decode()
    assert "重复提交已自动忽略" in second.content.decode()
    assert CheckIn.objects.count() == 1


def test_an_emergency_report_tells_the_person_to_call_120(client, community_worker, live_period):
    link = services.check_in_link_issue(actor=community_worker, period_id=live_period.pk)
    url = reverse("monitoring:check_in_link", args=[services.link_token(link)])
    response = client.post(url, {"temperature_c": "38.4", "spo2": "87", "breathing": "severe",
                                 "idempotency_key": "emergency-0001"})
    body = response.content.decode()
    assert "请立即拨打 120" in body and 'href="tel:120"' in body
    assert Alert.objects.get().level == 3


def test_a_spo2_of_101_is_refused_with_the_form_kept(client, community_worker, live_period):
    link = services.check_in_link_issue(actor=community_worker, period_id=live_period.pk)
    url = reverse("monitoring:check_in_link", args=[services.link_token(link)])
    response = client.post(url, {"temperature_c": "36.6", "spo2": "101", "breathing": "none",
                                 "idempotency_key": "spo2-bad-0001"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "血氧饱和度应在50%–100%之间" in body and 'value="36.6"' in body and 'value="spo2-bad-0001"' in body
    assert not CheckIn.objects.exists()


def test_an_unknown_link_says_it_expired(client):
    response = client.get(reverse("monitoring:check_in_link", args=["not-a-real-token:abc"]))
    assert response.status_code == 404 and "打卡链接已失效" in response.content.decode()


def test_the_resident_checks_in_on_their_own_page(client, resident, live_period):
    client.force_login(resident)
    response = client.get(reverse("monitoring:check_in_mine"))
    assert "健康打卡" in response.content.decode()
    response = client.post(reverse("monitoring:check_in_mine"), {"temperature_c": "36.5", "breathing": "none",
                                                                 "idempotency_key": "resident-0001"})
    assert response.status_code == 200
    assert CheckIn.objects.get().source == "login"


def test_a_resident_sees_only_their_own_check_ins(world, resident, community_worker, live_period):
    other = _under_follow_up(community_worker, world.neighbour)
    for period, key in ((live_period, "own-check-in-1"), (other, "their-check-in")):
        follow_up = FollowUp.objects.filter(period=period).first()
        services.check_in_record(actor=community_worker, follow_up_id=follow_up.pk,
                                 data=CheckInInput(temperature_c=36.6), idempotency_key=key)
    visible = CheckIn.objects.for_actor(resident, "view")
    assert [c.person_id for c in visible] == [world.head.pk]
    assert not FollowUp.objects.for_actor(resident, "record").exists()


PROFILE_POST = {"name": "新型冠状病毒感染", "follow_up_days": "10", "slot_deadlines": "9:00，21:00",
                "fever_threshold_c": "37.3", "lost_after_days": "3", "worker_reminder_minutes": "30",
                "retention_days": "30"}


def test_organisation_admins_read_the_profile_but_cannot_change_it(client, org_admin):
    client.force_login(org_admin)
    page = client.get(reverse("monitoring:profile"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "疫情配置由平台管理员统一维护" in html and "<form" not in html.split("<main")[-1]
    response = client.post(reverse("monitoring:profile"), {**PROFILE_POST, "retention_days": "7"})
    assert response.status_code == 403 and "您没有修改权限" in response.content.decode()
    assert services.profile_current().retention_days == 30
    with pytest.raises(ActionForbidden):
        services.profile_update(actor=org_admin, data={"retention_days": 7})
    assert services.profile_current().retention_days == 30


def test_profile_is_for_platform_admins(client, platform_admin, community_worker):
    assert client_for(client, community_worker).get(reverse("monitoring:profile")).status_code == 403
    client.force_login(platform_admin)
    response = client.post(reverse("monitoring:profile"), {
        "name": "新型冠状病毒感染", "follow_up_days": "10", "slot_deadlines": "9:00，21:00", "fever_threshold_c": "37.3",
        "lost_after_days": "3", "worker_reminder_minutes": "30", "retention_days": "30"})
    assert response.status_code == 302
    assert services.profile_current().slot_deadlines == ["09:00", "21:00"]
    response = client.post(reverse("monitoring:profile"), {
        "name": "x", "follow_up_days": "10", "slot_deadlines": "21:00, 9:00", "fever_threshold_c": "37.3",
        "lost_after_days": "3", "worker_reminder_minutes": "30", "retention_days": "30"})
    assert "从早到晚" in response.content.decode()


def test_indicators_for_admins_and_workers_not_volunteers(client, org_admin, community_worker, medic, live_period):
    for user, status in ((org_admin, 200), (community_worker, 200), (medic, 403)):
        client.force_login(user)
        assert client.get(reverse("monitoring:indicators")).status_code == status


def test_alert_page_offers_referral_and_resolution(client, community_worker, live_period):
    follow_up = FollowUp.objects.filter(period=live_period).first()
    services.check_in_record(actor=community_worker, follow_up_id=follow_up.pk,
                             data=CheckInInput(temperature_c=38.0, spo2=92), idempotency_key="alert-page-1")
    alert = Alert.objects.get()
    body = client_for(client, community_worker).get(reverse("monitoring:alert_detail", args=[alert.pk])).content.decode()
    assert "血氧饱和度≤93%" in body and "转介社工" in body and "处理完毕" in body
    response = client.post(reverse("monitoring:alert_resolve", args=[alert.pk]), {"outcome": "other", "note": ""})
    assert response.status_code == 400 and "写明处理情况" in response.content.decode()


# ------------------------------------------------------------------------------------------ query counts

def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _more_people(world, community_worker, n, start=0):
    for i in range(start, start + n):
        household = HouseholdFactory(unit=world.unit, room=f"9{i:02d}")
        person = PersonFactory(household=household)
        _under_follow_up(community_worker, person)
        follow_up = FollowUp.objects.filter(person=person).first()
        if i % 2:
            services.check_in_record(actor=community_worker, follow_up_id=follow_up.pk,
                                     data=CheckInInput(temperature_c=37.5 if i % 4 == 1 else 36.6),
                                     idempotency_key=f"bulk-key-{i:04d}")


def test_list_pages_cost_the_same_queries_for_3_or_20_people(client, world, community_worker, live_period):
    client.force_login(community_worker)
    client.get(reverse("home:home"))  # the session's first request writes it; measure the pages after
    urls = [reverse("monitoring:today") + "?all=1", reverse("monitoring:today_building", args=[world.building.pk]),
            reverse("monitoring:alert_list"), reverse("monitoring:period_list")]
    _more_people(world, community_worker, 2)
    small = [_count(client, url) for url in urls]
    _more_people(world, community_worker, 18, start=2)
    large = [_count(client, url) for url in urls]
    assert small == large
    assert max(large) <= 20


def test_screening_building_page_costs_the_same_queries_for_more_households(client, world, community_worker):
    round_ = screening_services.screening_round_start(actor=community_worker, compound_id=world.compound.pk)
    client.force_login(community_worker)
    client.get(reverse("home:home"))
    url = reverse("monitoring:round_building", args=[round_.pk, world.building.pk])
    small = _count(client, url)
    for i in range(15):
        household = HouseholdFactory(unit=world.unit, room=f"8{i:02d}")
        PersonFactory(household=household)
        screening_services.screening_entry_save(actor=community_worker, round_id=round_.pk,
                                                household_id=household.pk,
                                                contact="unreachable" if i % 3 else "phone", members={})
    assert _count(client, url) == small
    assert _count(client, reverse("monitoring:round_list")) <= 20


def test_login_form_resident_password_is_not_needed_for_the_link(client, community_worker, live_period):
    # The personal link works on a phone with no account at all (PASSWORD is never used here).
    assert PASSWORD
    link = services.check_in_link_issue(actor=community_worker, period_id=live_period.pk)
    assert client.get(reverse("monitoring:check_in_link", args=[services.link_token(link)])).status_code == 200
