"""Fixtures for accounts tests: an in-memory SMS outbox and a login helper."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.accounts.sms import MemorySmsBackend
from tests.browser.conftest import browser, demo_street, phone_page, problems  # noqa: F401  (shared fixtures)
from tests.factories import PASSWORD


@pytest.fixture
def sms(settings):
    """Codes go to MemorySmsBackend.outbox instead of the console."""
    settings.SMS_BACKEND = "sanshe.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def login_post(client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


@pytest.fixture
def logged_in(client):
    """Log a user in through the real login page; returns the client."""

    def _login(user, password: str = PASSWORD):
        response = login_post(client, user.username, password)
        assert response.status_code == 302, response.content.decode()[:500]
        return client

    return _login
