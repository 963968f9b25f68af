"""Writing the audit log: called by services inside their own transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .context import current_request
from .models import AuditEvent, AuditOutcome


def primary_organisation_id(user) -> int | None:
    """The organisation an event of `user` is filed under: the lowest id among their memberships' (the gate's)."""
    # Imported here: the gate's page decorator loads django.contrib.auth's views, which need the app registry.
    from .gate import scope_for

    ids = scope_for(user).directory.organisation_ids
    return min(ids) if ids else None


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    outcome: str = AuditOutcome.SUCCESS,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
    community_id: int | None = None,
    organisation_id: int | None = None,
) -> AuditEvent:
    """Append one audit event. `detail` must never carry personal data (no names, IDs or phones)."""
    request = current_request()
    user = actor if getattr(actor, "is_authenticated", False) else None
    if community_id is None and obj is not None:
        community_id = getattr(obj, "community_id", None)
        if community_id is None and obj.__class__.__name__ == "Community":
            community_id = obj.pk
    if organisation_id is None and user is not None:
        organisation_id = primary_organisation_id(user)
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label or (user.get_username() if user else ""),
        ip=request.ip if request else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=f"{obj._meta.verbose_name} #{obj.pk}" if obj is not None else "",
        outcome=outcome,
        reason=reason,
        detail=detail or {},
        organisation_id=organisation_id,
        community_id=community_id,
    )


# 等保2.0 asks for at least six months of audit records.
MIN_AUDIT_RETENTION_DAYS = 183


def audit_retention_days() -> int:
    from django.conf import settings

    return max(int(settings.AUDIT_RETENTION_DAYS), MIN_AUDIT_RETENTION_DAYS)


def audit_purge(*, now: datetime | None = None) -> int:
    """Delete audit events older than AUDIT_RETENTION_DAYS (never fewer than 183); returns how many.

    The only deletion the audit log allows: on PostgreSQL the append-only trigger lets it through because
    this transaction, and only this one, sets `sanshe.audit_purge`. The purge is itself audited.
    """
    days = audit_retention_days()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL sanshe.audit_purge = 'on'")
            # Raw SQL: the ORM refuses every delete on this table (models.AuditEventQuerySet).
            cursor.execute(f"DELETE FROM {table} WHERE created_at < %s", [cutoff])
            deleted = max(cursor.rowcount, 0)
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL sanshe.audit_purge = 'off'")
        audit_record(actor=None, action="audit.purge", actor_label="system",
                     detail={"deleted": deleted, "retention_days": days, "before": cutoff.isoformat()})
    return deleted
