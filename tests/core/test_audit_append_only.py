"""The audit log cannot be rewritten or deleted in the database; only the retention purge removes old rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from sanshe.core.audit import audit_purge, audit_record
from sanshe.core.models import AuditEvent
from tests.core.audit_clock import audit_rows_set_created_at
from tests.factories import UserFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on PostgreSQL only (SQLite has no transaction-local settings)")


def _event(action: str, age_days: int) -> AuditEvent:
    event = audit_record(actor=None, action=action, actor_label="system")
    with connection.cursor() as cursor:
        audit_rows_set_created_at(cursor, timezone.now() - timedelta(days=age_days), id=event.pk)
    return event


def test_purge_deletes_only_events_past_retention_and_audits_itself(db, settings):
    settings.AUDIT_RETENTION_DAYS = 30  # below the legal minimum: 183 days are kept anyway
    old = _event("test.old", 200)
    kept = _event("test.kept", 150)
    recent = audit_record(actor=None, action="test.recent")
    assert audit_purge() == 1
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and {kept.pk, recent.pk} <= remaining
    purge = AuditEvent.objects.get(action="audit.purge")
    assert purge.detail["deleted"] == 1 and purge.detail["retention_days"] == 183


def test_retention_setting_above_the_minimum_is_honoured_by_the_command(db, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 365
    _event("test.old", 400)
    kept = _event("test.kept", 200)
    call_command("purge_audit")
    assert "已删除 1 条" in capsys.readouterr().out
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert not AuditEvent.objects.filter(action="test.old").exists()


def test_the_orm_refuses_to_edit_or_delete(db):
    event = audit_record(actor=None, action="test.event")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@postgresql_only
def test_the_database_refuses_update_and_delete_outside_the_purge(db):
    event = audit_record(actor=None, action="test.event", reason="原始事由")
    for statement in ("UPDATE core_auditevent SET reason = 'forged' WHERE id = %s",
                      "UPDATE core_auditevent SET actor_label = 'someone' WHERE id = %s",
                      "DELETE FROM core_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [event.pk])
    event.refresh_from_db()
    assert event.reason == "原始事由"


@postgresql_only
def test_after_a_purge_the_transaction_is_append_only_again(db):
    audit_purge()
    event = audit_record(actor=None, action="test.event")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])


@postgresql_only
def test_deleting_a_user_only_clears_the_link_and_keeps_the_label(db):
    user = UserFactory(username="leaver")
    event = audit_record(actor=user, action="test.event")
    user.delete()
    event.refresh_from_db()
    assert event.actor_id is None and event.actor_label == "leaver"
