"""Alerts: the right queue (steward, community, medics for urgent ones), take and resolve, real time."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from sanshe.asgi import application
from sanshe.core.errors import ObjectNotFound
from sanshe.core.gate import forget_scope
from sanshe.core.models import AuditEvent
from sanshe.monitoring import consumers, services
from sanshe.monitoring.models import Alert, FollowUp
from sanshe.monitoring.selectors import alert_list
from sanshe.monitoring.services import CheckInInput

from .conftest import DAY, at

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _record(period, worker, data, key="k-0000001"):
    follow_up = FollowUp.objects.filter(period=period, date=DAY).order_by("slot").first()
    return services.check_in_record(actor=worker, follow_up_id=follow_up.pk, data=data, idempotency_key=key,
                                    now=at(DAY, 9))


@pytest.mark.django_db
def test_the_queue_shows_emergencies_first_then_the_longest_waiting(period, world, community_worker, morning):
    other = services.quarantine_register(actor=community_worker, person_id=world.neighbour.pk, kind="home",
                                         start_date=DAY, ordered_how="phone", now=morning)
    _record(period, community_worker, CheckInInput(temperature_c=37.6), key="notice-1")
    _record(other, community_worker, CheckInInput(temperature_c=37.0, spo2=89), key="emergency-1")
    assert [a.level for a in alert_list(actor=community_worker)] == [3, 1]


@pytest.mark.django_db
def test_medics_see_urgent_alerts_of_their_communities_only(period, world, community_worker, medic, morning):
    medic.memberships.get().communities.set([world.home])
    _record(period, community_worker, CheckInInput(temperature_c=37.6), key="notice-2")
    assert alert_list(actor=medic) == []
    _record(period, community_worker, CheckInInput(temperature_c=37.6, spo2=92), key="urgent-2")
    forget_scope(medic)
    assert [a.level for a in alert_list(actor=medic)] == [2]


@pytest.mark.django_db
def test_take_then_resolve_with_an_outcome(period, community_worker, social_worker):
    _record(period, community_worker, CheckInInput(temperature_c=38.0))
    alert = Alert.objects.get()
    services.alert_take(actor=social_worker, alert_id=alert.pk)
    with pytest.raises(ValidationError, match="已由"):
        services.alert_take(actor=community_worker, alert_id=alert.pk)
    with pytest.raises(ValidationError) as error:
        services.alert_resolve(actor=community_worker, alert_id=alert.pk, outcome="other", note="")
    assert "写明处理情况" in error.value.message_dict["note"][0]
    services.alert_resolve(actor=community_worker, alert_id=alert.pk, outcome="remeasured", note="半小时后复测36.8℃")
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolved_by == community_worker
    assert alert.taken_by == social_worker
    assert list(AuditEvent.objects.filter(action__startswith="alert.").values_list("action", flat=True)) == [
        "alert.resolve", "alert.take", "alert.raise"]


@pytest.mark.django_db
def test_out_of_scope_alerts_are_not_found(period, community_worker, outsider):
    _record(period, community_worker, CheckInInput(temperature_c=38.0))
    alert = Alert.objects.get()
    with pytest.raises(ObjectNotFound):
        services.alert_take(actor=outsider, alert_id=alert.pk)


# ---------------------------------------------------------------------------------------------- real time

def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def _connect(user=None):
    headers = [ORIGIN] + ([(b"cookie", await database_sync_to_async(_cookie)(user))] if user else [])
    communicator = WebsocketCommunicator(application, "/ws/monitoring/alerts/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


@pytest.mark.django_db(transaction=True)
def test_an_alert_reaches_the_steward_the_moment_it_is_committed(period, community_worker, building_steward,
                                                                 outsider, monkeypatch):

    async def scenario():
        steward, connected, _code = await _connect(building_steward)
        assert connected
        stranger, connected, _code = await _connect(outsider)
        assert connected
        await database_sync_to_async(_record)(period, community_worker,
                                              CheckInInput(temperature_c=38.3, spo2=88), "push-key-1")
        message = await steward.receive_json_from(timeout=5)
        assert message["type"] == "alert" and message["level"] == 3
        assert message["title"] == "血氧饱和度低于90%"
        assert message["person"] == "张伟" and message["place"] == "1栋-1单元-101"
        assert await stranger.receive_nothing(timeout=0.3)
        await steward.disconnect()
        await stranger.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_page_that_was_away_catches_up_on_connect(period, community_worker, monkeypatch, settings):
    """No database poll in the consumer: an alert raised while the page was away (never pushed to it) arrives
    as the catch-up when the page connects with the last alert id it shows."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert not hasattr(consumers, "POLL_SECONDS")

    def raise_elsewhere():
        # As if raised while this page was asleep: committed, never pushed to it.
        monkeypatch.setattr("sanshe.monitoring.notify.alert_broadcast", lambda alert_id: None)
        _record(period, community_worker, CheckInInput(temperature_c=37.9), "away-key-1")

    async def scenario():
        await database_sync_to_async(raise_elsewhere)()
        fresh, connected, _code = await _connect(community_worker)  # a new page shows it from its HTML
        assert connected
        assert await fresh.receive_nothing(timeout=0.3)
        headers = [ORIGIN, (b"cookie", await database_sync_to_async(_cookie)(community_worker))]
        back = WebsocketCommunicator(application, "/ws/monitoring/alerts/?after=0", headers=headers)
        connected, _code = await back.connect()
        assert connected
        message = await back.receive_json_from(timeout=5)
        assert message["level"] == 1 and message["title"] == "发热"
        assert await back.receive_nothing(timeout=0.3)  # once
        await fresh.disconnect()
        await back.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_anonymous_and_residents_get_no_alert_socket(period, resident):
    async def scenario():
        _communicator, connected, code = await _connect()
        assert not connected and code == 4401
        _communicator, connected, code = await _connect(resident)
        assert not connected and code == 4403

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_an_escalation_is_pushed_again_but_a_repeat_is_not(period, community_worker, building_steward, monkeypatch):

    async def scenario():
        steward, connected, _code = await _connect(building_steward)
        assert connected
        await database_sync_to_async(_record)(period, community_worker, CheckInInput(temperature_c=37.6), "esc-key-1")
        first = await steward.receive_json_from(timeout=5)
        assert first["level"] == 1
        # The same level again: the open alert is updated quietly.
        await database_sync_to_async(_record)(period, community_worker, CheckInInput(temperature_c=37.8), "esc-key-2")
        assert await steward.receive_nothing(timeout=0.3)
        # More severe: pushed again, same alert.
        await database_sync_to_async(_record)(period, community_worker, CheckInInput(temperature_c=37.8, spo2=88),
                                              "esc-key-3")
        again = await steward.receive_json_from(timeout=5)
        assert again["id"] == first["id"] and again["level"] == 3
        await steward.disconnect()

    async_to_sync(scenario)()
