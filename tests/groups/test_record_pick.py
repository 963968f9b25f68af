"""Issue 12 item 13: "记录咨询" offers the last hour's messages and a search of the day, not a whole day to
scroll; a message tapped in the chat is always offered, checked."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sanshe.groups import services
from sanshe.groups.models import Message, RecordRequest


def _earlier(message, hours: int):
    Message.objects.filter(pk=message.pk).update(published_at=timezone.now() - timedelta(hours=hours))
    return message


def test_record_page_offers_the_last_hour_and_finds_older_messages(client, on_duty, resident, secretary, medic):
    old = _earlier(services.message_send(actor=resident, group=on_duty, body="早上量的血压160/100要紧吗").message, 3)
    old_answer = _earlier(services.message_send(actor=medic, group=on_duty, body="请按时服降压药，复测").message, 3)
    recent = services.message_send(actor=resident, group=on_duty, body="孩子咳嗽两天了").message
    url = reverse("groups:record", args=[on_duty.pk])
    client.force_login(secretary)

    page = client.get(url).content.decode()
    assert "孩子咳嗽两天了" in page and "血压160/100" not in page and "最近1小时的消息" in page

    page = client.get(url, {"q": "血压"}).content.decode()
    assert "血压160/100" in page and "孩子咳嗽两天了" not in page and "含“血压”的消息：1条" in page

    page = client.get(url, {"q": "没有这个词"}).content.decode()
    assert "没有找到消息，换个词再试。" in page

    # The message tapped in the chat ("⋯ › 记录") is there and checked even when it is older than an hour.
    page = client.get(url, {"m": old_answer.pk}).content.decode()
    assert "请按时服降压药" in page and f'value="{old_answer.pk}" checked' in page

    response = client.post(f"{url}?q=血压", {"pick": [old.pk, old_answer.pk], "consult_kind": "medical", "note": ""})
    assert response.status_code == 302
    picked = set(RecordRequest.objects.get().messages.values_list("pk", flat=True))
    assert picked == {old.pk, old_answer.pk} and recent.pk not in picked


def test_a_quiet_hour_shows_the_latest_messages_instead(client, on_duty, resident, secretary):
    _earlier(services.message_send(actor=resident, group=on_duty, body="昨晚发烧了").message, 5)
    client.force_login(secretary)
    page = client.get(reverse("groups:record", args=[on_duty.pk])).content.decode()
    assert "昨晚发烧了" in page and "最近1小时没有新消息" in page
