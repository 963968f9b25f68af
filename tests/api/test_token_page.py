"""The API token page: staff make a token (shown once), see their tokens, and revoke them."""

from __future__ import annotations

import pytest
from django.test import Client

from sanshe.accounts.models import ApiToken
from sanshe.accounts.services import api_token_create, token_hash
from tests.api.conftest import ApiCaller

URL = "/api/tokens/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_login(world):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["resident"])
def test_residents_get_403(world, persona, request):
    assert logged_in(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_create_shows_the_token_once_and_it_works(world, community_worker):
    client = logged_in(community_worker)
    response = client.post(URL, {"name": "区疫情平台对接"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plaintext = response.context["new_token"]["plaintext"]
    page = response.content.decode()
    assert plaintext in page and "离开此页后将无法再次查看" in page
    token = ApiToken.objects.get(user=community_worker)
    assert token.token_hash == token_hash(plaintext)
    assert ApiCaller(token=plaintext).get("/communities").status_code == 200
    # On the next visit the list names the token by its prefix; the secret is gone for good.
    again = client.get(URL).content.decode()
    assert plaintext not in again
    assert "区疫情平台对接" in again and f"{token.prefix}…" in again and "尚未使用" not in again


def test_empty_name_is_explained_in_chinese(world, community_worker):
    response = logged_in(community_worker).post(URL, {"name": ""})
    assert "请填写令牌用途" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_too_many_tokens_keeps_what_was_typed(world, community_worker):
    for n in range(20):
        api_token_create(actor=community_worker, name=f"对接{n}")
    response = logged_in(community_worker).post(URL, {"name": "第二十一个"})
    page = response.content.decode()
    assert "有效令牌已达20个，请先撤销不再使用的令牌" in page
    assert 'value="第二十一个"' in page


def test_revoke_from_the_page(world, community_worker):
    token, plaintext = api_token_create(actor=community_worker, name="旧系统")
    client = logged_in(community_worker)
    response = client.post(f"{URL}{token.pk}/revoke/", follow=True)
    page = response.content.decode()
    assert "已撤销令牌“旧系统”" in page and "已撤销" in page
    assert ApiCaller(token=plaintext).get("/communities").status_code == 401


def test_revoking_someone_elses_token_is_404(world, community_worker, social_worker):
    token, plaintext = api_token_create(actor=social_worker, name="社工用")
    assert logged_in(community_worker).post(f"{URL}{token.pk}/revoke/").status_code == 404
    assert ApiCaller(token=plaintext).get("/communities").status_code == 200


def test_revoke_needs_post(world, community_worker):
    token, _ = api_token_create(actor=community_worker, name="对接")
    assert logged_in(community_worker).get(f"{URL}{token.pk}/revoke/").status_code == 405
