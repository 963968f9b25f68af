"""Tests that need audit events from the past move them back in time here (the ORM refuses to)."""

from __future__ import annotations


def audit_rows_set_created_at(cursor, when, **filters) -> None:
    """Set created_at of the matching audit rows, getting past the append-only trigger on PostgreSQL."""
    where = " AND ".join(f"{column} = %s" for column in filters) or "1 = 1"
    if cursor.db.vendor == "postgresql":
        # Test-only: a superuser's replica role skips triggers for this transaction.
        cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute(f"UPDATE core_auditevent SET created_at = %s WHERE {where}", [when, *filters.values()])
    if cursor.db.vendor == "postgresql":
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
