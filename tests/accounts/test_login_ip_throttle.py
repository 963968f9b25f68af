"""Per-address login throttling: one address cannot spray passwords across accounts or lock them all out."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from sanshe.accounts.lockout import is_locked
from sanshe.core.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

from .conftest import login_post

WRONG = "Wrong-Pass-2020!"
SPRAYER = {"REMOTE_ADDR": "198.51.100.66"}
OFFICE = {"REMOTE_ADDR": "198.51.100.7"}


def _spray(client, usernames: list[str]) -> list[int]:
    return [login_post(client, name, WRONG, **SPRAYER).status_code for name in usernames]


def test_an_address_spraying_many_accounts_is_throttled_without_locking_them(client, settings, social_worker):
    settings.LOGIN_IP_FAILURE_LIMIT = 4
    settings.LOGIN_IP_WINDOW_MINUTES = 15
    targets = [UserFactory(username=f"responder{n}").username for n in range(6)]
    assert _spray(client, targets[:4]) == [200] * 4
    # The fifth try, on another account, is not even checked: 429, and no account is locked.
    response = login_post(client, targets[4], WRONG, **SPRAYER)
    assert response.status_code == 429
    assert "此网络地址登录失败次数过多，请15分钟后再试" in response.content.decode()
    assert not any(is_locked(name) for name in targets)
    assert AuditEvent.objects.filter(action="login.failure").count() == 4
    assert AuditEvent.objects.get(action="login.throttled").ip == SPRAYER["REMOTE_ADDR"]
    # Even the right password of a real account is refused from that address for now...
    assert login_post(client, "social_worker", PASSWORD, **SPRAYER).status_code == 429
    # ...while the same responder logs in from their own network at once.
    assert login_post(client, "social_worker", PASSWORD, **OFFICE).status_code == 302


def test_the_throttle_lifts_when_the_failures_leave_the_window(client, settings, social_worker):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    settings.LOGIN_IP_WINDOW_MINUTES = 15
    _spray(client, ["a1", "a2", "a3"])
    assert login_post(client, "social_worker", PASSWORD, **SPRAYER).status_code == 429
    # Age the failures past the window (the audit log refuses ORM updates; this is the test's own clock).
    past = timezone.now() - timedelta(minutes=16)
    with connection.cursor() as cursor:
        _age_audit(cursor, past)
    assert login_post(client, "social_worker", PASSWORD, **SPRAYER).status_code == 302


def _age_audit(cursor, when) -> None:
    from tests.core.audit_clock import audit_rows_set_created_at

    audit_rows_set_created_at(cursor, when, action="login.failure")


def test_the_admin_login_is_throttled_too(client, settings, db):
    settings.LOGIN_IP_FAILURE_LIMIT = 2
    _spray(client, ["b1", "b2"])
    response = client.post(reverse("admin:login"), {"username": "b3", "password": WRONG}, **SPRAYER)
    assert response.status_code == 429


def test_zero_turns_the_throttle_off(client, settings, db):
    settings.LOGIN_IP_FAILURE_LIMIT = 0
    assert _spray(client, [f"c{n}" for n in range(8)]) == [200] * 8
