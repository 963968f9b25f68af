"""The demo library loads on top of the core and groups demos, once, with what the demo walk-through needs."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sanshe.groups.demo import demo_load as groups_demo_load
from sanshe.knowledge.demo import OPEN_QUESTION
from sanshe.knowledge.demo import demo_load as knowledge_demo_load
from sanshe.knowledge.models import Entry, EntrySource, EntryStatus
from sanshe.knowledge.selectors import faq_sections, suggest_answers
from sanshe.people.demo_community import demo_load as core_demo_load
from sanshe.volunteers.demo import demo_load as volunteers_demo_load


@pytest.mark.django_db
def test_demo_library_is_realistic_and_idempotent():
    today = timezone.localdate()
    core_demo_load(people=300)
    volunteers_demo_load(today=today)  # only cleared volunteers join the demo groups
    groups_demo_load(today=today)
    summary = knowledge_demo_load(today=today)
    assert summary.startswith("资源库：已发布")
    published = Entry.objects.filter(status=EntryStatus.PUBLISHED)
    assert published.count() >= 200
    # Every published answer names its reviewer and says until when it holds (the shipped rumour base, seeded by
    # a migration before anyone has an account, is the one exception: its source is the default library).
    assert not published.filter(reviewed_by__isnull=True).exclude(source_label="默认辟谣库").exists()
    assert not published.filter(valid_until__isnull=True).exists()
    assert published.filter(valid_until__lt=today).exists()  # some wait for re-review
    drafts = Entry.objects.filter(status=EntryStatus.DRAFT)
    assert drafts.filter(source=EntrySource.CHAT, source_question__isnull=False).count() == 2
    assert Entry.objects.filter(duplicate_flags__isnull=False).exists()
    # The counsellor's question in the focus group has reviewed psychological answers to offer.
    hits = suggest_answers(text=OPEN_QUESTION)
    assert hits and hits[0].entry.category.name == "心理支持"
    assert sum(len(s.hits) for s in faq_sections()) > 0
    assert knowledge_demo_load(today=today) == "资源库：演示数据已存在"
    assert Entry.objects.filter(status=EntryStatus.PUBLISHED).count() == published.count()
