"""Group pages: anonymous → login, wrong role → 403, out of scope → 404; forms keep what was typed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanshe.core.models import AuditEvent
from sanshe.groups import services
from sanshe.groups.models import DutyKind, GroupMember, Invite, Message, MessageStatus, RiskAlert

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client, focus):
    for url in (reverse("groups:list"), reverse("groups:chat", args=[focus.pk]),
                reverse("groups:manage", args=[focus.pk]), reverse("groups:alerts")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("groups:events", args=[focus.pk])).status_code == 401


@pytest.mark.parametrize(("persona", "url_name", "status"), [
    ("resident", "groups:alerts", 403),
    ("resident", "groups:rules", 403),
    ("medic", "groups:rules", 403),
    ("secretary", "groups:create_focus", 403),
    ("community_worker", "groups:create_focus", 403),
    ("social_worker", "groups:create_focus", 200),
    ("community_worker", "groups:create_resident", 200),
    ("social_worker", "groups:rules", 200),
    ("counsellor", "groups:alerts", 200),
])
def test_roles_that_cannot_do_something_at_all_get_403(client, focus, request, persona, url_name, status):
    client.force_login(request.getfixturevalue(persona))
    urls = {"groups:create_focus": reverse("groups:create", args=[2]),
            "groups:create_resident": reverse("groups:create", args=[1])}
    url = urls.get(url_name) or reverse(url_name)
    assert client.get(url).status_code == status


@pytest.mark.parametrize("url_name", ["groups:chat", "groups:members", "groups:manage", "groups:moderation",
                                      "groups:tools", "groups:threads", "groups:events"])
def test_groups_out_of_scope_are_404(client, focus, outsider, url_name):
    client.force_login(outsider)
    assert client.get(reverse(url_name, args=[focus.pk])).status_code == 404


def test_members_cannot_open_the_admin_pages(client, focus, resident, secretary):
    client.force_login(resident)
    assert client.get(reverse("groups:manage", args=[focus.pk])).status_code == 404
    assert client.get(reverse("groups:tools", args=[focus.pk])).status_code == 403
    client.force_login(secretary)
    assert client.get(reverse("groups:tools", args=[focus.pk])).status_code == 200
    assert client.get(reverse("groups:moderation", args=[focus.pk])).status_code == 404


def test_the_chat_page_shows_messages_and_why_an_off_duty_volunteer_cannot_post(client, on_duty, focus, resident,
                                                                                secretary, medic, social_worker):
    services.message_send(actor=resident, group=focus, body="大家好，我是新来的")
    services.duty_cancel(actor=social_worker, duty=on_duty.manual_duties.get(user=medic))
    client.force_login(medic)
    page = client.get(reverse("groups:chat", args=[focus.pk])).content.decode()
    assert "大家好，我是新来的" in page and "非值班时间请勿在群内发言" in page
    assert 'id="composer"' in page and 'data-can-post="0"' in page
    client.force_login(resident)
    page = client.get(reverse("groups:chat", args=[focus.pk])).content.decode()
    assert "私聊医务值班员" in page and 'data-can-post="1"' in page


def test_posting_without_script_works_and_keeps_the_text_on_refusal(client, on_duty, resident, medic,
                                                                    social_worker):
    client.force_login(resident)
    response = client.post(reverse("groups:send", args=[on_duty.pk]), {"body": "没有脚本也能发", "client_id": "f-1"})
    assert response.status_code == 302
    assert next(m for m in Message.objects.all() if m.body == "没有脚本也能发").status == MessageStatus.PUBLISHED
    services.duty_cancel(actor=social_worker, duty=on_duty.manual_duties.get(user=medic))
    client.force_login(medic)
    response = client.post(reverse("groups:send", args=[on_duty.pk]), {"body": "下班了还想说"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "非值班时间" in response.json()["error"]


def test_group_list_has_no_n_plus_one(client, world, social_worker, resident):
    for i in range(6):
        group = services.group_create(actor=social_worker, tier=2, community=world.home, name=f"群{i}")
        services.member_add(actor=social_worker, group=group, user=resident, role="client")
        services.message_send(actor=social_worker, group=group, body="欢迎")
    client.force_login(resident)
    client.get(reverse("groups:list"))  # the first request after login also writes the session
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("groups:list")).content.decode()
    assert "群5" in page and "1 条未读" in page
    group = services.group_create(actor=social_worker, tier=2, community=world.home, name="再一个群")
    services.member_add(actor=social_worker, group=group, user=resident, role="client")
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("groups:list"))
    assert len(more.captured_queries) == len(few.captured_queries)


def test_create_a_group_then_a_qr_code_for_it(client, world, social_worker):
    client.force_login(social_worker)
    response = client.post(reverse("groups:create", args=[2]), {"community": world.home.pk, "name": "聚焦服务群",
                                                               "capacity": 500})
    group = GroupMember.objects.get(user=social_worker).group
    assert response.status_code == 302 and response["Location"] == reverse("groups:manage", args=[group.pk])
    client.post(reverse("groups:manage", args=[group.pk]), {"section": "invite", "days": 7, "max_uses": ""})
    invite = Invite.objects.get(group=group)
    svg = client.get(reverse("groups:invite_qr", args=[invite.pk]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert invite.token not in svg.content.decode()  # the link is in the picture, not in the markup


def test_a_bad_form_keeps_what_was_typed(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(reverse("groups:create", args=[1]), {"community": world.home.pk, "name": "我的居民群",
                                                               "capacity": 500})
    page = response.content.decode()
    assert response.status_code == 200 and "小区居民群须选择小区" in page and 'value="我的居民群"' in page


def test_joining_by_link_after_logging_in(client, world, resident_group, community_worker, resident):
    invite = services.invite_create(actor=community_worker, group=resident_group)
    url = reverse("groups:join", args=[invite.token])
    assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(resident)
    assert "锦绣小区居民群" in client.get(url).content.decode()
    response = client.post(url, {"title": "张先生"})
    assert response.status_code == 302
    assert GroupMember.objects.get(group=resident_group, user=resident).nickname == "1栋-101-张先生"
    gone = client.get(reverse("groups:join", args=["no-such-token"]))
    assert "无效或已作废" in gone.content.decode()


def test_an_admin_reading_a_private_thread_is_audited_and_told(client, on_duty, resident, social_worker):
    thread = services.thread_open(actor=resident, group=on_duty, kind=DutyKind.MEDICAL)
    client.force_login(social_worker)
    page = client.get(reverse("groups:thread", args=[thread.pk])).content.decode()
    assert "已记入审计日志" in page and 'data-can-post="0"' in page
    assert AuditEvent.objects.filter(action="groups.thread.read", actor=social_worker).count() == 1


def test_acknowledging_an_alert_from_the_alerts_page(client, on_duty, resident, counsellor):
    services.message_send(actor=resident, group=on_duty, body="我不想活了")
    client.force_login(counsellor)
    page = client.get(reverse("groups:alerts")).content.decode()
    assert "自杀意念：不想活" in page
    alert = RiskAlert.objects.get()
    client.post(reverse("groups:alert_ack", args=[alert.pk]), {"note": "已电话联系"})
    alert.refresh_from_db()
    assert alert.acknowledged_by == counsellor and alert.note == "已电话联系"


def test_reviewing_a_held_message_from_the_queue(client, on_duty, resident, social_worker):
    held = services.message_send(actor=resident, group=on_duty, body="转发保平安，不转倒霉").message
    client.force_login(social_worker)
    page = client.get(reverse("groups:moderation", args=[on_duty.pk])).content.decode()
    assert "封建迷信" in page and "转发保平安" in page
    client.post(reverse("groups:message_action", args=[on_duty.pk, held.pk, "reject_warn"]), {"reason": "迷信"})
    held.refresh_from_db()
    assert held.status == MessageStatus.REJECTED
    assert "警告" in client.get(reverse("groups:moderation", args=[on_duty.pk])).content.decode()


def test_home_panel_lists_unread_groups_first_and_open_alerts(on_duty, resident, secretary, counsellor):
    from django.template.loader import render_to_string

    from sanshe.groups.selectors import home_groups

    services.message_send(actor=secretary, group=on_duty, body="今天下午送药")
    panel = home_groups(user=resident)
    assert panel["groups_rows"][0].pk == on_duty.pk and panel["groups_rows"][0].unread == 1
    assert panel["groups_open_alerts"] == 0
    services.message_send(actor=resident, group=on_duty, body="我不想活了")
    staff_panel = home_groups(user=counsellor)
    assert staff_panel["groups_open_alerts"] == 1
    html = render_to_string("groups/_home_groups.html", staff_panel)
    assert "1 条风险预警待确认" in html and on_duty.name in html


def test_the_notification_socket_url_follows_websocket_url(client, focus, counsellor, settings):
    client.force_login(counsellor)
    assert 'data-notify-ws="ws://testserver/ws/notifications/"' in client.get(reverse("groups:alerts")).content.decode()
    settings.WEBSOCKET_URL = "ws://127.0.0.1:8001"
    page = client.get(reverse("groups:chat", args=[focus.pk])).content.decode()
    assert f'data-ws-url="ws://127.0.0.1:8001/ws/groups/{focus.pk}/"' in page


def test_alerts_page_starts_the_crisis_protocol_for_social_workers(client, on_duty, resident, counsellor,
                                                                   social_worker, world):
    from sanshe.crisis.models import CrisisResponse

    world.head.refresh_from_db()  # the resident fixture linked the household head to the account
    services.message_send(actor=resident, group=on_duty, body="我不想活了，今晚就吃安眠药")
    alert = RiskAlert.objects.get()
    client.force_login(counsellor)
    page = client.get(reverse("groups:alerts")).content.decode()
    assert "启动危机处置" not in page  # only social workers open the protocol
    client.force_login(social_worker)
    page = client.get(reverse("groups:alerts")).content.decode()
    assert "启动危机处置" in page
    response = client.post(reverse("crisis:start_from_alert", args=[alert.pk]))
    crisis = CrisisResponse.objects.get()
    assert response.status_code == 302 and str(crisis.pk) in response["Location"]
    assert crisis.case.person == world.head


def test_secretary_tools_turn_a_record_request_into_a_consultation_record(client, on_duty, resident, secretary, medic):
    question = services.message_send(actor=resident, group=on_duty, body="老人发烧38度要去医院吗？").message
    answer = services.message_send(actor=medic, group=on_duty, body="先物理降温，超过38.5度请就医").message
    request = services.record_request_create(actor=secretary, group=on_duty, message_ids=[question.pk, answer.pk],
                                             consult_kind="medical")
    client.force_login(secretary)
    page = client.get(reverse("groups:tools", args=[on_duty.pk])).content.decode()
    assert reverse("records:request_record", args=[request.pk]) in page
    response = client.post(reverse("records:request_record", args=[request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "recorded" and request.record_type == "records.servicerecord"
    page = client.get(reverse("groups:tools", args=[on_duty.pk])).content.decode()
    assert reverse("records:record_detail", args=[request.record_id]) in page


def test_polling_for_events_does_not_keep_an_idle_session_alive(client, focus, social_worker):
    """A chat page left open in polling mode on a shared phone still times out: polls are not use."""
    import time

    from sanshe.accounts.middleware import LAST_SEEN_KEY

    client.force_login(social_worker)
    events_url = reverse("groups:events", args=[focus.pk])
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 10 * 60
    session.save()
    assert client.get(events_url).status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN_KEY] >= 10 * 60  # the poll did not move it
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    assert client.get(events_url).status_code == 302  # idle: ended, and the poll goes to the login page
    assert "_auth_user_id" not in client.session


def test_opening_the_chat_page_counts_as_use(client, focus, social_worker):
    import time

    from sanshe.accounts.middleware import LAST_SEEN_KEY

    client.force_login(social_worker)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 10 * 60
    session.save()
    assert client.get(reverse("groups:chat", args=[focus.pk])).status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 5
