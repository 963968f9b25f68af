"""Writing the audit log: called by services inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from .context import current_request
from .models import AuditEvent, AuditOutcome


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
    from sanshe.accounts.policies import primary_organisation_id

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
