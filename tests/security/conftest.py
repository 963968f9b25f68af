"""The sweep's world, built once per module inside a transaction that is rolled back at the end."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.security.world import build_world


@pytest.fixture(scope="module")
def sweep_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo street plus the away twins; each test's own transaction (`db`) nests inside this one."""
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("media"), SMS_BACKEND="sanshe.accounts.sms.MemorySmsBackend"):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
