"""An @mention notifies (in-app only) whoever is not reading the group right now: once per message, their
preference and quiet hours respected (sanshe/groups/chat/mentions.py)."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from sanshe.core.notify import presence
from sanshe.core.notify.models import Channel, Delivery, DeliveryStatus, Notification, NotificationPreference
from sanshe.groups import services
from sanshe.groups.chat.mentions import mentions_notify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_presence_left():
    cache.clear()
    yield
    cache.clear()


def _mentions(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="groups.mention"))


def test_a_mention_notifies_in_app_once_and_only_those_not_reading(on_duty, resident, secretary, medic):
    chat = reverse("groups:chat", args=[on_duty.pk])
    presence.viewing_set(medic.pk, chat, visible=True)  # the medic has this group's chat open and in view
    answer = services.message_send(actor=secretary, group=on_duty, body=f"@张先生 @{medic.username} 下午三点送药").message
    assert set(answer.mentions.all()) == {resident, medic}
    [note] = _mentions(resident)
    assert note.url == f"{chat}#m{answer.pk}"
    assert "@了您" in note.title
    assert list(Delivery.objects.filter(notification=note).values_list("channel", "status")) == [
        (Channel.INAPP, DeliveryStatus.SENT)]  # in-app only, never a text
    assert _mentions(medic) == []  # reading the group right now: nothing to tell
    assert _mentions(secretary) == []  # the sender
    # The same message processed again (a retry) notifies nobody twice.
    assert mentions_notify(message=answer, mentioned=[resident.pk]) == []
    assert len(_mentions(resident)) == 1


def test_a_page_in_the_background_does_not_count_as_reading(on_duty, resident, secretary):
    chat = reverse("groups:chat", args=[on_duty.pk])
    presence.viewing_set(resident.pk, chat, visible=True)
    presence.viewing_set(resident.pk, chat, visible=False)
    services.message_send(actor=secretary, group=on_duty, body="@张先生 请看一下")
    assert len(_mentions(resident)) == 1


def test_preferences_and_quiet_hours_are_respected(on_duty, resident, secretary, medic, settings):
    NotificationPreference.objects.create(user=resident, chat_mentions=False)
    services.message_send(actor=secretary, group=on_duty, body="@张先生 请看一下")
    assert _mentions(resident) == []  # turned off
    NotificationPreference.objects.create(user=medic, quiet_start=time(0, 0), quiet_end=time(23, 59, 59))
    services.message_send(actor=secretary, group=on_duty, body=f"@{medic.username} 请看一下")
    [note] = _mentions(medic)  # kept in the list, but no toast in the quiet hours
    delivery = Delivery.objects.get(notification=note)
    assert delivery.status == DeliveryStatus.SKIPPED and delivery.error == "免打扰时段"


def test_no_notification_for_a_held_message_or_a_private_thread(on_duty, resident, secretary):
    message = services.message_send(actor=secretary, group=on_duty, body="@张先生 好的").message
    message.status = "held"
    assert mentions_notify(message=message, mentioned=[resident.pk]) == []
