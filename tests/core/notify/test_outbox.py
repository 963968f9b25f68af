"""The outbox: written in the caller's transaction, delivered only after commit; SMS rate limit, retries, the
delivery log, preferences and quiet hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from sanshe.core.notify import fanout
from sanshe.core.notify.models import Channel, Delivery, DeliveryStatus, Notification, NotificationPreference
from sanshe.core.notify.services import (
    deliveries_retry_due,
    in_quiet_hours,
    masked_name,
    notify_send,
    notify_sms,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BOTH = (Channel.INAPP, Channel.SMS)


@pytest.fixture
def worker(db):
    return UserFactory(username="worker", phone="13900000001")


def test_the_outbox_is_written_in_the_transaction_and_nothing_leaves_on_rollback(worker, sms,
                                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify_send(recipients=[worker], kind="test", title="有新的转介", sms_text="【三社】有新的转介", channels=BOTH)
            # Written with the caller's data, in the caller's transaction …
            assert Notification.objects.filter(recipient=worker).count() == 1
            assert Delivery.objects.filter(channel=Channel.SMS, status=DeliveryStatus.QUEUED).count() == 1
            raise RuntimeError("the caller's write failed")
    # … and gone with it: no row, no text, nothing queued to run after a commit that never came.
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert sms == [] and callbacks == []


def test_delivery_happens_after_commit(worker, sms, django_capture_on_commit_callbacks, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(fanout.user_channel(worker.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify_send(recipients=[worker.pk], kind="test", title="个案已转由您负责", url="/cases/",
                             sms_text="【三社】个案已转由您负责", channels=BOTH)
        assert sms == []  # not before the commit
    assert sms == [("13900000001", "【三社】个案已转由您负责")]
    sent = Delivery.objects.get(notification=note, channel=Channel.SMS)
    assert (sent.status, sent.attempts, sent.sent_at is not None) == (DeliveryStatus.SENT, 1, True)
    # The in-app push reached the user's own channel, with a toast's text and link.
    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "groups.push"
    assert message["data"] == {"kind": "notify", "text": "个案已转由您负责", "href": "/cases/", "critical": False,
                               "notification_id": note.pk}


def test_inactive_accounts_and_people_who_turned_sms_off_get_no_text(worker, sms, django_capture_on_commit_callbacks):
    gone = UserFactory(username="gone", phone="13900000002", is_active=False)
    NotificationPreference.objects.create(user=worker, sms=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify_send(recipients=[worker, gone], kind="test", title="提醒", sms_text="【三社】提醒", channels=BOTH)
    assert sms == []
    assert Notification.objects.filter(recipient=worker).count() == 1  # the in-app notice stays
    assert not Notification.objects.filter(recipient=gone).exists()
    # A crisis is not silenced by the preference.
    with django_capture_on_commit_callbacks(execute=True):
        notify_send(recipients=[worker], kind="crisis.alert", title="危机", sms_text="【三社】危机个案", channels=BOTH,
                    critical=True)
    assert sms == [("13900000001", "【三社】危机个案")]


def test_sms_to_one_phone_is_rate_limited_and_sent_later(worker, sms, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_SMS_RATE = (2, 600)
    with django_capture_on_commit_callbacks(execute=True):
        notes = [notify_sms(phone="13800000000", text=f"【三社】提醒{n}", kind="test") for n in range(3)]
    assert [text for _phone, text in sms] == ["【三社】提醒0", "【三社】提醒1"]
    held = Delivery.objects.get(notification=notes[2])
    assert held.status == DeliveryStatus.QUEUED and held.attempts == 0 and "频繁" in held.error
    assert held.next_attempt_at > timezone.now() + timedelta(minutes=9)
    # A critical text is never held back.
    with django_capture_on_commit_callbacks(execute=True):
        notify_sms(phone="13800000000", text="【三社】危机", kind="crisis", critical=True)
    assert sms[-1] == ("13800000000", "【三社】危机")
    # Before the window passes the retry leaves it waiting; after, it goes out.
    assert deliveries_retry_due(now=timezone.now() + timedelta(minutes=1)) == 0
    Delivery.objects.filter(status=DeliveryStatus.SENT).update(sent_at=timezone.now() - timedelta(minutes=11))
    assert deliveries_retry_due(now=timezone.now() + timedelta(minutes=11)) == 1
    assert sms[-1] == ("13800000000", "【三社】提醒2")
    assert Delivery.objects.get(pk=held.pk).status == DeliveryStatus.SENT


def test_a_gateway_failure_is_retried_then_logged_as_failed(worker, settings, http_server,
                                                           django_capture_on_commit_callbacks):
    base, server = http_server
    settings.SMS_BACKEND = "sanshe.accounts.sms.HttpSmsBackend"
    settings.SMS_WEBHOOK_URL = base + "/sms"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    answers = iter([(502, {}), (200, {"ok": True})])
    server.answer = lambda request: next(answers)
    with django_capture_on_commit_callbacks(execute=True):
        note = notify_sms(phone="13800000001", text="【三社】请打卡", kind="test")
    delivery = Delivery.objects.get(notification=note)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert "502" in delivery.error and delivery.next_attempt_at is not None
    assert deliveries_retry_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == (DeliveryStatus.SENT, 2, "")
    # The delivery's id goes along as the reference the gateway's status report names (test_receipts.py).
    assert [r["body"] for r in server.requests] == [{"phone": "13800000001", "message": "【三社】请打卡",
                                                     "reference": str(delivery.pk)}] * 2

    server.answer = lambda request: (500, {})
    with django_capture_on_commit_callbacks(execute=True):
        note = notify_sms(phone="13800000001", text="【三社】再次", kind="test")
    delivery = Delivery.objects.get(notification=note)
    for hours in (1, 2, 3):
        deliveries_retry_due(now=timezone.now() + timedelta(hours=hours))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert deliveries_retry_due(now=timezone.now() + timedelta(days=1)) == 0  # failed stays failed


def _local(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 3, 2, hour, minute))


def test_quiet_hours_cross_midnight():
    assert in_quiet_hours(time(22), time(7), _local(23))
    assert in_quiet_hours(time(22), time(7), _local(6, 59))
    assert not in_quiet_hours(time(22), time(7), _local(7))
    assert not in_quiet_hours(time(12), time(14), _local(11, 59))
    assert not in_quiet_hours(None, None, _local(3))


def test_quiet_hours_skip_ordinary_texts_and_never_critical_ones(worker, sms, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=worker, quiet_start=time(22), quiet_end=time(7))
    night = _local(23, 30)
    with django_capture_on_commit_callbacks(execute=True):
        [ordinary] = notify_send(recipients=[worker], kind="cases.followup_overdue", title="跟进超时",
                                 sms_text="【三社】跟进超时", channels=BOTH, now=night)
        [crisis] = notify_send(recipients=[worker], kind="crisis.alert", title="危机个案",
                               sms_text="【三社】危机个案", channels=BOTH, critical=True, now=night)
    assert sms == [("13900000001", "【三社】危机个案")]
    skipped = Delivery.objects.get(notification=ordinary, channel=Channel.SMS)
    assert skipped.status == DeliveryStatus.SKIPPED and skipped.error == "免打扰时段"
    # The in-app notice of the ordinary one is still in the list.
    assert Delivery.objects.get(notification=ordinary, channel=Channel.INAPP).status == DeliveryStatus.SENT
    assert Delivery.objects.get(notification=crisis, channel=Channel.SMS).status == DeliveryStatus.SENT
    # In the daytime the same ordinary notice is texted.
    with django_capture_on_commit_callbacks(execute=True):
        notify_send(recipients=[worker], kind="cases.followup_overdue", title="跟进超时",
                    sms_text="【三社】跟进超时", channels=BOTH, now=_local(9))
    assert sms[-1] == ("13900000001", "【三社】跟进超时")


def test_masked_name_is_the_one_masking_rule():
    assert masked_name("张伟") == "张*" and masked_name("欧阳娜娜") == "欧阳**"


def test_a_push_with_feature_data_still_carries_the_toast(worker, django_capture_on_commit_callbacks, settings):
    """A feature's own push data (e.g. a chat risk alert's level) is kept, and every push also carries the
    notification's title, link and criticality, so any page shows it the same way (notify/live.js)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(fanout.user_channel(worker.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify_send(recipients=[worker.pk], kind="groups.alert", title="紧急风险预警：9 级",
                             url="/groups/alerts/#alert-7", data={"kind": "alert", "alert_id": 7, "level": 9},
                             critical=True)
    data = async_to_sync(layer.receive)(channel)["data"]
    assert data == {"kind": "alert", "alert_id": 7, "level": 9, "text": "紧急风险预警：9 级",
                    "href": "/groups/alerts/#alert-7", "critical": True, "notification_id": note.pk}
