"""API authentication: bearer tokens (hash only, revocable, last use noted) and sessions with CSRF."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from sanshe.accounts.models import ApiToken
from sanshe.accounts.services import api_token_create, api_token_revoke, token_hash
from sanshe.api.api import api
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.models import AuditEvent
from tests.api.conftest import ApiCaller


def test_token_is_stored_only_as_a_hash_and_audited(world, community_worker):
    token, plaintext = api_token_create(actor=community_worker, name="区疫情平台对接")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == token_hash(plaintext) != plaintext
    assert plaintext.startswith(stored.prefix) and len(stored.prefix) == 8
    assert plaintext not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.actor == community_worker and event.object_id == str(token.pk)
    assert plaintext not in str(event.detail)


def test_token_name_is_required_in_chinese(world, community_worker):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        api_token_create(actor=community_worker, name="  ")
    assert exc.value.message_dict["name"] == ["请填写令牌用途，例如“区疫情平台对接”"]


def test_residents_cannot_make_tokens(world, resident):
    with pytest.raises(ActionForbidden):
        api_token_create(actor=resident, name="自用")


def test_token_authenticates_as_its_user(world, community_worker, with_token):
    response = with_token(community_worker).get("/communities")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()] == ["民族社区"]


def test_unknown_or_malformed_token_is_401(world):
    for header in ["Bearer ssk_not-a-real-token", "Bearer ", "Token abc", "Basic dXNlcjpwdw=="]:
        caller = ApiCaller()
        caller.headers["Authorization"] = header
        response = caller.get("/communities")
        assert response.status_code == 401, header
        assert response.json() == {"detail": "请先登录，或在 Authorization 头中提供有效的接口令牌"}
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401_at_once_and_revocation_is_audited(world, community_worker):
    token, plaintext = api_token_create(actor=community_worker, name="对接")
    caller = ApiCaller(token=plaintext)
    assert caller.get("/communities").status_code == 200
    api_token_revoke(actor=community_worker, token_id=token.pk)
    assert caller.get("/communities").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).count() == 1
    # Revoking twice changes nothing and writes no second entry.
    api_token_revoke(actor=community_worker, token_id=token.pk)
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_token_of_a_deactivated_user_is_401(world, community_worker):
    _, plaintext = api_token_create(actor=community_worker, name="对接")
    community_worker.is_active = False
    community_worker.save(update_fields=["is_active"])
    assert ApiCaller(token=plaintext).get("/communities").status_code == 401


def test_only_owner_or_their_org_admin_can_revoke(world, community_worker, social_worker, org_admin, outsider):
    token, _ = api_token_create(actor=community_worker, name="对接")
    for stranger in (social_worker, outsider):
        with pytest.raises(ObjectNotFound):
            api_token_revoke(actor=stranger, token_id=token.pk)
    api_token_revoke(actor=org_admin, token_id=token.pk)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_last_used_is_written_at_most_once_a_minute(world, community_worker):
    token, plaintext = api_token_create(actor=community_worker, name="对接")
    caller = ApiCaller(token=plaintext)
    caller.get("/communities")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    recent = timezone.now() - timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    caller.get("/communities")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == recent
    stale = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    caller.get("/communities")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > stale + timedelta(minutes=1)


def test_session_post_needs_csrf_token(world, community_worker):
    caller = ApiCaller(user=community_worker, csrf=True)
    body = {"field": "phone", "reason": "电话随访核实"}
    response = caller.post(f"/people/{world.head.pk}/reveal", body)
    assert response.status_code == 403
    assert response.json() == {"detail": "安全校验（CSRF）失败，请刷新页面后重试"}
    assert not AuditEvent.objects.filter(action="person.reveal").exists()
    # The docs page hands the browser its CSRF cookie; with the header the same call works.
    caller.client.get("/api/v1/docs")
    caller.headers["X-CSRFToken"] = caller.client.cookies["csrftoken"].value
    assert caller.post(f"/people/{world.head.pk}/reveal", body).status_code == 200


def test_session_get_needs_no_csrf(world, community_worker):
    assert ApiCaller(user=community_worker, csrf=True).get("/communities").status_code == 200


def test_token_post_needs_no_csrf(world, community_worker):
    _, plaintext = api_token_create(actor=community_worker, name="对接")
    caller = ApiCaller(token=plaintext, csrf=True)
    response = caller.post(f"/people/{world.head.pk}/reveal", {"field": "phone", "reason": "电话随访核实"})
    assert response.status_code == 200


def _operations():
    """Every (method, path) in the API, with ids filled in."""
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method.upper(), path.removeprefix("/api/v1").replace("{community_id}", "1") \
                .replace("{household_id}", "1").replace("{person_id}", "1")


@pytest.mark.parametrize(("method", "path"), list(_operations()))
def test_every_endpoint_but_health_needs_authentication(world, method, path):
    caller = ApiCaller()
    query = {"community": 1, "compound": 1, "building": 1}
    response = caller.request(method, path, {}, **query) if method != "GET" else caller.get(path, **query)
    if path == "/health":
        assert response.status_code == 200
    else:
        assert response.status_code == 401, (method, path)


def test_management_command_prints_a_working_token(world, community_worker):
    out, err = StringIO(), StringIO()
    call_command("api_token", community_worker.username, "--name", "区平台", stdout=out, stderr=err)
    plaintext = out.getvalue().strip()
    assert plaintext.startswith("ssk_")
    assert "不会再次显示" in err.getvalue()
    assert ApiCaller(token=plaintext).get("/communities").status_code == 200
    assert ApiToken.objects.get(user=community_worker).name == "区平台"


def test_management_command_refuses_unknown_users_and_residents(world, resident):
    with pytest.raises(CommandError, match="没有名为 nobody 的有效用户"):
        call_command("api_token", "nobody", "--name", "x", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="不是工作人员"):
        call_command("api_token", resident.username, "--name", "x", stdout=StringIO(), stderr=StringIO())


def test_session_that_idled_out_is_401(world, community_worker, settings):
    client = Client()
    client.force_login(community_worker)
    session = client.session
    session["last_seen"] = 0
    session.save()
    assert client.get("/api/v1/communities").status_code == 401
