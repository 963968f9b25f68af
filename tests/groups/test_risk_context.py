"""Risk read in context: the same person's recent messages together, a later message raising an earlier alert,
and a reply about someone else's risk that does not make the replier at risk."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sanshe.core.models import AuditEvent
from sanshe.groups import services
from sanshe.groups.models import Group, RiskAlert, RiskAlertStatus
from sanshe.rules.chatrisk import IMMINENT_LEVEL, assess, assess_context

from .conftest import make_client


def send(user, group, body, **kwargs):
    return services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=body, **kwargs).message


# ---------------------------------------------------------------------------------------------- pure


@pytest.mark.parametrize("earlier, last", [
    (["不想活了"], "我在楼顶"),
    (["活着太累了，真的撑不住了"], "我现在在江边"),
    (["安眠药攒了一瓶"], "今晚就吃"),
    (["我刚刚把药全吃了"], "头好晕，想吐"),
    (["谢谢你们一直以来的照顾", "我的猫拜托你们了"], "我在天台"),
])
def test_earlier_messages_combine_with_the_last(earlier, last):
    alone = assess(last)
    together = assess_context([*earlier, last])
    assert together.level >= IMMINENT_LEVEL > alone.level, (earlier, last, alone, together)
    assert any(code.startswith("context:") for code in together.codes)


@pytest.mark.parametrize("earlier, last", [
    (["不想活了"], "今天几点发菜？"),                  # the last message brings no risk of its own
    (["笑死了，楼顶那只猫"], "我在楼顶晒被子"),          # hyperbole and an everyday purpose
    (["今晚有核酸吗"], "在阳台上等大白"),
    (["我在楼顶"], "收好衣服就下来"),
])
def test_earlier_messages_do_not_raise_everyday_talk(earlier, last):
    together = assess_context([*earlier, last])
    assert together.level == assess(last).level < 6, (earlier, last, together)
    assert not any(code.startswith("context:") for code in together.codes)


def test_context_of_one_message_is_the_message():
    assert assess_context(["我真的不想活了"]) == assess("我真的不想活了")
    assert assess_context([]).level == 0


# ---------------------------------------------------------------------------------------------- services


@pytest.mark.django_db
def test_context_raises_a_new_alert_when_none_is_open(on_duty, resident, counsellor, social_worker, medic):
    first = send(resident, on_duty, "最近真的撑不下去了")
    assert first.risk_level < 6 and not RiskAlert.objects.exists()
    second = send(resident, on_duty, "我现在一个人在楼顶")
    assert assess("我现在一个人在楼顶").level < 6  # alone it is nothing
    alert = RiskAlert.objects.get()
    assert alert.message == second and alert.level >= IMMINENT_LEVEL and alert.subject == resident
    assert second.risk_level == alert.level and any(c.startswith("context:") for c in second.risk_signals)
    # Imminent: everyone responsible at once, with the short deadline.
    recipients = set(alert.recipients.values_list("pk", flat=True))
    assert {counsellor.pk, social_worker.pk, medic.pk} <= recipients
    assert alert.ack_deadline - alert.created_at <= timedelta(minutes=5, seconds=1)


@pytest.mark.django_db
def test_a_later_message_raises_the_open_alert_instead_of_a_second_one(on_duty, resident, counsellor, social_worker,
                                                                       medic, django_capture_on_commit_callbacks):
    first = send(resident, on_duty, "我真的不想活了")
    alert = RiskAlert.objects.get(message=first)
    assert 6 <= alert.level < IMMINENT_LEVEL and alert.ack_deadline - alert.created_at > timedelta(minutes=10)
    told_first = set(alert.recipients.values_list("pk", flat=True))
    assert medic.pk not in told_first
    assert assess("我现在一个人在天台").level < 6  # alone it would raise nothing
    with django_capture_on_commit_callbacks(execute=True):
        second = send(resident, on_duty, "我现在一个人在天台")
    assert RiskAlert.objects.count() == 1
    alert.refresh_from_db()
    assert alert.level >= IMMINENT_LEVEL and alert.status == RiskAlertStatus.OPEN
    assert second.risk_level >= IMMINENT_LEVEL
    assert any(code.startswith("in_place") for code in alert.signals)
    assert any(code.startswith("intent") for code in alert.signals)  # the earlier signals stay
    assert alert.ack_deadline <= second.created_at + timedelta(minutes=5, seconds=1)
    # The imminent chain: the medic on duty is told now too.
    assert medic.pk in set(alert.recipients.values_list("pk", flat=True))
    event = AuditEvent.objects.get(action="groups.risk_alert.raise_level", object_id=str(alert.pk))
    assert event.detail["from"] < IMMINENT_LEVEL <= event.detail["level"]
    # It became imminent: it lands in the referral inbox like any imminent alert.
    from sanshe.cases.models import Referral

    assert Referral.objects.filter(source_kind="chat", source_id=alert.pk, urgency="immediate").exists()


@pytest.mark.django_db
def test_an_acknowledged_alert_is_not_raised_a_new_one_is(on_duty, resident, counsellor):
    alert = RiskAlert.objects.get(message=send(resident, on_duty, "我真的不想活了"))
    services.alert_acknowledge(actor=counsellor, alert=alert, note="已私聊")
    send(resident, on_duty, "我在江边")
    assert RiskAlert.objects.count() == 2
    newest = RiskAlert.objects.order_by("-id").first()
    assert newest.level >= IMMINENT_LEVEL and newest.status == RiskAlertStatus.OPEN


@pytest.mark.django_db
def test_a_message_raising_nothing_leaves_the_alert_alone(on_duty, resident):
    alert = RiskAlert.objects.get(message=send(resident, on_duty, "我真的不想活了"))
    level = alert.level
    message = send(resident, on_duty, "请问今天几点发菜？")
    alert.refresh_from_db()
    assert alert.level == level and message.risk_level == 0 and RiskAlert.objects.count() == 1


@pytest.mark.django_db
def test_old_messages_and_other_people_s_messages_are_not_context(on_duty, resident, social_worker):
    neighbour = make_client(social_worker, on_duty, "neighbour_ctx")
    send(neighbour, on_duty, "我不想活了")
    RiskAlert.objects.all().delete()
    message = send(resident, on_duty, "我在楼顶")
    assert message.risk_level < 6 and not RiskAlert.objects.exists()
    # The resident's own message of an hour ago is out of the window.
    later = services.message_send(actor=resident, group=Group.objects.get(pk=on_duty.pk), body="不想活了",
                                  now=message.created_at + timedelta(hours=1)).message
    assert later.risk_level >= 6 and "context" not in " ".join(later.risk_signals)


@pytest.mark.django_db
@pytest.mark.parametrize("reply", [
    "你别想不开啊",
    "他说他在楼顶？快报警",
    "她说她已经吃了一瓶药？快打120",
    "大家别担心，社工已经去他家了",
    "看到有人说不想活了，好心疼",
])
def test_a_reply_about_someone_else_does_not_make_the_replier_at_risk(on_duty, resident, social_worker, reply):
    helper = make_client(social_worker, on_duty, "helper_ctx")
    alert = RiskAlert.objects.get(message=send(resident, on_duty, "不想活了，我现在在楼顶"))
    assert alert.level >= IMMINENT_LEVEL
    message = send(helper, on_duty, reply)
    assert message.risk_level < 6, (reply, message.risk_signals)
    assert RiskAlert.objects.count() == 1 and RiskAlert.objects.get().subject == resident


@pytest.mark.django_db
def test_worry_about_someone_close_stays_a_signal(on_duty, resident):
    message = send(resident, on_duty, "我妈说她不想活了，我好害怕")
    assert message.risk_level >= 6 and any(c.startswith("others_risk:") for c in message.risk_signals)


@pytest.mark.django_db
def test_a_message_that_alerts_alone_joins_the_senders_open_alert(on_duty, resident):
    first = send(resident, on_duty, "我真的不想活了")
    alert = RiskAlert.objects.get(message=first)
    send(resident, on_duty, "安眠药我已经攒了一瓶，今晚就吃")  # alerts on its own words, higher
    assert RiskAlert.objects.count() == 1  # one person, one open alert: raised, not doubled
    alert.refresh_from_db()
    assert alert.level >= IMMINENT_LEVEL and alert.status == RiskAlertStatus.OPEN
    send(resident, on_duty, "我真的不想活了")  # the same level again: signals kept, nobody told twice
    assert RiskAlert.objects.count() == 1
