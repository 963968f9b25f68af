"""Encrypt chat text at rest: message bodies (private counselling threads included), moderation snapshots and
the quotes (and the secretary's notes) of "record this" requests. The data step encrypts the rows already stored (SQLite and PostgreSQL);
it is idempotent (a value that already decrypts is left alone) and reversible."""

from cryptography.fernet import InvalidToken
from django.db import migrations

import sanshe.groups.models

FIELDS = (("Message", "body"), ("ModerationAction", "message_snapshot"), ("RecordRequest", "quoted_text"),
          ("RecordRequest", "note"))
BATCH = 1000


def _rewrite(apps, schema_editor, *, encrypt: bool) -> None:
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for model_name, field_name in FIELDS:
        model = apps.get_model("groups", model_name)
        field = model._meta.get_field(field_name)
        table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
        select = (f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s AND {column} IS NOT NULL "
                  f"ORDER BY {pk} LIMIT {BATCH}")
        update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s"
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(select, [last])
                rows = cursor.fetchall()
            if not rows:
                break
            changes = []
            for row_pk, raw in rows:
                if not raw:
                    continue
                try:
                    plain = field.f.decrypt(raw.encode()).decode()
                except InvalidToken:
                    plain = None
                if encrypt and plain is None:
                    changes.append((field.f.encrypt(raw.encode()).decode(), row_pk))
                elif not encrypt and plain is not None:
                    changes.append((plain, row_pk))
            if changes:
                with connection.cursor() as cursor:
                    cursor.executemany(update, changes)
            last = rows[-1][0]


def encrypt_existing(apps, schema_editor) -> None:
    _rewrite(apps, schema_editor, encrypt=True)
    quote = schema_editor.connection.ops.quote_name
    for model_name, field_name in FIELDS:  # an empty text is NULL in an encrypted column (read back as "")
        model = apps.get_model("groups", model_name)
        column = quote(model._meta.get_field(field_name).column)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"UPDATE {quote(model._meta.db_table)} SET {column} = NULL WHERE {column} = ''")


def decrypt_existing(apps, schema_editor) -> None:
    _rewrite(apps, schema_editor, encrypt=False)
    quote = schema_editor.connection.ops.quote_name
    for model_name, field_name in FIELDS:  # the plain columns were NOT NULL: an empty text is ''
        model = apps.get_model("groups", model_name)
        column = quote(model._meta.get_field(field_name).column)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"UPDATE {quote(model._meta.db_table)} SET {column} = '' WHERE {column} IS NULL")


class Migration(migrations.Migration):

    dependencies = [
        ('groups', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='message',
            name='body',
            field=sanshe.groups.models.EncryptedChatTextField(blank=True, default='', max_length=4000, null=True, verbose_name='内容'),
        ),
        migrations.AlterField(
            model_name='moderationaction',
            name='message_snapshot',
            field=sanshe.groups.models.EncryptedChatTextField(blank=True, default='', null=True, verbose_name='消息原文'),
        ),
        migrations.AlterField(
            model_name='recordrequest',
            name='quoted_text',
            field=sanshe.groups.models.EncryptedChatTextField(default='', null=True, verbose_name='引用内容'),
        ),
        migrations.AlterField(
            model_name='recordrequest',
            name='note',
            field=sanshe.groups.models.EncryptedChatTextField(blank=True, default='', null=True, verbose_name='记录员备注'),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
