"""The alert socket follows the user's reach now, not as it was at connect (issue 11, item 4)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from sanshe.accounts import services as accounts
from sanshe.accounts.models import Membership
from sanshe.asgi import application
from sanshe.monitoring import services
from sanshe.monitoring.models import FollowUp
from sanshe.monitoring.services import CheckInInput

from .conftest import DAY, at

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _record(period, worker, data, key):
    follow_up = FollowUp.objects.filter(period=period, date=DAY).order_by("slot").first()
    return services.check_in_record(actor=worker, follow_up_id=follow_up.pk, data=data, idempotency_key=key,
                                    now=at(DAY, 9))


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}".encode()


async def _connect(user):
    communicator = WebsocketCommunicator(application, "/ws/monitoring/alerts/",
                                         headers=[ORIGIN, (b"cookie", await database_sync_to_async(_cookie)(user))])
    connected, code = await communicator.connect()
    return communicator, connected, code


def test_revoking_the_stewards_role_closes_the_alert_socket_at_once(period, community_worker, building_steward,
                                                                    org_admin, monkeypatch, settings):
    settings.SOCKET_RECHECK_SECONDS = 3600  # the control channel closes it, not the periodic re-check
    membership = Membership.objects.get(user=building_steward)

    async def scenario():
        steward, connected, _ = await _connect(building_steward)
        assert connected
        await database_sync_to_async(accounts.membership_revoke)(actor=org_admin, membership_id=membership.pk)
        closed = await steward.receive_output(timeout=5)
        assert (closed["type"], closed["code"]) == ("websocket.close", 4403)
        await database_sync_to_async(_record)(period, community_worker, CheckInInput(spo2=88), "after-revoke")
        assert await steward.receive_nothing(timeout=0.3)

    async_to_sync(scenario)()


def test_an_alert_raised_after_the_reach_is_gone_is_not_delivered(period, community_worker, building_steward,
                                                                  monkeypatch, settings):
    settings.SOCKET_RECHECK_SECONDS = 0  # every push is checked

    def withdraw_in_admin_site():
        # A change that sends no message (the Django admin, another process): the push itself must notice.
        Membership.objects.filter(user=building_steward).update(is_active=False)

    async def scenario():
        steward, connected, _ = await _connect(building_steward)
        worker, connected2, _ = await _connect(community_worker)
        assert connected and connected2
        await database_sync_to_async(withdraw_in_admin_site)()
        await database_sync_to_async(_record)(period, community_worker, CheckInInput(spo2=88), "after-withdraw")
        assert (await worker.receive_json_from(timeout=5))["title"] == "血氧饱和度低于90%"
        closed = await steward.receive_output(timeout=5)
        assert (closed["type"], closed["code"]) == ("websocket.close", 4403)
        await worker.disconnect()

    async_to_sync(scenario)()


def test_a_deactivated_account_gets_no_catch_up(period, community_worker, org_admin, monkeypatch, settings):
    """The consumer does not poll (alerts are pushed); what a page missed comes as a catch-up on connect, and
    only to an account that still holds the access."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    worker_id = community_worker.pk

    def deactivate_quietly_then_raise():
        from sanshe.accounts.models import User

        monkeypatch.setattr("sanshe.monitoring.notify.alert_broadcast", lambda alert_id: None)
        _record(period, community_worker, CheckInInput(temperature_c=37.9), "missed-while-away")
        User.objects.filter(pk=worker_id).update(is_active=False)

    async def scenario():
        await database_sync_to_async(deactivate_quietly_then_raise)()
        communicator = WebsocketCommunicator(
            application, "/ws/monitoring/alerts/?after=0",
            headers=[ORIGIN, (b"cookie", await database_sync_to_async(_cookie)(community_worker))])
        connected, code = await communicator.connect()
        assert not connected and code == 4401

    async_to_sync(scenario)()
