"""Re-encrypt every encrypted field with the first FIELD_ENCRYPTION_KEYS key (and the current SECRET_KEY).

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), restart, run this
command, then remove the old keys. The same applies after moving the old SECRET_KEY to SECRET_KEY_FALLBACKS.
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from encrypted_fields.fields import EncryptedFieldMixin

from sanshe.core.audit import audit_record

BATCH = 500


def encrypted_fields() -> list[tuple[type, list]]:
    """(model, encrypted fields) for every concrete model that has any."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]
        if fields:
            found.append((model, fields))
    return found


def reset_field_keys() -> None:
    """Forget the keys each field derived and cached, so the current settings apply."""
    for _model, fields in encrypted_fields():
        for field in fields:
            field.__dict__.pop("keys", None)
            field.__dict__.pop("f", None)


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the first key, so that old keys can be removed."

    def handle(self, *args, **options) -> None:
        reset_field_keys()
        counts: dict[str, int] = {}
        with transaction.atomic():
            for model, fields in encrypted_fields():
                counts[model._meta.label] = self._rotate(model, fields)
            audit_record(actor=None, action="fields.reencrypt", actor_label="manage.py rotate_field_keys",
                         detail={"rows": counts})
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n} 行已重新加密")
        self.stdout.write(self.style.SUCCESS("完成：现在可以从 FIELD_ENCRYPTION_KEYS 中删除旧密钥。"))

    def _rotate(self, model, fields) -> int:
        """Decrypt each stored value with any configured key and write it back under the first key."""
        table = connection.ops.quote_name(model._meta.db_table)
        pk = model._meta.pk
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sql = (f"SELECT {connection.ops.quote_name(pk.column)}, {columns} FROM {table} "
               f"WHERE {connection.ops.quote_name(pk.column)} > %s ORDER BY 1 LIMIT {BATCH}")
        last, total = None, 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(sql, [last if last is not None else _lowest(pk)])
                rows = cursor.fetchall()
            if not rows:
                return total
            objects = []
            for row in rows:
                obj = model(pk=row[0])
                for field, raw in zip(fields, row[1:], strict=True):
                    if not raw:  # NULL, or '' left by a column that was plain text before
                        setattr(obj, field.attname, None)
                        continue
                    try:
                        value = field.f.decrypt(raw.encode()).decode()
                    except InvalidToken as exc:
                        raise CommandError(
                            f"{model._meta.label} #{row[0]} 的 {field.name} 无法用当前配置的任何密钥解密；"
                            "未做任何修改。请把加密它的旧密钥加回 FIELD_ENCRYPTION_KEYS 后重试。") from exc
                    setattr(obj, field.attname, value)
                objects.append(obj)
            model._base_manager.bulk_update(objects, [f.name for f in fields])
            total += len(objects)
            last = rows[-1][0]


def _lowest(pk) -> object:
    """A value below every primary key: integers start at 1, text keys sort after ''."""
    return 0 if pk.get_internal_type() in {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField",
                                           "BigIntegerField", "PositiveIntegerField"} else ""
