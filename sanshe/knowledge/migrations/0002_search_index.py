"""The full-text index: an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL.

Both hold the jieba tokens the services write (question, tags, answer) and are kept in step by the
services inside the same transaction as the entry, so no triggers are needed.
"""

from django.db import migrations

from sanshe.knowledge.operations import RunSQLFor


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        RunSQLFor(
            "sqlite",
            "CREATE VIRTUAL TABLE knowledge_entry_fts USING fts5(question, tags, answer, tokenize='unicode61')",
            "DROP TABLE IF EXISTS knowledge_entry_fts",
        ),
        RunSQLFor(
            "postgresql",
            [
                "ALTER TABLE knowledge_entry ADD COLUMN search_vector tsvector",
                "CREATE INDEX knowledge_entry_search_gin ON knowledge_entry USING gin (search_vector)",
            ],
            [
                "DROP INDEX IF EXISTS knowledge_entry_search_gin",
                "ALTER TABLE knowledge_entry DROP COLUMN IF EXISTS search_vector",
            ],
        ),
    ]
