"""Chat text is encrypted at rest: private-thread (counselling) bodies, moderation snapshots, record-this quotes."""

from __future__ import annotations

import importlib
import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection

from sanshe.core.management.commands.rotate_field_keys import reset_field_keys
from sanshe.groups import selectors, services
from sanshe.groups.events import message_payload
from sanshe.groups.models import DutyKind, Group, Message, ModerationAction, RecordRequest

pytestmark = pytest.mark.django_db

SECRET = "我最近睡不好，总想一了百了"


def _raw(table: str, column: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _send(user, group, body, **kwargs) -> Message:
    return services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=body, **kwargs).message


@pytest.fixture
def thread_message(on_duty, resident):
    thread = services.thread_open(actor=resident, group=on_duty, kind=DutyKind.PSYCHOLOGICAL)
    return _send(resident, on_duty, SECRET, thread=thread)


def test_a_private_thread_body_is_stored_encrypted_and_reads_back(thread_message, counsellor):
    raw = _raw("groups_message", "body", thread_message.pk)
    assert raw and SECRET not in raw and "睡不好" not in raw
    thread = selectors.access_thread(actor=counsellor, thread_id=thread_message.thread_id)
    message = Message.objects.for_actor(counsellor).get(thread=thread)
    assert message.body == SECRET
    assert message_payload(message)["body"] == SECRET


def test_an_image_only_message_reads_back_as_empty_text(on_duty, resident):
    message = _send(resident, on_duty, "先发一句")
    Message.objects.filter(pk=message.pk).update(body="")
    assert Message.objects.get(pk=message.pk).body == ""


def test_a_moderation_snapshot_is_stored_encrypted(on_duty, resident, social_worker):
    message = _send(resident, on_duty, "楼下那家人都是坏人，大家别理他们")
    services.message_delete(actor=social_worker, message=message, reason="人身攻击")
    action = ModerationAction.objects.get(message=message, kind="delete")
    raw = _raw("groups_moderationaction", "message_snapshot", action.pk)
    assert raw and "坏人" not in raw
    assert "坏人" in ModerationAction.objects.get(pk=action.pk).message_snapshot


def test_a_record_this_quote_is_stored_encrypted(on_duty, resident, secretary):
    question = _send(resident, on_duty, "孩子发烧38.5度怎么办？")
    record = services.record_request_create(actor=secretary, group=on_duty, message_ids=[question.pk],
                                            note="家长很焦虑，需心理支持")
    raw = _raw("groups_recordrequest", "quoted_text", record.pk)
    assert raw and "38.5" not in raw and "发烧" not in raw
    assert "焦虑" not in _raw("groups_recordrequest", "note", record.pk)
    stored = RecordRequest.objects.get(pk=record.pk)
    assert "孩子发烧38.5度怎么办？" in stored.quoted_text and stored.note == "家长很焦虑，需心理支持"


@pytest.fixture
def old_key(settings):
    """Everything the test writes (its world too) under one key, as before a rotation."""
    settings.SALT_KEY = ["old-key"]
    reset_field_keys()
    yield
    reset_field_keys()


def test_rotate_field_keys_re_encrypts_the_chat_text(old_key, settings, on_duty, resident, secretary,
                                                     social_worker):
    try:
        thread = services.thread_open(actor=resident, group=on_duty, kind=DutyKind.PSYCHOLOGICAL)
        message = _send(resident, on_duty, SECRET, thread=thread)
        quoted = _send(resident, on_duty, "需要买降压药")
        record = services.record_request_create(actor=secretary, group=on_duty, message_ids=[quoted.pk])
        shouted = _send(resident, on_duty, "都是骗子")
        services.message_delete(actor=social_worker, message=shouted, reason="不友善")
        action = ModerationAction.objects.get(message=shouted, kind="delete")
        before = (_raw("groups_message", "body", message.pk), _raw("groups_recordrequest", "quoted_text", record.pk),
                  _raw("groups_moderationaction", "message_snapshot", action.pk))
        settings.SALT_KEY = ["new-key", "old-key"]
        reset_field_keys()
        call_command("rotate_field_keys", stdout=io.StringIO())
        after = (_raw("groups_message", "body", message.pk), _raw("groups_recordrequest", "quoted_text", record.pk),
                 _raw("groups_moderationaction", "message_snapshot", action.pk))
        assert all(a != b for a, b in zip(after, before, strict=True))
        settings.SALT_KEY = ["new-key"]  # the old key is gone and everything still reads
        reset_field_keys()
        assert Message.objects.get(pk=message.pk).body == SECRET
        assert "需要买降压药" in RecordRequest.objects.get(pk=record.pk).quoted_text
        assert "都是骗子" in ModerationAction.objects.get(pk=action.pk).message_snapshot
    finally:
        reset_field_keys()


def test_the_data_migration_encrypts_rows_stored_in_clear(on_duty, resident, secretary, social_worker):
    from django.apps import apps

    migration = importlib.import_module("sanshe.groups.migrations.0002_encrypt_chat_text")
    message = _send(resident, on_duty, SECRET)
    record = services.record_request_create(actor=secretary, group=on_duty, message_ids=[message.pk])
    empty = _send(resident, on_duty, "图片说明")
    with connection.cursor() as cursor:  # rows as the plain columns held them before the migration
        cursor.execute("UPDATE groups_message SET body = %s WHERE id = %s", [SECRET, message.pk])
        cursor.execute("UPDATE groups_message SET body = '' WHERE id = %s", [empty.pk])
        cursor.execute("UPDATE groups_recordrequest SET quoted_text = %s WHERE id = %s", ["引用原文", record.pk])
    editor = SimpleNamespace(connection=connection)  # the data step uses only the editor's connection
    migration.encrypt_existing(apps, editor)
    migration.encrypt_existing(apps, editor)  # idempotent: not encrypted twice
    raw = _raw("groups_message", "body", message.pk)
    assert SECRET not in raw and Message.objects.get(pk=message.pk).body == SECRET
    assert _raw("groups_message", "body", empty.pk) is None and Message.objects.get(pk=empty.pk).body == ""
    assert "引用原文" not in _raw("groups_recordrequest", "quoted_text", record.pk)
    assert RecordRequest.objects.get(pk=record.pk).quoted_text == "引用原文"
    migration.decrypt_existing(apps, editor)
    assert _raw("groups_message", "body", message.pk) == SECRET
    assert _raw("groups_message", "body", empty.pk) == ""
