"""The audit log is append-only in the database too (PostgreSQL): UPDATE and DELETE are refused by a trigger.

Two exceptions: the retention purge (sanshe.core.audit.audit_purge) sets the transaction-local setting
`sanshe.audit_purge = 'on'` before deleting expired rows; and an UPDATE that only clears a foreign key is
Django's ON DELETE SET NULL for a deleted user, organisation or community (actor_label still names who it
was). SQLite gets no trigger: it has no per-transaction settings, and Django's test flush and the demo reset
delete rows there; the ORM guard in models.py still holds on every database.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION sanshe_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('sanshe.audit_purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'The audit log is append-only: DELETE on core_auditevent is refused'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.id, NEW.created_at, NEW.actor_label, NEW.ip, NEW.action, NEW.object_type, NEW.object_id,
        NEW.object_repr, NEW.outcome, NEW.reason, NEW.detail)
       IS NOT DISTINCT FROM
       (OLD.id, OLD.created_at, OLD.actor_label, OLD.ip, OLD.action, OLD.object_type, OLD.object_id,
        OLD.object_repr, OLD.outcome, OLD.reason, OLD.detail)
       AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND (NEW.organisation_id IS NULL OR NEW.organisation_id = OLD.organisation_id)
       AND (NEW.community_id IS NULL OR NEW.community_id = OLD.community_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: UPDATE on core_auditevent is refused'
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;
---
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION sanshe_audit_append_only();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
---
DROP FUNCTION IF EXISTS sanshe_audit_append_only();
"""


def _run(schema_editor, script: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in script.split("---"):
            schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
