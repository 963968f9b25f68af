"""API test helpers: call an endpoint as a persona through a real session or a real bearer token."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sanshe.accounts.services import api_token_create

PREFIX = "/api/v1"


class ApiCaller:
    """Sends JSON requests to /api/v1 as one user (session) or with a token, or anonymously."""

    def __init__(self, *, user=None, token: str | None = None, csrf: bool = False) -> None:
        self.client = Client(enforce_csrf_checks=csrf)
        self.headers: dict[str, str] = {}
        if user is not None:
            self.client.force_login(user)
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, body: Any = None, **params):
        url = PREFIX + path
        send = getattr(self.client, method.lower())
        if method.upper() in {"POST", "PATCH", "PUT"}:
            data = body if isinstance(body, str) else json.dumps(body if body is not None else {})
            return send(url, data=data, content_type="application/json", headers=self.headers)
        return send(url, data=params or None, headers=self.headers)

    def get(self, path: str, **params):
        return self.request("GET", path, **params)

    def post(self, path: str, body: Any = None):
        return self.request("POST", path, body)

    def patch(self, path: str, body: Any = None):
        return self.request("PATCH", path, body)


@pytest.fixture
def as_user() -> Callable[..., ApiCaller]:
    """`as_user(user)` → a caller logged in with a session; `as_user(None)` → anonymous."""
    return lambda user=None, **kw: ApiCaller(user=user, **kw)


@pytest.fixture
def with_token() -> Callable[..., ApiCaller]:
    """`with_token(user)` → a caller presenting a fresh bearer token of `user` (no session)."""

    def make(user, name: str = "测试对接") -> ApiCaller:
        _, plaintext = api_token_create(actor=user, name=name)
        return ApiCaller(token=plaintext)

    return make
