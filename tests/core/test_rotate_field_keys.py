"""Rotating the field-encryption key: re-encrypt under the new key, then the old key can go."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sanshe.core.management.commands.rotate_field_keys import reset_field_keys
from sanshe.core.models import AuditEvent
from sanshe.people.models import Person
from tests.factories import PersonFactory


@pytest.fixture
def keys(settings):
    """Switch FIELD_ENCRYPTION_KEYS (SALT_KEY) the way a restart with new variables would."""

    def use(*salts: str) -> None:
        settings.SALT_KEY = list(salts)
        reset_field_keys()

    yield use
    reset_field_keys()


def _raw_phone(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM people_person WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_rotation_moves_data_to_the_new_key(keys):
    keys("old-key")
    person = PersonFactory(phone="13812345678")
    before = _raw_phone(person.pk)
    keys("new-key", "old-key")
    call_command("rotate_field_keys", stdout=io.StringIO())
    after = _raw_phone(person.pk)
    assert after != before and "13812345678" not in after
    keys("new-key")  # the old key is gone and the data still reads
    assert Person.objects.get(pk=person.pk).phone == "13812345678"
    assert AuditEvent.objects.filter(action="fields.reencrypt").count() == 1


@pytest.mark.django_db
def test_a_value_no_key_can_read_stops_the_rotation_without_changes(keys):
    keys("lost-key")
    lost = PersonFactory(phone="13912345678")
    keys("old-key")
    PersonFactory(phone="13612345678")
    raw = _raw_phone(lost.pk)
    keys("new-key", "old-key")
    with pytest.raises(CommandError, match="无法用当前配置的任何密钥解密"):
        call_command("rotate_field_keys")
    assert _raw_phone(lost.pk) == raw
