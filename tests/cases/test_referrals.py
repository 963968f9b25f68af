"""Referrals: from a record the referrer may see, once per record, into the right social workers' inbox."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sanshe.cases.models import Referral
from sanshe.cases.selectors import referral_inbox
from sanshe.cases.services import referral_close, referral_create, referral_take
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.monitoring import screening_services, services
from sanshe.monitoring.models import Alert, FollowUp
from sanshe.monitoring.services import CheckInInput

pytestmark = pytest.mark.django_db
DAY = date(2020, 2, 10)


@pytest.fixture
def alert(world, community_worker):
    period = services.quarantine_register(actor=community_worker, person_id=world.head.pk, kind="home",
                                          start_date=DAY, ordered_how="phone",
                                          now=timezone.make_aware(timezone.datetime(2020, 2, 10, 8)))
    follow_up = FollowUp.objects.filter(period=period).first()
    services.check_in_record(actor=community_worker, follow_up_id=follow_up.pk,
                             data=CheckInInput(temperature_c=38.1, spo2=92), idempotency_key="ref-alert-1",
                             now=timezone.make_aware(timezone.datetime(2020, 2, 10, 9)))
    return Alert.objects.get()


@pytest.fixture
def entry(world, community_worker):
    round_ = screening_services.screening_round_start(actor=community_worker, compound_id=world.compound.pk)
    return screening_services.screening_entry_save(actor=community_worker, round_id=round_.pk,
                                                   household_id=world.household.pk, contact="phone",
                                                   members={world.head.pk: ["severe_anxiety"]})


def test_refer_from_an_alert_lands_in_the_communitys_inbox(alert, world, community_worker, social_worker):
    referral, created = referral_create(actor=community_worker, person_id=world.head.pk, source_kind="alert",
                                        source_id=alert.pk, reason="发热血氧偏低，家属焦虑", urgency="within_24h")
    assert created and referral.community == world.home and referral.building == world.building
    assert referral_inbox(actor=social_worker) == [referral]
    event = AuditEvent.objects.get(action="referral.create")
    assert event.detail == {"source": "alert", "urgency": "within_24h"}


def test_referring_the_same_record_twice_keeps_one(alert, world, community_worker):
    first, _ = referral_create(actor=community_worker, person_id=world.head.pk, source_kind="alert",
                               source_id=alert.pk, reason="发热血氧偏低")
    second, created = referral_create(actor=community_worker, person_id=world.head.pk, source_kind="alert",
                                      source_id=alert.pk, reason="再点一次")
    assert not created and second == first and Referral.objects.count() == 1


def test_a_record_about_someone_else_or_out_of_reach_is_not_found(alert, entry, world, community_worker, outsider):
    with pytest.raises(ObjectNotFound):
        referral_create(actor=community_worker, person_id=world.neighbour.pk, source_kind="alert",
                        source_id=alert.pk, reason="张冠李戴的转介")
    with pytest.raises(ObjectNotFound):
        referral_create(actor=outsider, person_id=world.head.pk, source_kind="screening", source_id=entry.pk,
                        reason="越权转介尝试")


def test_a_reason_is_required(entry, world, community_worker):
    with pytest.raises(ValidationError) as error:
        referral_create(actor=community_worker, person_id=world.head.pk, source_kind="screening",
                        source_id=entry.pk, reason="  ")
    assert "请写明转介原因" in error.value.message_dict["reason"][0]


def test_residents_cannot_refer(entry, world, resident):
    with pytest.raises(ActionForbidden):
        referral_create(actor=resident, person_id=world.head.pk, source_kind="screening", source_id=entry.pk,
                        reason="自己转介自己")


def test_inbox_orders_by_urgency_then_waiting_time(entry, alert, world, community_worker, social_worker):
    routine, _ = referral_create(actor=community_worker, person_id=world.spouse.pk, source_kind="screening",
                                 source_id=entry.pk, reason="独居老人需要买药", urgency="routine")
    older, _ = referral_create(actor=community_worker, person_id=world.head.pk, source_kind="screening",
                               source_id=entry.pk, reason="严重焦虑，失眠多日", urgency="within_24h")
    newer, _ = referral_create(actor=community_worker, person_id=world.head.pk, source_kind="alert",
                               source_id=alert.pk, reason="血氧偏低，本人恐慌", urgency="within_24h")
    now = timezone.now()
    Referral.objects.filter(pk=routine.pk).update(created_at=now - timedelta(hours=10))
    Referral.objects.filter(pk=older.pk).update(created_at=now - timedelta(hours=3))
    Referral.objects.filter(pk=newer.pk).update(created_at=now - timedelta(hours=1))
    assert referral_inbox(actor=social_worker) == [older, newer, routine]


def test_take_and_close(entry, world, community_worker, social_worker):
    referral, _ = referral_create(actor=community_worker, person_id=world.head.pk, source_kind="screening",
                                  source_id=entry.pk, reason="严重焦虑，失眠多日")
    referral_take(actor=social_worker, referral_id=referral.pk)
    assert referral_inbox(actor=social_worker) == []
    assert referral_inbox(actor=social_worker, view="mine") == [referral]
    with pytest.raises(ValidationError):
        referral_close(actor=social_worker, referral_id=referral.pk, note="好")
    referral_close(actor=social_worker, referral_id=referral.pk, note="已评估，进入聚焦服务群")
    referral.refresh_from_db()
    assert referral.status == "closed" and referral.close_note == "已评估，进入聚焦服务群"


def test_only_social_workers_of_the_community_take_referrals(entry, world, community_worker, social_worker,
                                                              outsider):
    referral, _ = referral_create(actor=community_worker, person_id=world.head.pk, source_kind="screening",
                                  source_id=entry.pk, reason="严重焦虑，失眠多日")
    with pytest.raises(ActionForbidden):
        referral_take(actor=community_worker, referral_id=referral.pk)
    from tests.factories import UserFactory, grant

    far_social_worker = UserFactory(username="far-sw")
    grant(far_social_worker, world.other_org, "social_worker", communities=[world.away])
    with pytest.raises(ObjectNotFound):
        referral_take(actor=far_social_worker, referral_id=referral.pk)


# ------------------------------------------------------------------------------------------------ pages

def test_pages_permission_matrix(client, entry, world, community_worker, social_worker, resident):
    referral, _ = referral_create(actor=community_worker, person_id=world.head.pk, source_kind="screening",
                                  source_id=entry.pk, reason="严重焦虑，失眠多日")
    inbox = reverse("cases:referral_inbox")
    assert client.get(inbox).status_code == 302
    client.force_login(community_worker)
    assert client.get(inbox).status_code == 403
    client.force_login(resident)
    assert client.get(inbox).status_code == 403
    client.force_login(social_worker)
    body = client.get(inbox).content.decode()
    assert "张伟" in body and "严重焦虑" in body and "已等待" in body
    assert client.get(reverse("cases:referral_detail", args=[referral.pk])).status_code == 200
    assert client.get(reverse("cases:referral_detail", args=[referral.pk + 99])).status_code == 404


def test_refer_page_from_a_screening_entry(client, entry, world, community_worker):
    client.force_login(community_worker)
    url = (f"{reverse('cases:referral_create')}?source=screening&id={entry.pk}&person={world.head.pk}"
           f"&next=/monitoring/screening/")
    assert "排查中发现" in client.get(url).content.decode()
    response = client.post(reverse("cases:referral_create"), {
        "source": "screening", "source_id": entry.pk, "person": world.head.pk, "reason": "",
        "urgency": "within_24h", "next": "/monitoring/screening/"})
    assert response.status_code == 200 and "请写明转介原因" in response.content.decode()
    response = client.post(reverse("cases:referral_create"), {
        "source": "screening", "source_id": entry.pk, "person": world.head.pk, "reason": "严重焦虑，需要心理支持",
        "urgency": "within_24h", "next": "https://evil.example.com/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert Referral.objects.get().urgency == "within_24h"


def test_inbox_queries_do_not_grow_with_referrals(client, entry, alert, world, community_worker, social_worker):
    client.force_login(social_worker)
    client.get("/")
    referral_create(actor=community_worker, person_id=world.head.pk, source_kind="screening", source_id=entry.pk,
                    reason="严重焦虑，失眠多日")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cases:referral_inbox")).status_code == 200
        return len(queries)

    small = count()
    referral_create(actor=community_worker, person_id=world.spouse.pk, source_kind="screening", source_id=entry.pk,
                    reason="需要买药，子女不在身边")
    referral_create(actor=community_worker, person_id=world.head.pk, source_kind="alert", source_id=alert.pk,
                    reason="血氧偏低，需要社工协调就医")
    assert count() == small
