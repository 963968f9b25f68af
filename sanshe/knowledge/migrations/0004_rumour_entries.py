"""Entries of kind 辟谣 (claim, debunk, source) and the default rumour base, published under a 辟谣 category.

The seed list is sanshe.groups.rumours.DEFAULT_RUMOURS (the same list the pure default index reads), so a
fresh deployment recognises the well-known rumours from its first message; reviewers may edit, retire or
add entries like any other.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

DEBUNK_CATEGORY = ("辟谣", "medical", 15, 365)


def seed(apps, schema_editor):
    from sanshe.groups.rumours import DEFAULT_RUMOURS
    from sanshe.knowledge.backends import backend, index_rows
    from sanshe.knowledge.text import index_tokens, pinyin_keys

    Category = apps.get_model("knowledge", "Category")
    Entry = apps.get_model("knowledge", "Entry")
    EntryVersion = apps.get_model("knowledge", "EntryVersion")
    name, field, order, days = DEBUNK_CATEGORY
    category, _made = Category.objects.get_or_create(name=name, defaults={
        "field": field, "sort_order": order, "default_valid_days": days})
    now = timezone.now()
    until = timezone.localdate() + timedelta(days=days)
    created = []
    for rumour in DEFAULT_RUMOURS:
        if Entry.objects.filter(kind="debunk", question=rumour.claim).exists():
            continue
        entry = Entry(
            question=rumour.claim, answer=rumour.debunk, category=category, kind="debunk", status="published",
            claim_variants="\n".join(rumour.variants), debunk_source=rumour.source, debunk_link=rumour.link,
            valid_until=until, first_published_at=now, reviewed_at=now, source="import",
            source_label="默认辟谣库", question_tokens=" ".join(index_tokens(rumour.claim)),
            answer_tokens=" ".join(index_tokens(rumour.debunk)), tag_tokens=" ".join(index_tokens(name)),
        )
        entry.question_pinyin, entry.question_initials = pinyin_keys(rumour.claim)
        entry.save()
        EntryVersion.objects.create(entry=entry, number=1, action="imported", status="published",
                                    question=entry.question, answer=entry.answer, category_name=name,
                                    valid_until=until, note="默认辟谣库")
        created.append(entry)
    if created:
        backend().index(index_rows(created))




class Migration(migrations.Migration):

    dependencies = [
        ('groups', '0004_member_moved_to'),
        ('knowledge', '0003_default_categories'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='entry',
            name='claim_variants',
            field=models.TextField(blank=True, max_length=1000, verbose_name='谣言的其他说法'),
        ),
        migrations.AddField(
            model_name='entry',
            name='debunk_link',
            field=models.URLField(blank=True, max_length=300, verbose_name='来源链接'),
        ),
        migrations.AddField(
            model_name='entry',
            name='debunk_source',
            field=models.CharField(blank=True, max_length=100, verbose_name='辟谣来源'),
        ),
        migrations.AddField(
            model_name='entry',
            name='kind',
            field=models.CharField(choices=[('qa', '问答'), ('debunk', '辟谣')], default='qa', max_length=10, verbose_name='条目类型'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(fields=['kind', 'status'], name='knowledge_kind_status'),
        ),
        migrations.AddConstraint(
            model_name='entry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'debunk'), ('status', 'published'), _negated=True), models.Q(('debunk_source', ''), _negated=True), _connector='OR'), name='knowledge_published_debunk_has_source'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
