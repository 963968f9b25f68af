"""`manage.py purge_audit`: delete audit events past AUDIT_RETENTION_DAYS now (huey also runs it daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sanshe.core.audit import audit_purge, audit_retention_days


class Command(BaseCommand):
    help = "Delete audit events older than AUDIT_RETENTION_DAYS (never fewer than 183 days); audited."

    def handle(self, *args, **options) -> None:
        deleted = audit_purge()
        self.stdout.write(f"已删除 {deleted} 条超过 {audit_retention_days()} 天的审计日志。")
