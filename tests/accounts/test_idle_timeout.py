"""Idle session timeout: 30 minutes by default, configurable; tested by moving last_seen, not by waiting."""

from __future__ import annotations

import time

from django.urls import reverse

from sanshe.accounts.middleware import LAST_SEEN_KEY


def _idle_for(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_session_idle_longer_than_thirty_minutes_is_ended(client, logged_in, social_worker):
    logged_in(social_worker)
    assert client.get(reverse("core:home")).status_code == 200
    _idle_for(client, 31 * 60)
    response = client.get(reverse("accounts:my_account"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=%2Faccounts%2Fme%2F"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "长时间未操作，已自动退出，请重新登录" in page.content.decode()


def test_session_used_within_thirty_minutes_stays(client, logged_in, social_worker):
    logged_in(social_worker)
    client.get(reverse("core:home"))
    _idle_for(client, 29 * 60)
    assert client.get(reverse("core:home")).status_code == 200
    # ...and the activity moved last_seen forward.
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 5


def test_timeout_is_configurable(client, logged_in, social_worker, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    logged_in(social_worker)
    client.get(reverse("core:home"))
    _idle_for(client, 6 * 60)
    assert client.get(reverse("core:home")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_htmx_request_after_timeout_navigates_the_whole_page(client, logged_in, social_worker):
    logged_in(social_worker)
    client.get(reverse("core:home"))
    _idle_for(client, 31 * 60)
    response = client.get(reverse("core:home"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))
