"""A password an administrator chose gates the session everywhere, the API included; resets revoke tokens."""

from __future__ import annotations

from django.test import Client

from sanshe.accounts import services as account_services
from sanshe.accounts.models import ApiToken
from sanshe.core.models import AuditEvent
from tests.api.conftest import ApiCaller

TOKENS = "/api/tokens/"


def _must_change(user) -> None:
    user.password_must_change = True
    user.save(update_fields=["password_must_change"])


def test_session_with_an_admin_set_password_cannot_mint_a_token(world, community_worker):
    _must_change(community_worker)
    client = Client()
    client.force_login(community_worker)
    assert client.get(TOKENS)["Location"] == "/accounts/me/password/"
    response = client.post(TOKENS, {"name": "绕过改密"})
    assert response.status_code == 302 and response["Location"] == "/accounts/me/password/"
    assert not ApiToken.objects.exists()


def test_session_api_calls_are_refused_until_the_password_is_changed(world, community_worker):
    _must_change(community_worker)
    response = ApiCaller(user=community_worker).get("/communities")
    assert response.status_code == 403
    assert "请先修改" in response.json()["detail"]


def test_bearer_calls_are_not_gated(world, community_worker, with_token):
    caller = with_token(community_worker)
    _must_change(community_worker)  # e.g. an integration account nobody logs into
    assert caller.get("/communities").status_code == 200


def test_password_reset_by_an_admin_revokes_the_users_tokens(world, org_admin, community_worker, with_token):
    caller = with_token(community_worker)
    assert caller.get("/communities").status_code == 200
    account_services.user_password_reset(actor=org_admin, user_id=community_worker.pk)
    assert caller.get("/communities").status_code == 401
    assert not ApiToken.objects.filter(user=community_worker, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.detail["api_tokens_revoked"] == 1
