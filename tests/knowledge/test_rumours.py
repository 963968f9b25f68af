"""Entries of kind 辟谣: drafted, reviewed and published like any entry, with a source; the shipped base."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sanshe.core.errors import ActionForbidden
from sanshe.groups import rumour_base
from sanshe.groups.rumours import DEFAULT_RUMOURS
from sanshe.knowledge import services
from sanshe.knowledge.models import Entry, EntryKind, EntryStatus
from sanshe.knowledge.services import Debunk

pytestmark = pytest.mark.django_db


def _until(days: int = 30):
    return timezone.localdate() + timedelta(days=days)


def test_the_migration_ships_a_published_sourced_rumour_base(default_rumours):
    assert len(default_rumours) == len(DEFAULT_RUMOURS) >= 25
    assert all(e.kind == EntryKind.DEBUNK and e.status == EntryStatus.PUBLISHED and e.debunk_source
               and e.valid_until and e.category.name == "辟谣" for e in default_rumours)
    assert rumour_base.rumour_index().match("每天喝二两白酒，新冠就不会找上你").rumour.entry_id == Entry.objects.get(
        question="喝白酒能预防新冠病毒").pk


def test_a_volunteer_drafts_a_debunk_and_a_medic_publishes_it_only_with_a_source(categories, secretary, medic):
    entry = services.entry_create(actor=secretary, question="喝茶叶水能杀死新冠病毒", answer="茶叶水不能杀死病毒。",
                                  category=categories["辟谣"],
                                  debunk=Debunk(EntryKind.DEBUNK, "多喝浓茶能把病毒杀死\n多喝浓茶能把病毒杀死", ""))
    assert entry.kind == EntryKind.DEBUNK and entry.status == EntryStatus.DRAFT
    assert entry.claim_variants == "多喝浓茶能把病毒杀死"  # duplicates dropped
    with pytest.raises(ActionForbidden):
        services.entry_update(actor=secretary, entry=entry, question=entry.question, answer=entry.answer,
                              category=entry.category, publish=True, valid_until=_until())
    with pytest.raises(ValidationError, match="来源"):
        services.entry_publish(actor=medic, entry=entry, valid_until=_until())
    with pytest.raises(ValidationError, match="http"):
        services.entry_update(actor=medic, entry=entry, question=entry.question, answer=entry.answer,
                              category=entry.category, valid_until=_until(), publish=True,
                              debunk=Debunk(EntryKind.DEBUNK, entry.claim_variants, "市卫健委", "piyao"))
    entry = services.entry_update(actor=medic, entry=entry, question=entry.question, answer=entry.answer,
                                  category=entry.category, valid_until=_until(), publish=True,
                                  debunk=Debunk(EntryKind.DEBUNK, entry.claim_variants, "市卫健委",
                                                "https://www.piyao.org.cn/"))
    assert entry.status == EntryStatus.PUBLISHED and entry.reviewed_by == medic
    assert entry.versions.count() == 2
    found = rumour_base.rumour_index().match("多喝浓茶叶水能杀死新冠病毒")
    assert found is not None and found.rumour.entry_id == entry.pk and found.rumour.source == "市卫健委"


def test_an_edit_that_does_not_name_the_kind_keeps_it(categories, social_worker):
    entry = services.entry_create(actor=social_worker, question="喝茶叶水能杀死新冠病毒", answer="不能。",
                                  category=categories["辟谣"], debunk=Debunk(EntryKind.DEBUNK, "", "市卫健委"))
    entry = services.entry_update(actor=social_worker, entry=entry, question=entry.question, answer="茶叶水不能杀死病毒。",
                                  category=entry.category)
    assert entry.kind == EntryKind.DEBUNK and entry.debunk_source == "市卫健委"


def test_the_library_pages_write_and_show_a_debunk(client, categories, social_worker):
    client.force_login(social_worker)
    page = client.get(reverse("knowledge:new") + "?kind=debunk").content.decode()
    assert "新建辟谣条目" in page and 'value="debunk"' in page
    response = client.post(reverse("knowledge:new"), {
        "kind": "debunk", "question": "喝茶叶水能杀死新冠病毒", "answer": "茶叶水不能杀死病毒。",
        "claim_variants": "多喝浓茶能把病毒杀死", "debunk_source": "中国互联网联合辟谣平台",
        "debunk_link": "https://www.piyao.org.cn/", "category": categories["辟谣"].pk})
    entry = Entry.objects.get(question="喝茶叶水能杀死新冠病毒")
    assert response.status_code == 302 and entry.kind == EntryKind.DEBUNK
    detail = client.get(reverse("knowledge:detail", args=[entry.pk])).content.decode()
    assert "谣言说法" in detail and "多喝浓茶能把病毒杀死" in detail and "https://www.piyao.org.cn/" in detail
    edit = client.get(reverse("knowledge:edit", args=[entry.pk])).content.decode()
    assert "中国互联网联合辟谣平台" in edit
    services.entry_publish(actor=social_worker, entry=entry, valid_until=_until())
    faq = client.get(reverse("knowledge:faq")).content.decode()
    assert "谣言" in faq and "真相" in faq and "中国互联网联合辟谣平台" in faq
