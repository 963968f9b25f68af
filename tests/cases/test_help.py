"""Residents' 求助: a self_help referral for themself, limited, with its status visible to them."""

from __future__ import annotations

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


def test_one_open_request_at_a_time_and_three_a_day(world, resident, social_worker):
    first = _ask(resident)
    with pytest.raises(ValidationError, match="还在处理中"):
        _ask(resident, now=NOW + timedelta(minutes=5))
    referral_close(actor=social_worker, referral_id=first.referral_id, note="已电话联系，问题已解决")
    second = _ask(resident, now=NOW + timedelta(hours=1))
    referral_close(actor=social_worker, referral_id=second.referral_id, note="已电话联系，问题已解决")
    third = _ask(resident, now=NOW + timedelta(hours=2))
    referral_close(actor=social_worker, referral_id=third.referral_id, note="已电话联系，问题已解决")
    with pytest.raises(ValidationError, match="上限"):
        _ask(resident, now=NOW + timedelta(hours=3))
    assert _ask(resident, now=NOW + timedelta(hours=25)).pk


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
