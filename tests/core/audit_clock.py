"""Tests that need audit events from the past move them back in time here (the ORM refuses to)."""

from __future__ import annotations


def audit_rows_set_created_at(cursor, when, **filters) -> None:
    """Set created_at of the matching audit rows, getting past the append-only trigger on PostgreSQL."""
    where = " AND ".join(f"{column} = %s" for column in filters) or "1 = 1"
    if cursor.db.vendor == "postgresql":
        # Test-only: the table's owner (the test database's creator, no superuser needed) turns the trigger off
        # for this one statement; the ALTER is transactional, so a failure leaves it on.
        # Deferred foreign-key checks queued by this transaction's inserts must fire before an ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
    cursor.execute(f"UPDATE core_auditevent SET created_at = %s WHERE {where}", [when, *filters.values()])
    if cursor.db.vendor == "postgresql":
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
