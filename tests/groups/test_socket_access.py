"""Chat sockets hold exactly the access a page request would have, now (issue 11, item 4), and a group admin
reading a private thread by socket is audited (item 8). Through the real ASGI app and in-memory layer."""

from __future__ import annotations

import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from sanshe.accounts import services as accounts
from sanshe.accounts.middleware import LAST_SEEN_KEY
from sanshe.accounts.models import Membership
from sanshe.asgi import application
from sanshe.core.models import AuditEvent
from sanshe.groups import services
from sanshe.groups.models import DutyKind, Group
from sanshe.volunteers.services import agreement_publish
from tests.factories import Role, UserFactory, grant

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cookie(client: Client) -> bytes:
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}".encode()


async def _open(path: str, user=None, client: Client | None = None):
    if client is None and user is not None:
        client = await database_sync_to_async(_login)(user)
    headers = [ORIGIN] + ([(b"cookie", _cookie(client))] if client else [])
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def _closed_with(socket) -> int:
    """The close code the socket gets next (skipping any pushes before it)."""
    while True:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output["code"]


def _say(user, group, text):
    return services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=text).message


@pytest.fixture
def slow_recheck(settings):
    """Pushes reuse a socket's last check for an hour: whatever closes a socket here is the control channel
    or a client action, never the periodic re-check."""
    settings.SOCKET_RECHECK_SECONDS = 3600


def test_deactivating_a_user_closes_all_their_sockets_at_once(on_duty, counsellor, org_admin, social_worker,
                                                              slow_recheck):
    async def scenario():
        browser = await database_sync_to_async(_login)(counsellor)
        chat, connected, _ = await _open(f"/ws/groups/{on_duty.pk}/", client=browser)
        notices, connected2, _ = await _open("/ws/notifications/", client=browser)
        assert connected and connected2
        await database_sync_to_async(accounts.user_deactivate)(actor=org_admin, user_id=counsellor.pk)
        assert await _closed_with(chat) == 4401
        assert await _closed_with(notices) == 4401
        await database_sync_to_async(_say)(social_worker, on_duty, "停用之后的消息")
        assert await chat.receive_nothing(timeout=0.3)
        # Nor can the account open a new one with its old session cookie.
        _s, connected, code = await _open("/ws/notifications/", client=browser)
        assert (connected, code) == (False, 4401)

    async_to_sync(scenario)()


def test_revoking_the_role_that_gave_access_closes_the_socket(resident_group, world, org_admin, community_worker,
                                                              slow_recheck):
    # A second community worker of the community runs the resident group through her role alone.
    colleague = UserFactory(username="colleague")
    membership = grant(colleague, world.org, Role.COMMUNITY_WORKER, communities=[world.home],
                       worker_kind="community_staff")

    async def scenario():
        chat, connected, _ = await _open(f"/ws/groups/{resident_group.pk}/", colleague)
        notices, _, _ = await _open("/ws/notifications/", colleague)
        assert connected
        await database_sync_to_async(accounts.membership_revoke)(actor=org_admin, membership_id=membership.pk)
        assert await _closed_with(chat) == 4404
        await database_sync_to_async(_say)(community_worker, resident_group, "撤销之后的消息")
        assert await chat.receive_nothing(timeout=0.3)
        # Her account is still active and logged in: her own notices keep coming.
        await notices.send_json_to({"type": "ping"})
        assert await notices.receive_json_from(timeout=5) == {"type": "pong"}
        await notices.disconnect()

    async_to_sync(scenario)()
    assert not Membership.objects.get(pk=membership.pk).is_active


def test_revoking_a_counsellors_role_closes_their_group_and_thread_sockets(on_duty, resident, counsellor, org_admin,
                                                                         slow_recheck):
    thread = services.thread_open(actor=resident, group=on_duty, kind=DutyKind.PSYCHOLOGICAL)
    membership = Membership.objects.get(user=counsellor, role=Role.COUNSELLOR)

    async def scenario():
        group_socket, connected, _ = await _open(f"/ws/groups/{on_duty.pk}/", counsellor)
        thread_socket, connected2, _ = await _open(f"/ws/groups/threads/{thread.pk}/", counsellor)
        assert connected and connected2
        await database_sync_to_async(accounts.membership_revoke)(actor=org_admin, membership_id=membership.pk)
        assert await _closed_with(group_socket) == 4404
        assert await _closed_with(thread_socket) == 4404
        # Still a member of the group in the counsellor's role, but without the account role: no way back in.
        _s, connected, code = await _open(f"/ws/groups/threads/{thread.pk}/", counsellor)
        assert (connected, code) == (False, 4404)

    async_to_sync(scenario)()
    browser = _login(counsellor)
    assert browser.get(reverse("groups:thread", args=[thread.pk])).status_code == 404
    assert browser.get(reverse("groups:chat", args=[on_duty.pk])).status_code == 404


def test_logging_out_closes_that_sessions_sockets_only(on_duty, resident, slow_recheck):
    async def scenario():
        phone = await database_sync_to_async(_login)(resident)
        laptop = await database_sync_to_async(_login)(resident)
        on_phone, connected, _ = await _open(f"/ws/groups/{on_duty.pk}/", client=phone)
        on_laptop, connected2, _ = await _open(f"/ws/groups/{on_duty.pk}/", client=laptop)
        assert connected and connected2
        response = await database_sync_to_async(phone.post)(reverse("accounts:logout"))
        assert response.status_code == 302
        assert await _closed_with(on_phone) == 4401
        await on_laptop.send_json_to({"type": "ping"})
        assert await on_laptop.receive_json_from(timeout=5) == {"type": "pong"}
        await on_laptop.disconnect()
        # The logged-out cookie opens nothing any more.
        _s, connected, code = await _open(f"/ws/groups/{on_duty.pk}/", client=phone)
        assert (connected, code) == (False, 4401)

    async_to_sync(scenario)()


def _age(client: Client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_an_idle_expired_session_opens_no_socket_and_an_open_one_closes(on_duty, resident, settings):
    settings.SOCKET_RECHECK_SECONDS = 0

    async def scenario():
        idle = await database_sync_to_async(_login)(resident)
        # A resident's session ends after RESIDENT_SESSION_IDLE_TIMEOUT (days), a staff one's after minutes.
        await database_sync_to_async(_age)(idle, django_settings.RESIDENT_SESSION_IDLE_TIMEOUT + 5)
        _s, connected, code = await _open(f"/ws/groups/{on_duty.pk}/", client=idle)
        assert (connected, code) == (False, 4401)
        _s, connected, code = await _open("/ws/notifications/", client=idle)
        assert (connected, code) == (False, 4401)

        active = await database_sync_to_async(_login)(resident)
        socket, connected, _ = await _open(f"/ws/groups/{on_duty.pk}/", client=active)
        assert connected
        await database_sync_to_async(_age)(active, django_settings.RESIDENT_SESSION_IDLE_TIMEOUT + 5)
        await socket.send_json_to({"type": "ping"})  # the page's heartbeat: no pong for an idle session
        assert await _closed_with(socket) == 4401

    async_to_sync(scenario)()


def test_sending_over_the_socket_counts_as_using_the_session(on_duty, resident):
    async def scenario():
        client = await database_sync_to_async(_login)(resident)
        await database_sync_to_async(_age)(client, 600)
        socket, connected, _ = await _open(f"/ws/groups/{on_duty.pk}/", client=client)
        assert connected
        await socket.send_json_to({"type": "send", "client_id": "u-1", "body": "我还在"})
        assert (await socket.receive_json_from(timeout=5))["type"] == "ack"
        await socket.disconnect()
        return client

    client = async_to_sync(scenario)()
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 60


def _lapse_clearance(org_admin, world) -> None:
    """A new confidentiality agreement: volunteers who have not signed it are uncleared (no message is sent)."""
    agreement_publish(actor=org_admin, organisation_id=world.org.pk, title="保密协议（2026修订）",
                      body="新版本的保密协议正文。")


def _withdraw_in_admin_site(user) -> None:
    """A change that sends no message (the Django admin, another process without a shared layer)."""
    Membership.objects.filter(user=user).update(is_active=False)


def test_catch_up_after_losing_access_returns_nothing(on_duty, secretary, social_worker, slow_recheck):
    async def scenario():
        socket, connected, _ = await _open(f"/ws/groups/{on_duty.pk}/", secretary)
        assert connected
        await database_sync_to_async(_withdraw_in_admin_site)(secretary)
        await database_sync_to_async(_say)(social_worker, on_duty, "服务对象的情况")
        await socket.send_json_to({"type": "hello", "last_seq": 0})
        outputs = []
        while (output := await socket.receive_output(timeout=5))["type"] != "websocket.close":
            outputs.append(output)
        assert output["code"] == 4404
        assert not any("服务对象的情况" in o.get("text", "") for o in outputs)

    async_to_sync(scenario)()


def test_a_push_after_access_is_lost_is_not_delivered(on_duty, secretary, resident, social_worker, settings):
    settings.SOCKET_RECHECK_SECONDS = 0  # every push is checked

    async def scenario():
        volunteer, connected, _ = await _open(f"/ws/groups/{on_duty.pk}/", secretary)
        client, connected2, _ = await _open(f"/ws/groups/{on_duty.pk}/", resident)
        assert connected and connected2
        await database_sync_to_async(_withdraw_in_admin_site)(secretary)
        await database_sync_to_async(_say)(social_worker, on_duty, "只给仍有权限的人")
        received = await client.receive_json_from(timeout=5)
        assert received["data"]["message"]["body"] == "只给仍有权限的人"
        assert await _closed_with(volunteer) == 4404
        await client.disconnect()

    async_to_sync(scenario)()


def test_a_new_agreement_closes_the_sockets_of_volunteers_who_have_not_signed_it(
        on_duty, resident, counsellor, org_admin, world, slow_recheck):
    thread = services.thread_open(actor=resident, group=on_duty, kind=DutyKind.PSYCHOLOGICAL)

    async def scenario():
        helper, connected, _ = await _open(f"/ws/groups/threads/{thread.pk}/", counsellor)
        client, connected2, _ = await _open(f"/ws/groups/threads/{thread.pk}/", resident)
        assert connected and connected2
        await database_sync_to_async(_lapse_clearance)(org_admin, world)
        assert await _closed_with(helper) == 4404
        await client.send_json_to({"type": "send", "client_id": "p-1", "body": "我最近睡不着"})
        assert (await client.receive_json_from(timeout=5))["type"] == "ack"
        assert await helper.receive_nothing(timeout=0.3)
        await client.disconnect()

    async_to_sync(scenario)()


# ------------------------------------------------------------------------------------- item 8: audit

def _thread_reads(thread) -> int:
    return AuditEvent.objects.filter(action="groups.thread.read", object_id=str(thread.pk)).count()


def test_the_admin_reading_a_private_thread_by_socket_is_audited_per_connect_and_catch_up(
        on_duty, resident, counsellor, social_worker, slow_recheck):
    thread = services.thread_open(actor=resident, group=on_duty, kind=DutyKind.PSYCHOLOGICAL)
    services.message_send(actor=resident, group=on_duty, thread=thread, body="我想单独聊聊")

    async def scenario():
        client, _, _ = await _open(f"/ws/groups/threads/{thread.pk}/", resident)
        helper, _, _ = await _open(f"/ws/groups/threads/{thread.pk}/", counsellor)
        await client.send_json_to({"type": "hello", "last_seq": 0})
        assert len((await client.receive_json_from(timeout=5))["events"]) == 1
        admin, connected, _ = await _open(f"/ws/groups/threads/{thread.pk}/", social_worker)
        assert connected
        after_connect = await database_sync_to_async(_thread_reads)(thread)
        for n in range(3):
            await client.send_json_to({"type": "send", "client_id": f"a-{n}", "body": f"第{n}句"})
            await admin.receive_json_from(timeout=5)
        after_pushes = await database_sync_to_async(_thread_reads)(thread)
        await admin.send_json_to({"type": "hello", "last_seq": 0})
        caught = await admin.receive_json_from(timeout=5)
        assert len(caught["events"]) == 4
        after_catch_up = await database_sync_to_async(_thread_reads)(thread)
        await admin.send_json_to({"type": "hello", "last_seq": caught["events"][-1]["seq"]})
        assert (await admin.receive_json_from(timeout=5))["events"] == []
        after_empty = await database_sync_to_async(_thread_reads)(thread)
        for socket in (client, helper, admin):
            await socket.disconnect()
        return after_connect, after_pushes, after_catch_up, after_empty

    # The participants' reads are not audited; the admin's connect is, once; pushes are not one row each; a
    # catch-up that returns messages is; an empty one is not.
    assert async_to_sync(scenario)() == (1, 1, 2, 2)
    event = AuditEvent.objects.filter(action="groups.thread.read").first()
    assert event.actor_id == social_worker.pk


def test_the_admin_reading_a_private_thread_by_poll_or_history_is_audited(on_duty, resident, counsellor,
                                                                          social_worker):
    thread = services.thread_open(actor=resident, group=on_duty, kind=DutyKind.PSYCHOLOGICAL)
    message = services.message_send(actor=resident, group=on_duty, thread=thread, body="不想让别人知道").message
    events_url = reverse("groups:thread", args=[thread.pk]) + "events/"
    history_url = reverse("groups:thread", args=[thread.pk]) + "history/"

    for participant in (resident, counsellor):
        browser = _login(participant)
        assert browser.get(events_url + "?after=0").json()["events"]
        assert "不想让别人知道" in browser.get(history_url).content.decode()
    assert _thread_reads(thread) == 0

    admin = _login(social_worker)
    assert admin.get(events_url + "?after=0").json()["events"][0]["message"]["body"] == "不想让别人知道"
    assert _thread_reads(thread) == 1
    assert admin.get(events_url + f"?after={message.seq}").json()["events"] == []  # nothing read: no row
    assert _thread_reads(thread) == 1
    assert "不想让别人知道" in admin.get(history_url).content.decode()
    assert _thread_reads(thread) == 2


def test_revoking_the_group_admins_social_worker_role_ends_their_admin_rights(on_duty, resident, counsellor,
                                                                             social_worker, org_admin, slow_recheck):
    """The group's admin is its social worker: once that account role is revoked, being recorded as the
    group's admin (or holding the admin/social-worker member role) opens neither the group nor its private
    counselling threads, by page or socket."""
    from sanshe.core.errors import ObjectNotFound
    from sanshe.groups import selectors

    assert on_duty.admin_id == social_worker.pk
    thread = services.thread_open(actor=resident, group=on_duty, kind=DutyKind.PSYCHOLOGICAL)
    membership = Membership.objects.get(user=social_worker, role=Role.SOCIAL_WORKER)

    async def scenario():
        group_socket, connected, _ = await _open(f"/ws/groups/{on_duty.pk}/", social_worker)
        thread_socket, connected2, _ = await _open(f"/ws/groups/threads/{thread.pk}/", social_worker)
        assert connected and connected2
        await database_sync_to_async(accounts.membership_revoke)(actor=org_admin, membership_id=membership.pk)
        assert await _closed_with(group_socket) == 4404
        assert await _closed_with(thread_socket) == 4404
        _s, connected, code = await _open(f"/ws/groups/{on_duty.pk}/", social_worker)
        assert (connected, code) == (False, 4404)

    async_to_sync(scenario)()
    social_worker = type(social_worker).objects.get(pk=social_worker.pk)  # a new request's user, no cached scope
    with pytest.raises(ObjectNotFound):
        selectors.access_group(actor=social_worker, group_id=on_duty.pk)
    with pytest.raises(ObjectNotFound):
        selectors.access_thread(actor=social_worker, thread_id=thread.pk)
    client = _login(social_worker)
    assert client.get(reverse("groups:chat", args=[on_duty.pk])).status_code in (403, 404)
