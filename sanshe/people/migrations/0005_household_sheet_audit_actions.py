"""The household sheet's audit actions are renamed roster.* → household_sheet.* ("roster" means duty shifts
only, issue 14): existing audit events are renamed too, so the audit page's filter finds old and new alike.

The audit log is append-only (sanshe.core.migrations.0002): on PostgreSQL its trigger is switched off for this
one UPDATE of the action column only, inside the migration's transaction, and on again before it commits.
"""

from django.db import migrations

ACTIONS = ("upload", "validate", "import", "cancel", "export")
TRIGGER = "core_auditevent_append_only"


def _rename(apps, schema_editor, old: str, new: str) -> None:
    AuditEvent = apps.get_model("core", "AuditEvent")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # Deferred foreign-key checks still pending in this transaction would forbid the ALTER TABLE: run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE core_auditevent DISABLE TRIGGER {TRIGGER}")
    for action in ACTIONS:
        AuditEvent.objects.filter(action=f"{old}.{action}").update(action=f"{new}.{action}")
    if postgres:
        schema_editor.execute(f"ALTER TABLE core_auditevent ENABLE TRIGGER {TRIGGER}")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys are INITIALLY DEFERRED


def forward(apps, schema_editor):
    _rename(apps, schema_editor, "roster", "household_sheet")


def backward(apps, schema_editor):
    _rename(apps, schema_editor, "household_sheet", "roster")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_append_only_trigger"),
        ("people", "0004_person_phone_tail_index"),
    ]

    operations = [migrations.RunPython(forward, backward)]
