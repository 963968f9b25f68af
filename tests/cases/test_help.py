"""Residents' 求助: a self_help referral for themself, limited, with its status visible to them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sanshe.cases.models import HelpRequest, Referral
from sanshe.cases.services import help_request_create, referral_close, referral_create, referral_take_next
from sanshe.cases.sources import SOURCES
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.models import AuditEvent

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _ask(resident, **kwargs):
    data = {"kinds": ["emotion", "medical"], "text": "一个人在家，很焦虑，降压药也快吃完了", "urgency": "today"}
    data.update(kwargs)
    return help_request_create(actor=resident, now=kwargs.pop("now", NOW), **{k: v for k, v in data.items()
                                                                           if k != "now"})


def test_a_request_becomes_a_self_help_referral_for_the_residents_own_person(world, resident, social_worker):
    request = _ask(resident)
    referral = request.referral
    assert referral.person == world.head and referral.source_kind == "self_help" and referral.source_id == request.pk
    assert referral.urgency == "within_24h" and referral.community == world.home and referral.created_by == resident
    assert "情绪、医疗" in referral.reason and "降压药" in referral.reason
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"help_request.create", "referral.create"}
    assert referral_take_next(actor=social_worker, now=NOW).referral_id == referral.pk


def test_urgent_requests_are_immediate_and_text_the_social_workers(world, resident, social_worker, sms,
                                                                   django_capture_on_commit_callbacks):
    social_worker.phone = "13900000001"
    social_worker.save()
    with django_capture_on_commit_callbacks(execute=True):
        request = _ask(resident, urgency="urgent")
    assert request.referral.urgency == "immediate"
    assert any("需立即处理" in message for _phone, message in sms)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kinds": []}, "kinds"), ({"kinds": ["money"]}, "kinds"), ({"text": "救"}, "text"),
    ({"text": "长" * 1001}, "text"), ({"urgency": "soon"}, "urgency"),
])
def test_bad_input_saves_nothing(resident, kwargs, field):
    with pytest.raises(ValidationError) as error:
        _ask(resident, **kwargs)
    assert field in error.value.message_dict
    assert not HelpRequest.objects.exists() and not Referral.objects.exists()


def test_a_new_request_after_the_last_one_was_closed_is_a_new_referral_and_none_is_refused(world, resident,
                                                                                         social_worker):
    first = _ask(resident)
    referral_close(actor=social_worker, referral_id=first.referral_id, note="已电话联系，问题已解决")
    # No daily cap either: four requests in an hour are all accepted.
    requests = [_ask(resident, text=f"第{n}次：家里没有菜了，也出不了门", now=NOW + timedelta(minutes=10 * n))
                for n in range(1, 5)]
    assert requests[0].referral_id != first.referral_id and not requests[0].is_attached
    assert {r.referral_id for r in requests} == {requests[0].referral_id}
    assert all(r.is_attached for r in requests[1:]) and HelpRequest.objects.count() == 5


# ------------------------------------------------------------------------- a second request: attached, never refused

INSULIN = "胰岛素两天后就用完了，药店买不到"


def test_a_second_request_is_attached_to_the_open_one_and_raises_its_urgency(world, resident):
    first = _ask(resident, kinds=["emotion"], text="一个人在家，有点焦虑", urgency="routine")
    second = _ask(resident, kinds=["medicine"], text=INSULIN, urgency="routine", now=NOW + timedelta(hours=2))
    referral = Referral.objects.get()
    assert second.referral_id == first.referral_id == referral.pk and referral.source_id == first.pk
    assert second.is_attached and not first.is_attached
    # Insulin running out is an urgent medicine need whatever the resident chose: within 24 hours.
    assert second.urgency == "within_24h" and second.raised_urgency
    assert referral.urgency == "within_24h" and referral.urgency_rank == 2
    assert "有点焦虑" in referral.reason and "追加求助" in referral.reason and "胰岛素" in referral.reason
    assert second.kinds == ["medicine"] and second.text == INSULIN
    event = AuditEvent.objects.get(action="help_request.attach")
    assert event.detail["referral"] == referral.pk and event.detail["raised"] is True
    assert event.detail["from"] == "routine" and event.detail["urgency"] == "within_24h" and event.detail["by_rule"]


def test_attaching_never_lowers_the_urgency(world, resident):
    _ask(resident, kinds=["medical"], text="胸口很闷，喘不上气", urgency="today")
    later = _ask(resident, kinds=["supplies"], text="另外家里也没有米了", urgency="routine",
                 now=NOW + timedelta(minutes=30))
    referral = Referral.objects.get()
    assert referral.urgency == "immediate"  # breathing difficulty: a danger to life, immediate from the start
    assert later.urgency == "routine" and not later.raised_urgency
    assert AuditEvent.objects.get(action="help_request.attach").detail["raised"] is False


def test_the_same_request_sent_twice_is_one_entry(world, resident):
    first = _ask(resident)
    again = _ask(resident, now=NOW + timedelta(minutes=1))
    assert again.pk == first.pk and HelpRequest.objects.count() == 1


def test_attaching_to_a_taken_request_raises_the_case_and_texts_its_social_worker(
        world, resident, social_worker, social_worker2, sms, django_capture_on_commit_callbacks, settings):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from sanshe.groups.events import user_channel

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    social_worker.phone = "13900000001"
    social_worker.save()
    first = _ask(resident, kinds=["emotion"], text="一个人在家，有点焦虑", urgency="routine")
    case = referral_take_next(actor=social_worker, now=NOW)
    assert case.urgency == "routine"
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_channel(social_worker.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        second = _ask(resident, kinds=["medicine"], text="胰岛素已经用完了", urgency="today",
                      now=NOW + timedelta(hours=3))
    case.refresh_from_db()
    assert second.referral_id == first.referral_id and case.urgency == "immediate" and case.urgency_rank == 3
    assert Referral.objects.get().urgency == "immediate"
    message = async_to_sync(layer.receive)(channel)
    assert message["data"]["kind"] == "cases.help_request" and message["data"]["href"] == f"/cases/{case.pk}/"
    assert "紧急程度已提高" in message["data"]["text"] and world.head.name not in message["data"]["text"]
    # The SMS goes to the one who has it, not to every social worker of the community.
    assert [phone for phone, _text in sms] == ["13900000001"]
    detail = AuditEvent.objects.get(action="help_request.attach").detail
    assert detail["case"] == case.pk and detail["case_raised"] is True and detail["case_from"] == "routine"


def test_attaching_to_a_waiting_request_tells_the_communitys_social_workers(
        world, resident, social_worker, social_worker2, sms, django_capture_on_commit_callbacks):
    for user, phone in ((social_worker, "13900000001"), (social_worker2, "13900000222")):
        user.phone = phone
        user.save()
    _ask(resident, urgency="routine")
    with django_capture_on_commit_callbacks(execute=True):
        _ask(resident, kinds=["medicine"], text="胰岛素今天就用完了", urgency="routine", now=NOW + timedelta(hours=1))
    assert sorted(phone for phone, _text in sms) == ["13900000001", "13900000222"]
    assert all("需立即处理" in text for _phone, text in sms)


def test_the_help_handler_is_the_case_owner_or_nobody_while_waiting(world, resident, social_worker):
    from sanshe.cases.selectors import help_handler

    first = _ask(resident)
    assert help_handler(referral=first.referral) is None
    referral_take_next(actor=social_worker, now=NOW)
    first.referral.refresh_from_db()
    assert help_handler(referral=first.referral) == social_worker


def test_only_residents_with_a_person_record_may_ask(social_worker, community_worker):
    with pytest.raises(ActionForbidden):
        _ask(social_worker)


def test_the_self_help_source_checker(world, resident, social_worker, community_worker, outsider):
    request = _ask(resident)
    check = SOURCES["self_help"]
    assert check(resident, world.head.pk, request.pk) == world.head
    assert check(social_worker, world.head.pk, request.pk) == world.head
    for actor in (community_worker, outsider):
        with pytest.raises(ObjectNotFound):
            check(actor, world.head.pk, request.pk)
    with pytest.raises(ObjectNotFound):
        check(resident, world.spouse.pk, request.pk)
    # Staff may refer again from it (same record: the open referral comes back).
    again, created = referral_create(actor=social_worker, person_id=world.head.pk, source_kind="self_help",
                                     source_id=request.pk, reason="再次转介本人求助")
    assert not created and again.pk == request.referral_id


def test_the_form_on_the_phone(client, world, resident, social_worker):
    client.force_login(resident)
    url = reverse("cases:help_request")
    page = client.get(url)
    assert page.status_code == 200 and "需要哪方面的帮助" in page.content.decode()
    bad = client.post(url, {"kinds": ["emotion"], "text": "救", "urgency": "today"})
    assert bad.status_code == 400 and "至少4个字" in bad.content.decode()
    assert 'value="emotion" checked' in bad.content.decode() or "checked" in bad.content.decode()
    ok = client.post(url, {"kinds": ["emotion"], "text": "这几天睡不着，很害怕", "urgency": "today"}, follow=True)
    body = ok.content.decode()
    assert "求助已发送" in body and "等待社工接收" in body
    referral_take_next(actor=social_worker)
    assert "社工已接收，正在跟进" in client.get(url).content.decode()


def test_the_form_permissions(client, social_worker):
    url = reverse("cases:help_request")
    assert client.get(url).status_code == 302
    client.force_login(social_worker)
    assert client.get(url).status_code == 403


# ------------------------------------------------------------------------------------------------- the pages

def test_a_second_request_on_the_form_is_accepted_and_says_who_has_it(client, world, resident, social_worker):
    client.force_login(resident)
    url = reverse("cases:help_request")
    page = client.get(url).content.decode()
    assert "买药" in page and "生活物资" in page  # offered as kinds of their own
    client.post(url, {"kinds": ["emotion"], "text": "一个人在家，有点焦虑", "urgency": "routine"})
    waiting = client.get(url).content.decode()
    assert "正在等待社工接收" in waiting and "并入这条求助" in waiting
    referral_take_next(actor=social_worker)

    answer = client.post(url, {"kinds": ["medicine"], "text": "胰岛素两天后就用完了", "urgency": "today"}, follow=True)
    body = answer.content.decode()
    assert answer.status_code == 200 and "还在处理中" not in body
    assert f"已并入您正在处理中的求助，由社工{social_worker.display_name}负责" in body
    assert "提高处理的紧急程度" in body and "请立即拨打120" in body
    assert "已并入上一条求助" in body and "买药：胰岛素两天后就用完了" in body
    request = HelpRequest.objects.order_by("-pk").first()
    assert request.text == "胰岛素两天后就用完了" and request.kinds == ["medicine"] and request.is_attached


def test_a_bad_second_request_keeps_what_was_typed(client, world, resident):
    client.force_login(resident)
    url = reverse("cases:help_request")
    client.post(url, {"kinds": ["emotion"], "text": "一个人在家，有点焦虑", "urgency": "routine"})
    bad = client.post(url, {"kinds": [], "text": "胰岛素两天后就用完了", "urgency": "today"})
    body = bad.content.decode()
    assert bad.status_code == 400 and "请选择需要哪方面的帮助" in body
    assert "胰岛素两天后就用完了</textarea>" in body
    assert re.search(r'value="today"[^>]*checked', body) and not re.search(r'value="routine"[^>]*checked', body)
    assert HelpRequest.objects.count() == 1


def test_staff_see_every_entry_of_the_request_on_the_referral_and_the_case(client, world, resident, social_worker):
    _ask(resident, kinds=["emotion"], text="一个人在家，有点焦虑", urgency="routine")
    case = referral_take_next(actor=social_worker, now=NOW)
    _ask(resident, kinds=["medicine"], text=INSULIN, urgency="routine", now=NOW + timedelta(hours=1))
    client.force_login(social_worker)
    detail = client.get(reverse("cases:referral_detail", args=[case.referral_id])).content.decode()
    assert "本人求助（2 条）" in detail and "有点焦虑" in detail and INSULIN in detail
    assert "这条求助提高了紧急程度" in detail and "不能断的药：胰岛素" in detail and "24小时内处理" in detail
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'id="help-requests"' in page and INSULIN in page and "买药" in page
