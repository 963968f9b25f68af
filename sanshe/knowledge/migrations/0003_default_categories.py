"""The guide's headings as the starting categories (editable afterwards)."""

from django.db import migrations

DEFAULTS = [
    # name, review field, order, default validity in days (policies change fastest)
    ("疫情科普", "medical", 10, 90),
    ("防护知识", "medical", 20, 90),
    ("政策解读", "general", 30, 30),
    ("就医指引", "medical", 40, 60),
    ("心理支持", "psychological", 50, 180),
    ("生活物资", "general", 60, 30),
    ("其他", "general", 70, 90),
]


def create(apps, schema_editor):
    Category = apps.get_model("knowledge", "Category")
    for name, field, order, days in DEFAULTS:
        Category.objects.get_or_create(name=name, defaults={"field": field, "sort_order": order,
                                                            "default_valid_days": days})


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_index")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
