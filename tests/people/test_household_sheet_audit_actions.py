"""The household sheet's audit actions are household_sheet.* (issue 14: "roster" means duty shifts only); the
data migration renames the events written before, and the audit page's filter and labels follow."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from sanshe.core.audit import audit_record
from sanshe.core.models import AuditEvent
from sanshe.core.selectors import ACTION_FILTERS, action_label

pytestmark = pytest.mark.django_db

OLD = ["roster.upload", "roster.validate", "roster.import", "roster.cancel", "roster.export"]


def test_the_migration_renames_old_household_sheet_events_and_nothing_else():
    migration = importlib.import_module("sanshe.people.migrations.0005_household_sheet_audit_actions")
    apps = MigrationLoader(connection).project_state(("people", "0005_household_sheet_audit_actions")).apps
    for action in [*OLD, "rosters.shift_cancel", "person.reveal"]:
        audit_record(actor=None, action=action)
    def execute(sql, params=None):  # the migration's own statements, for real (PostgreSQL's trigger switch)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    editor = SimpleNamespace(connection=connection, execute=execute)
    migration.forward(apps, editor)
    actions = sorted(AuditEvent.objects.values_list("action", flat=True))
    assert actions == sorted(["household_sheet.upload", "household_sheet.validate", "household_sheet.import",
                              "household_sheet.cancel", "household_sheet.export", "rosters.shift_cancel",
                              "person.reveal"])  # duty-roster events and others untouched
    migration.backward(apps, editor)
    assert sorted(AuditEvent.objects.filter(action__startswith="roster.").values_list("action", flat=True)) \
        == sorted(OLD)


def test_the_audit_page_filters_and_labels_the_new_names():
    prefixes = [value for value, _label in ACTION_FILTERS]
    assert "household_sheet." in prefixes and "household_sheet.export" in prefixes
    assert not any(p.startswith("roster.") for p in prefixes)
    assert action_label("household_sheet.import") == "导入名册"
    assert action_label("household_sheet.export") == "导出名册"
