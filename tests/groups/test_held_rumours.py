"""A rumour is held with its debunk ready; the admin sends the debunk with one tap; private data is held with advice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sanshe.core.errors import ActionForbidden
from sanshe.core.models import AuditEvent
from sanshe.groups import rumour_base, services
from sanshe.groups.models import Group, Message, MessageStatus, ModerationAction
from sanshe.knowledge import services as library
from sanshe.knowledge.models import Category, Entry, EntryKind
from sanshe.knowledge.services import Debunk

pytestmark = pytest.mark.django_db


def send(user, group, body):
    return services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=body).message


def test_a_paraphrased_rumour_is_held_naming_the_library_entry(on_duty, resident):
    entry = Entry.objects.get(kind=EntryKind.DEBUNK, question="喝白酒能预防新冠病毒")
    held = send(resident, on_duty, "听说每天喝二两高度白酒，新冠病毒就不会找上你")
    assert held.status == MessageStatus.HELD
    assert held.held_categories[0] == "rumour"
    assert held.held_rumour["entry_id"] == entry.pk
    assert held.held_rumour["debunk"] == entry.answer and held.held_rumour["source"] == entry.debunk_source
    # A refutation of the same rumour is what the group should read: published.
    assert send(resident, on_duty, "喝白酒能预防新冠是谣言，大家别信").status == MessageStatus.PUBLISHED


def test_staff_are_not_moderated_and_everyday_notices_pass(on_duty, resident, secretary, social_worker):
    assert send(social_worker, on_duty, "社区办公室电话 13912345678，有事请找我").status == MessageStatus.PUBLISHED
    assert send(social_worker, on_duty, "赶紧囤货的说法不实，物资充足").status == MessageStatus.PUBLISHED
    for body in ("明天上午8点全员核酸，请按楼栋下楼", "物资已到，下午3点北门领取", "卫健委通报：昨日新增确诊病例3例"):
        assert send(resident, on_duty, body).status == MessageStatus.PUBLISHED


def test_one_tap_debunk_rejects_the_rumour_and_publishes_the_debunk_as_the_admin(on_duty, resident, social_worker):
    held = send(resident, on_duty, "多吃大蒜就不会感染新冠，大家快吃")
    entry_id = held.held_rumour["entry_id"]
    reply = services.message_debunk_reply(actor=social_worker, message=held)
    held.refresh_from_db()
    assert held.status == MessageStatus.REJECTED and held.reviewed_by == social_worker
    assert reply.status == MessageStatus.PUBLISHED and reply.sender == social_worker and reply.reply_to is None
    assert reply.body.startswith("【辟谣】网传“吃大蒜能预防新冠病毒”，不实。")
    assert "世界卫生组织" in reply.body and "大蒜是一种健康食品" in reply.body
    assert ModerationAction.objects.filter(message=held, kind="reject").exists()
    event = AuditEvent.objects.get(action="groups.message.debunk")
    assert event.detail["entry"] == entry_id and event.detail["reply"] == reply.pk
    assert Entry.objects.get(pk=entry_id).use_count == 1
    with pytest.raises(ValidationError):
        services.message_debunk_reply(actor=social_worker, message=held)  # already handled


def test_only_managers_send_a_debunk_and_only_for_a_matched_rumour(on_duty, resident, secretary, social_worker):
    held = send(resident, on_duty, "多吃大蒜就不会感染新冠")
    with pytest.raises(ActionForbidden):
        services.message_debunk_reply(actor=secretary, message=held)
    other = send(resident, on_duty, "赶紧囤米，过两天就买不到了")
    assert other.status == MessageStatus.HELD and other.held_categories == ["panic"] and other.held_rumour == {}
    with pytest.raises(ValidationError, match="没有对应的辟谣条目"):
        services.message_debunk_reply(actor=social_worker, message=other)


def test_a_debunk_published_in_the_library_is_matched_and_a_retired_one_no_longer(on_duty, resident, social_worker):
    category = Category.objects.get(name="辟谣")
    entry = library.entry_create(actor=social_worker, question="喝茶叶水能杀死新冠病毒", answer="茶叶水不能杀死病毒。",
                                 category=category, debunk=Debunk(EntryKind.DEBUNK, "浓茶能把病毒杀死", "市卫健委"))
    assert send(resident, on_duty, "多喝浓茶叶水可以杀死新冠病毒").held_rumour == {}  # a draft is not in the base
    library.entry_publish(actor=social_worker, entry=entry, valid_until=timezone.localdate() + timedelta(days=30))
    held = send(resident, on_duty, "多喝浓茶叶水可以杀死新冠病毒")
    assert held.held_rumour["entry_id"] == entry.pk
    library.entry_retire(actor=social_worker, entry=entry, reason="合并到通用条目")
    assert rumour_base.rumour_index().match("多喝浓茶叶水可以杀死新冠病毒") is None


@pytest.mark.parametrize("body", [
    "王阿姨的电话是139 1234 5678，大家有事找她",
    "3号楼2单元501确诊了，大家小心",
    "我的身份证 11010519491231002X 帮忙登记一下",
])
def test_private_data_is_held_and_the_sender_is_told_to_use_a_private_chat(on_duty, resident, body):
    held = send(resident, on_duty, body)
    assert held.status == MessageStatus.HELD and "private_data" in held.held_categories
    notice = services.held_notice(held)
    assert "个人隐私信息" in notice and "私聊医务值班员" in notice and "不要发在群里" in notice


def test_the_review_page_shows_claim_debunk_source_and_sends_with_one_tap(client, on_duty, resident, social_worker):
    held = send(resident, on_duty, "5G信号塔在传播新冠病毒，赶紧把基站拆了")
    client.force_login(social_worker)
    page = client.get(reverse("groups:moderation", args=[on_duty.pk])).content.decode()
    assert "5G基站会传播新冠病毒" in page and "病毒不能通过无线电波" in page and "发送辟谣" in page
    assert "myth-busters" in page  # the source's link
    response = client.post(reverse("groups:message_action", args=[on_duty.pk, held.pk, "debunk"]))
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == MessageStatus.REJECTED
    reply = Message.objects.filter(sender=social_worker, status=MessageStatus.PUBLISHED).latest("id")
    assert "5G基站会传播新冠病毒" in reply.body
    assert "没有待审消息" in client.get(reverse("groups:moderation", args=[on_duty.pk])).content.decode()


def test_the_debunk_action_is_refused_to_members_and_hidden_from_outsiders(client, on_duty, resident, secretary,
                                                                          outsider):
    held = send(resident, on_duty, "多吃大蒜就不会感染新冠")
    url = reverse("groups:message_action", args=[on_duty.pk, held.pk, "debunk"])
    client.force_login(secretary)
    client.post(url)
    held.refresh_from_db()
    assert held.status == MessageStatus.HELD
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    client.logout()
    assert client.post(url).status_code == 302 and "login" in client.post(url)["Location"]


def test_the_rules_page_lists_the_new_categories_with_what_they_recognise(client, world, social_worker):
    client.force_login(social_worker)
    page = client.get(reverse("groups:rules")).content.decode()
    for label in ("煽动抢购囤积", "煽动不配合防疫", "个人隐私信息", "身份证号（校验位正确）", "一键发送辟谣"):
        assert label in page


def test_the_sender_moves_held_private_data_into_a_private_thread_with_the_text_ready(client, on_duty, resident,
                                                                                      medic):
    body = "王阿姨电话 139 1234 5678，麻烦帮她买药"
    held = send(resident, on_duty, body)
    client.force_login(resident)
    page = client.get(reverse("groups:chat", args=[on_duty.pk])).content.decode()
    assert "发给医务值班员" in page and "个人隐私信息" in page
    response = client.post(reverse("groups:thread_open", args=[on_duty.pk, "medical"]), {"draft": held.body})
    assert response.status_code == 302
    thread_page = client.get(response["Location"]).content.decode()
    assert body in thread_page.split('id="body"', 1)[1].split("</textarea>", 1)[0]  # ready to send, not sent
    assert not Message.objects.filter(thread__isnull=False).exists()
    # The draft is used once.
    assert body not in client.get(response["Location"]).content.decode().split('id="body"', 1)[1].split(
        "</textarea>", 1)[0]
