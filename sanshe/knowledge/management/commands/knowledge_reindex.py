"""Rebuild the library's search index (after jieba's dictionary or the domain word list changed)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from sanshe.knowledge.services import index_rebuild


class Command(BaseCommand):
    help = "重新分词并重建资源库全文索引（SQLite FTS5 / PostgreSQL tsvector）。"

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        count = index_rebuild()
        self.stdout.write(f"已重建资源库索引：{count} 条，用时 {time.perf_counter() - started:.1f} 秒。")
