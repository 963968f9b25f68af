"""Issue 13 item 5, learning from staff: the handler's verdict on an alert (确有风险 / 误报), a staff member's
"应当预警" mark on a message that raised none, the detector page's monthly figures, and the labelled export that
`manage.py risk_eval` reads."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.groups import feedback_services, services
from sanshe.groups.feedback_selectors import detector_summary, eval_text
from sanshe.groups.models import Group, RiskAlert, RiskFeedback

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
IMMINENT = "我攒了一瓶安眠药，今晚就吃了，不想活了"


def send(user, group, body):
    return services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=body).message


def alert_on(message, *, level: int = 7, at: datetime | None = None) -> RiskAlert:
    """An alert on `message` (raised by hand, so that each test says exactly what the detector did)."""
    alert = RiskAlert.objects.create(organisation_id=message.group.organisation_id, group=message.group,
                                     message=message, subject_id=message.sender_id, level=level,
                                     signals=["intent:test"])
    if at is not None:
        RiskAlert.objects.filter(pk=alert.pk).update(created_at=at)
        type(message).objects.filter(pk=message.pk).update(created_at=at)
    return alert


# ----------------------------------------------------------------------------------------------- verdicts

def test_the_handler_gives_a_verdict_and_may_change_it_with_history_in_audit(client, focus, resident, social_worker):
    message = send(resident, focus, IMMINENT)
    alert = RiskAlert.objects.get(message=message)
    client.force_login(social_worker)
    response = client.post(reverse("groups:alert_verdict", args=[alert.pk]), {"kind": "false_alarm"})
    assert response.status_code == 302 and response["Location"].endswith(f"#alert-{alert.pk}")
    feedback = RiskFeedback.objects.get(alert=alert)
    assert (feedback.kind, feedback.message_id, feedback.group_id, feedback.created_by) == (
        "false_alarm", message.pk, focus.pk, social_worker)
    assert feedback.risk_level == alert.level >= 9
    # The handler changes their mind: one current verdict, both answers in the audit log.
    client.post(reverse("groups:alert_verdict", args=[alert.pk]), {"kind": "true_risk", "note": "已电话联系"})
    feedback.refresh_from_db()
    assert feedback.kind == "true_risk" and feedback.updated_by == social_worker and feedback.note == "已电话联系"
    assert RiskFeedback.objects.count() == 1
    events = list(AuditEvent.objects.filter(action="groups.risk_feedback.verdict").order_by("pk"))
    assert [(e.detail["kind"], e.detail["previous"]) for e in events] == [("false_alarm", None),
                                                                          ("true_risk", "false_alarm")]
    assert all("已电话联系" not in str(e.detail) for e in events)  # the note is not copied into the log
    # The alerts page shows the verdict on the card.
    page = client.get(reverse("groups:alerts")).content.decode()
    card = page[page.index(f'id="alert-{alert.pk}"'):]
    assert "标注：确有风险" in card[:card.index("</form>", card.index("verdict"))]


def test_a_verdict_is_refused_to_a_resident_and_out_of_scope(client, focus, resident, social_worker, outsider,
                                                           secretary):
    alert = RiskAlert.objects.get(message=send(resident, focus, IMMINENT))
    for user in (resident, outsider, secretary):  # secretary: a member, but not a recipient nor a manager
        client.force_login(user)
        response = client.post(reverse("groups:alert_verdict", args=[alert.pk]), {"kind": "true_risk"})
        assert response.status_code == 404, user
        with pytest.raises(ObjectNotFound):
            feedback_services.alert_verdict_set(actor=user, alert_id=alert.pk, kind="true_risk")
    assert not RiskFeedback.objects.exists()
    with pytest.raises(ValidationError):
        feedback_services.alert_verdict_set(actor=social_worker, alert_id=alert.pk, kind="missed")


def test_a_recipient_on_duty_gives_the_verdict(on_duty, resident, counsellor):
    alert = RiskAlert.objects.get(message=send(resident, on_duty, IMMINENT))
    assert alert.deliveries.filter(user=counsellor).exists()
    feedback = feedback_services.alert_verdict_set(actor=counsellor, alert_id=alert.pk, kind="true_risk")
    assert feedback.created_by == counsellor


# ----------------------------------------------------------------------------------------------- missed marks

def test_staff_mark_a_message_that_should_have_alerted(client, focus, resident, secretary, social_worker):
    # A message the detector leaves alone (a farewell in words it does not know).
    message = send(resident, focus, "这是我最后一次求大家帮忙了，以后不会了")
    assert not RiskAlert.objects.filter(message=message).exists()
    client.force_login(secretary)
    chat = client.get(reverse("groups:chat", args=[focus.pk])).content.decode()
    url = reverse("groups:message_missed", args=[focus.pk, message.pk])
    assert url in chat  # in the message's ⋯ menu
    assert "标注应当预警" in client.get(url).content.decode()
    response = client.post(url, {"note": "在分送东西，像告别"})
    assert response.status_code == 302 and response["Location"].endswith(f"#m{message.pk}")
    mark = RiskFeedback.objects.get(message=message)
    assert (mark.kind, mark.alert, mark.created_by, mark.note, mark.risk_level) == (
        "missed", None, secretary, "在分送东西，像告别", message.risk_level)
    event = AuditEvent.objects.get(action="groups.risk_feedback.missed")
    assert event.object_id == str(message.pk) and event.actor == secretary
    # Marking again updates the note; another staff member's mark is their own.
    client.post(url, {"note": "补充：提到楼顶"})
    feedback_services.message_missed_mark(actor=social_worker, group_id=focus.pk, message_id=message.pk)
    assert RiskFeedback.objects.filter(message=message).count() == 2
    assert RiskFeedback.objects.get(message=message, created_by=secretary).note == "补充：提到楼顶"


def test_residents_never_see_or_make_missed_marks(client, focus, resident, social_worker):
    message = send(social_worker, focus, "今天下午三点发放物资")
    client.force_login(resident)
    chat = client.get(reverse("groups:chat", args=[focus.pk])).content.decode()
    assert "应当预警" not in chat and "missed-mark" not in chat and 'data-staff="1"' not in chat
    assert client.get(reverse("groups:message_missed", args=[focus.pk, message.pk])).status_code == 403
    assert client.post(reverse("groups:message_missed", args=[focus.pk, message.pk])).status_code == 403
    with pytest.raises(ActionForbidden):
        feedback_services.message_missed_mark(actor=resident, group_id=focus.pk, message_id=message.pk)
    assert not RiskFeedback.objects.exists()


def test_out_of_scope_missed_mark_is_404(client, focus, resident, outsider):
    message = send(resident, focus, "最近很累")
    client.force_login(outsider)
    assert client.get(reverse("groups:message_missed", args=[focus.pk, message.pk])).status_code == 404
    assert client.post(reverse("groups:message_missed", args=[focus.pk, message.pk])).status_code == 404


def test_a_message_that_alerted_gets_no_missed_mark(client, focus, resident, secretary):
    flagged = send(resident, focus, IMMINENT)
    assert RiskAlert.objects.filter(message=flagged).exists()
    client.force_login(secretary)
    chat = client.get(reverse("groups:chat", args=[focus.pk])).content.decode()
    url = reverse("groups:message_missed", args=[focus.pk, flagged.pk])
    assert url not in chat  # the secretary does not see the alert, but the message still gets no mark
    with pytest.raises(ValidationError):
        feedback_services.message_missed_mark(actor=secretary, group_id=focus.pk, message_id=flagged.pk)
    response = client.post(url, {"note": "x"})
    assert response.status_code == 200 and "已发出风险预警" in response.content.decode()
    assert not RiskFeedback.objects.exists()


# ----------------------------------------------------------------------------------------------- detector page

def test_detector_page_figures_per_month(client, focus, resident, secretary, social_worker):
    october = datetime(2026, 10, 15, 10, tzinfo=SHANGHAI)
    november = datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI)  # late evening in Shanghai: still November
    oct_alerts = [alert_on(send(resident, focus, f"十月消息{i}"), at=october) for i in range(3)]
    nov_alerts = [alert_on(send(resident, focus, f"十一月消息{i}"), level=9, at=november) for i in range(4)]
    for alert, kind in zip(oct_alerts, ["true_risk", "true_risk", "false_alarm"], strict=True):
        feedback_services.alert_verdict_set(actor=social_worker, alert_id=alert.pk, kind=kind)
    feedback_services.alert_verdict_set(actor=social_worker, alert_id=nov_alerts[0].pk, kind="false_alarm")
    missed = send(resident, focus, "十一月漏报")
    type(missed).objects.filter(pk=missed.pk).update(created_at=november)
    feedback_services.message_missed_mark(actor=secretary, group_id=focus.pk, message_id=missed.pk)
    feedback_services.message_missed_mark(actor=social_worker, group_id=focus.pk, message_id=missed.pk)

    summary = detector_summary(actor=social_worker, organisation_id=focus.organisation_id)
    by_month = {m.key: m for m in summary.months}
    assert list(by_month) == ["2026-11", "2026-10"]
    october_row, november_row = by_month["2026-10"], by_month["2026-11"]
    assert (october_row.alerts, october_row.verdicts, october_row.true_risk, october_row.false_alarm,
            october_row.missed) == (3, 3, 2, 1, 0)
    assert october_row.precision == pytest.approx(2 / 3) and october_row.precision_pct == 67
    assert october_row.unjudged_share == 0
    assert (november_row.alerts, november_row.verdicts, november_row.true_risk, november_row.false_alarm,
            november_row.missed) == (4, 1, 0, 1, 1)  # two marks on one message count once
    assert november_row.precision == 0 and november_row.unjudged_pct == 75
    assert summary.total.alerts == 7 and summary.total.precision_pct == 50

    client.force_login(social_worker)
    page = client.get(reverse("groups:detector")).content.decode()
    row = page[page.index('id="month-2026-10"'):page.index("</tr>", page.index('id="month-2026-10"'))]
    assert 'class="c-precision">67%' in row and 'class="c-alerts">3' in row
    row = page[page.index('id="month-2026-11"'):page.index("</tr>", page.index('id="month-2026-11"'))]
    assert 'class="c-missed">1' in row and 'class="c-unjudged">75%（3）' in row
    assert "6 级预警，9 级紧急" in page and "risk_eval" in page


def test_detector_page_is_for_org_admins_and_social_workers(client, focus, org_admin, secretary, resident,
                                                            community_worker):
    for user, status in ((org_admin, 200), (secretary, 403), (resident, 403), (community_worker, 403)):
        client.force_login(user)
        assert client.get(reverse("groups:detector")).status_code == status, user
    client.force_login(org_admin)
    assert reverse("groups:detector") in client.get(reverse("groups:alerts")).content.decode()


# ----------------------------------------------------------------------------------------------- export

def test_export_content_and_audit(client, focus, resident, secretary, social_worker):
    imminent = alert_on(send(resident, focus, "我已经站在楼顶了\t再见"), level=9)
    high = alert_on(send(resident, focus, "活着好累\r\n不想醒来"), level=7)
    # Read with the message before it (same sender, 30 minutes) the detector makes it imminent; this test is
    # about the export, so the level is set by hand like the alerts.
    type(high.message).objects.filter(pk=high.message_id).update(risk_level=7)
    false_alarm = alert_on(send(resident, focus, "笑死我了，这段视频\x07太好笑"), level=6)
    unjudged = alert_on(send(resident, focus, "没有人标注这条"), level=6)
    missed = send(resident, focus, "这是我最后一次求大家帮忙了\u2028以后不会了")
    for alert, kind in ((imminent, "true_risk"), (high, "true_risk"), (false_alarm, "false_alarm")):
        feedback_services.alert_verdict_set(actor=social_worker, alert_id=alert.pk, kind=kind)
    feedback_services.message_missed_mark(actor=secretary, group_id=focus.pk, message_id=missed.pk)
    assert unjudged.pk

    client.force_login(social_worker)
    response = client.post(reverse("groups:detector_export"), {"reason": "交规则维护人员评估漏报"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/tab-separated-values")
    assert "attachment" in response["Content-Disposition"] and ".tsv" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert comments and focus.organisation.name in comments[0] and "period: all" in comments[0]
    assert "CHAT TEXT" in "".join(comments)
    data = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    assert data == [
        ["imminent", "我已经站在楼顶了 再见"],
        ["high", "活着好累 不想醒来"],
        ["none", "笑死我了，这段视频太好笑"],
        ["high", "这是我最后一次求大家帮忙了 以后不会了"],
    ]
    event = AuditEvent.objects.get(action="groups.risk_feedback.export")
    assert event.reason == "交规则维护人员评估漏报" and event.detail["count"] == 4 and event.actor == social_worker
    assert "楼顶" not in str(event.detail)


def test_export_is_refused_without_a_reason(client, focus, resident, social_worker, secretary):
    alert = alert_on(send(resident, focus, "活着好累"))
    feedback_services.alert_verdict_set(actor=social_worker, alert_id=alert.pk, kind="true_risk")
    client.force_login(social_worker)
    for reason in ("", "看看"):
        response = client.post(reverse("groups:detector_export"), {"reason": reason})
        assert response.status_code == 400
        assert "须填写导出事由" in response.content.decode()
        assert "活着好累" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="groups.risk_feedback.export").exists()
    client.force_login(secretary)
    assert client.post(reverse("groups:detector_export"), {"reason": "交规则维护人员"}).status_code == 403


def test_eval_text_strips_controls_and_breaks():
    assert eval_text("a\tb\r\nc\x00d\x1be\u2029f  g ") == "a b cde f g"


def test_detector_and_alerts_pages_take_the_same_queries_for_one_month_or_many(client, focus, resident,
                                                                              social_worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> tuple[int, int]:
        client.force_login(social_worker)
        client.get(reverse("groups:detector"))  # the session's first request writes it; not the page's cost
        with CaptureQueriesContext(connection) as detector_page:
            assert client.get(reverse("groups:detector")).status_code == 200
        with CaptureQueriesContext(connection) as alerts_page:
            assert client.get(reverse("groups:alerts")).status_code == 200
        return len(detector_page), len(alerts_page)

    first = alert_on(send(resident, focus, "活着好累"), at=datetime(2026, 9, 3, tzinfo=SHANGHAI))
    feedback_services.alert_verdict_set(actor=social_worker, alert_id=first.pk, kind="true_risk")
    few = counts()
    for month in (4, 5, 6, 7, 8):
        alert = alert_on(send(resident, focus, f"{month}月"), at=datetime(2026, month, 3, tzinfo=SHANGHAI))
        feedback_services.alert_verdict_set(actor=social_worker, alert_id=alert.pk, kind="false_alarm")
    assert counts() == few


def test_the_helper_marks_a_message_of_a_private_thread(client, on_duty, resident, counsellor):
    from sanshe.groups.models import PrivateThread

    thread = services.thread_open(actor=resident, group=Group.objects.get(pk=on_duty.pk), kind="psychological")
    assert isinstance(thread, PrivateThread) and thread.helper == counsellor
    message = services.message_send(actor=resident, group=on_duty, thread=thread, body="都安排好了，不用担心我").message
    client.force_login(counsellor)
    page = client.get(reverse("groups:thread", args=[thread.pk])).content.decode()
    url = reverse("groups:message_missed", args=[on_duty.pk, message.pk])
    assert url in page
    response = client.post(url, {"note": "像交代后事"})
    assert response["Location"] == reverse("groups:thread", args=[thread.pk]) + f"#m{message.pk}"
    assert RiskFeedback.objects.get(message=message).kind == "missed"
    # The client of the thread sees no such control.
    client.force_login(resident)
    assert url not in client.get(reverse("groups:thread", args=[thread.pk])).content.decode()
