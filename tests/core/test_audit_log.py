"""The audit log is append-only."""

from __future__ import annotations

import pytest

from sanshe.core.audit import audit_record
from sanshe.core.models import AuditEvent


def test_audit_rows_cannot_be_changed_or_deleted(world, social_worker):
    event = audit_record(actor=social_worker, action="test.write", obj=world.head)
    assert event.organisation_id == world.org.pk
    assert event.community_id == world.home.pk
    event.reason = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_only_org_admins_see_their_organisations_audit(world, org_admin, social_worker, outsider):
    audit_record(actor=social_worker, action="test.home")
    audit_record(actor=outsider, action="test.away")
    assert set(AuditEvent.objects.for_actor(org_admin).values_list("action", flat=True)) == {"test.home"}
    assert not AuditEvent.objects.for_actor(social_worker).exists()
