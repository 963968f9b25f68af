"""Staff login: username or phone + password, lockout after 5 failures for 30 minutes, audit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse

from sanshe.core.models import AuditEvent, AuditOutcome
from sanshe.core.pii import blind_index
from tests.factories import PASSWORD

from .conftest import login_post

WRONG = "Wrong-Pass-2020!"


def _set_phone(user, phone: str) -> None:
    user.phone = phone
    user.phone_index = blind_index("phone", phone)
    user.save()


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_staff_logs_in_with_username_and_lands_on_their_home(client, org_admin):
    response = login_post(client, "org_admin")
    assert response.status_code == 302 and response["Location"] == reverse("home:home")
    assert _logged_in(client)
    home = client.get(reverse("home:home"))
    assert home.status_code == 200
    assert "home/home_org_admin.html" in [t.name for t in home.templates]


def test_staff_logs_in_with_phone_in_any_common_spelling(client, social_worker):
    _set_phone(social_worker, "13912345678")
    response = login_post(client, "+86 139 1234 5678")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(social_worker.pk)


def test_wrong_password_shows_chinese_error_and_keeps_username(client, social_worker):
    response = login_post(client, "social_worker", WRONG)
    assert response.status_code == 200
    text = response.content.decode()
    assert "用户名/手机号或密码不正确" in text
    assert 'value="social_worker"' in text
    assert not _logged_in(client)


def test_login_failure_is_audited_without_the_password(client, social_worker, world):
    login_post(client, "social_worker", WRONG)
    event = AuditEvent.objects.get(action="login.failure")
    assert event.outcome == AuditOutcome.FAILURE
    assert event.actor_label == "social_worker"
    assert event.ip == "127.0.0.1"
    # Visible to the organisation's admins, and pointing at the account.
    assert event.organisation_id == world.org.pk
    assert event.object_id == str(social_worker.pk)
    everything = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert WRONG not in everything
    # axes' own records must not keep it either.
    axes_rows = json.dumps(list(AccessAttempt.objects.values()) + list(AccessFailureLog.objects.values()),
                           default=str)
    assert WRONG not in axes_rows


def test_login_success_is_audited(client, medic):
    login_post(client, medic.username)
    event = AuditEvent.objects.get(action="login.success")
    assert event.actor_id == medic.pk
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.detail == {"method": "password"}


def test_unknown_phone_is_never_stored_in_clear(client, world):
    login_post(client, "139 8765 4321", WRONG)
    event = AuditEvent.objects.get(action="login.failure")
    assert event.actor_label.startswith("139****4321#")
    stored = json.dumps(list(AuditEvent.objects.values()) + list(AccessAttempt.objects.values()), default=str)
    assert "13987654321" not in stored


def test_account_locks_after_five_failures_even_with_the_right_password(client, social_worker):
    for attempt in range(4):
        response = login_post(client, "social_worker", WRONG)
        assert response.status_code == 200, attempt
    fifth = login_post(client, "social_worker", WRONG)
    assert fifth.status_code == 429
    assert "账号已锁定30分钟" in fifth.content.decode()
    right = login_post(client, "social_worker", PASSWORD)
    assert right.status_code == 429
    assert not _logged_in(client)
    assert 'value="social_worker"' in right.content.decode()
    assert AuditEvent.objects.filter(action="login.lockout", outcome=AuditOutcome.DENIED).exists()


def test_username_and_phone_count_against_the_same_account(client, social_worker):
    _set_phone(social_worker, "13912345678")
    for _ in range(3):
        login_post(client, "social_worker", WRONG)
    for _ in range(2):
        login_post(client, "13912345678", WRONG)
    response = login_post(client, "social_worker", PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)


def test_lockout_ends_after_thirty_minutes(client, social_worker):
    for _ in range(5):
        login_post(client, "social_worker", WRONG)
    assert login_post(client, "social_worker").status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=31))
    assert login_post(client, "social_worker").status_code == 302
    assert _logged_in(client)


def test_a_lockout_of_one_account_does_not_lock_another(client, social_worker, medic):
    for _ in range(5):
        login_post(client, "social_worker", WRONG)
    assert login_post(client, medic.username).status_code == 302


def test_success_resets_the_failure_count(client, social_worker):
    for _ in range(4):
        login_post(client, "social_worker", WRONG)
    assert login_post(client, "social_worker").status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert login_post(client, "social_worker", WRONG).status_code == 200
    assert login_post(client, "social_worker").status_code == 302


def test_deactivated_account_cannot_log_in(client, social_worker):
    social_worker.is_active = False
    social_worker.save()
    response = login_post(client, "social_worker")
    assert response.status_code == 200
    assert not _logged_in(client)


@pytest.mark.parametrize("path", ["/", "/accounts/me/"])
def test_anonymous_visitors_are_sent_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
