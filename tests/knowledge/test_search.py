"""Search relevance on a small Chinese test set, through the one interface both engines answer.

The suite runs on SQLite (FTS5) and, in CI, on PostgreSQL (tsvector + GIN): every assertion here must hold on
both, so the same queries give the same results on either engine.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from sanshe.knowledge import selectors, services
from sanshe.knowledge.backends import Filters, backend
from sanshe.knowledge.models import Entry
from sanshe.knowledge.text import plan_query

from .conftest import publish

SET = [
    # (category, question, answer, tags)
    ("就医指引", "孩子发烧了要去医院吗？", "3个月以下婴儿发热、精神差、呼吸急促要及时就医；精神好的可以先在家观察。", "儿童、发热"),
    ("防护知识", "口罩多久需要更换一次？", "医用外科口罩累计佩戴4小时左右更换，弄湿弄脏要立即更换。", "口罩"),
    ("防护知识", "怎样正确佩戴医用外科口罩？", "深色面朝外，金属条在上，压紧鼻梁，完全盖住口鼻和下巴。", "口罩"),
    ("心理支持", "晚上睡不着觉怎么办？", "固定作息，睡前一小时不看手机，躺下二十分钟睡不着就起来做点安静的事。", "失眠"),
    ("生活物资", "小区封控了，怎么买菜？", "通过社区团购或超市线上下单，由志愿者送到楼下。", "买菜、团购"),
    ("政策解读", "居家隔离期间可以出门取快递吗？", "原则上不出门，快递放在门口由家人或志愿者代取。", "居家隔离"),
    ("疫情科普", "新型冠状病毒肺炎的主要症状有哪些？", "常见发热、干咳、乏力，部分人有咽痛、嗅觉减退。", "症状"),
    ("就医指引", "老人咳嗽发热需要去发热门诊吗？", "老人属于高风险人群，出现发热咳嗽要尽早到发热门诊就诊。", "老人"),
]


@pytest.fixture
def library(world, social_worker, categories):
    return {question: publish(social_worker, categories[cat], question, answer, tags=tags)
            for cat, question, answer, tags in SET}


def questions(page) -> list[str]:
    return [h.entry.question for h in page.hits]


@pytest.mark.django_db
def test_synonyms_find_answers_written_with_other_words(library, social_worker):
    # 宝宝 ~ 孩子, 发热 ~ 发烧: the entry says neither word the way the query does.
    assert questions(selectors.entry_search(actor=social_worker, text="宝宝发热"))[0] == "孩子发烧了要去医院吗？"
    assert questions(selectors.entry_search(actor=social_worker, text="失眠"))[0] == "晚上睡不着觉怎么办？"
    assert "新型冠状病毒肺炎的主要症状有哪些？" in questions(selectors.entry_search(actor=social_worker,
                                                                             text="新冠症状"))


@pytest.mark.django_db
def test_word_order_does_not_matter(library, social_worker):
    one = questions(selectors.entry_search(actor=social_worker, text="发热 老人"))
    other = questions(selectors.entry_search(actor=social_worker, text="老人 发热"))
    assert one == other and one[0] == "老人咳嗽发热需要去发热门诊吗？"


@pytest.mark.django_db
def test_partial_phrases_and_parts_of_words(library, social_worker):
    assert questions(selectors.entry_search(actor=social_worker, text="冠状病毒")) == [
        "新型冠状病毒肺炎的主要症状有哪些？"]
    assert questions(selectors.entry_search(actor=social_worker, text="隔离 快递")) == [
        "居家隔离期间可以出门取快递吗？"]


@pytest.mark.django_db
def test_question_matches_rank_above_answer_matches(library, social_worker):
    # Both mention 口罩 in the question; "更换" only in the first question, so it comes first.
    page = selectors.entry_search(actor=social_worker, text="口罩 更换")
    assert questions(page)[0] == "口罩多久需要更换一次？"
    assert str(page.hits[0].question_html) == "<mark>口罩</mark>多久需要<mark>更换</mark>一次？"


@pytest.mark.django_db
def test_when_no_entry_holds_every_word_partial_matches_are_offered(library, social_worker):
    page = selectors.entry_search(actor=social_worker, text="口罩 火星")
    assert page.mode == "any" and set(questions(page)) == {"口罩多久需要更换一次？", "怎样正确佩戴医用外科口罩？"}


@pytest.mark.django_db
def test_pinyin_initials_find_titles(library, social_worker):
    page = selectors.entry_search(actor=social_worker, text="mc")
    assert questions(page) == ["小区封控了，怎么买菜？"]
    assert "<mark>买菜</mark>" in str(page.hits[0].question_html)
    assert questions(selectors.entry_search(actor=social_worker, text="maicai")) == ["小区封控了，怎么买菜？"]


@pytest.mark.django_db
def test_suggestions_for_a_client_sentence(library):
    hits = selectors.suggest_answers(text="您好，我家宝宝发烧38度了，要不要去医院啊？")
    assert [h.entry.question for h in hits][0] == "孩子发烧了要去医院吗？"
    assert len(selectors.suggest_answers(text="口罩多久换一次")) <= 3
    assert selectors.suggest_answers(text="谢谢您！") == []


@pytest.mark.django_db
def test_expired_and_retired_answers_are_hidden_from_suggestions_and_faq(library, social_worker):
    entry = library["孩子发烧了要去医院吗？"]
    text = "孩子发烧要去医院吗"
    assert selectors.suggest_answers(text=text)
    tomorrow = timezone.localdate() + timedelta(days=1)
    # The day after its valid-until date the answer is gone from what clients and residents see...
    assert not any(h.entry.pk == entry.pk for h in selectors.suggest_answers(text=text, today=tomorrow + timedelta(30)))
    Entry.objects.filter(pk=entry.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert not any(h.entry.pk == entry.pk for h in selectors.suggest_answers(text=text))
    assert not any(h.entry.pk == entry.pk for s in selectors.faq_sections(text="孩子发烧") for h in s.hits)
    # ...but staff still find it, marked, and it waits in the re-review queue.
    page = selectors.entry_search(actor=social_worker, text=text)
    assert page.hits[0].entry.pk == entry.pk and page.hits[0].expired
    assert entry.pk in [e.pk for e in selectors.review_queue(actor=social_worker).expired]
    other = library["口罩多久需要更换一次？"]
    services.entry_retire(actor=social_worker, entry=other, reason="内容已更新")
    assert not selectors.suggest_answers(text="口罩多久换一次") or all(
        h.entry.pk != other.pk for h in selectors.suggest_answers(text="口罩多久换一次"))


@pytest.mark.django_db
def test_faq_groups_by_category_in_category_order(library, categories):
    sections = selectors.faq_sections()
    names = [s.category.name for s in sections]
    assert names == ["疫情科普", "防护知识", "政策解读", "就医指引", "心理支持", "生活物资"]
    searched = selectors.faq_sections(text="口罩")
    assert [s.category.name for s in searched] == ["防护知识"] and len(searched[0].hits) == 2


@pytest.mark.django_db
def test_raw_engine_query_and_interface_agree(library):
    """The benchmark compares the interface with the bare engine query: both must find the same entries."""
    plan = plan_query("口罩")
    engine = backend()
    raw = set(engine.raw_search(engine.expression(plan, mode="all"), limit=10))
    found = {pk for pk, _rank in engine.search(plan, mode="all", filters=Filters(), limit=10)}
    assert raw == found == {library["口罩多久需要更换一次？"].pk, library["怎样正确佩戴医用外科口罩？"].pk}


@pytest.mark.django_db
def test_index_follows_edits_in_the_same_transaction(library, social_worker, categories):
    entry = library["晚上睡不着觉怎么办？"]
    services.entry_update(actor=social_worker, entry=entry, question="晚上总做噩梦怎么办？", answer="睡前放松，白天适当运动。",
                          category=entry.category, valid_until=entry.valid_until)
    assert questions(selectors.entry_search(actor=social_worker, text="噩梦")) == ["晚上总做噩梦怎么办？"]
    assert "晚上总做噩梦怎么办？" not in questions(selectors.entry_search(actor=social_worker, text="睡不着"))
    assert services.index_rebuild() == len(SET)
    assert questions(selectors.entry_search(actor=social_worker, text="噩梦")) == ["晚上总做噩梦怎么办？"]


def test_engine_matches_the_database():
    assert backend().vendor == connection.vendor


@pytest.mark.django_db
def test_reindex_command_rebuilds_the_index(library, social_worker):
    from io import StringIO

    from django.core.management import call_command

    backend().clear()
    assert selectors.entry_search(actor=social_worker, text="口罩").hits == []
    out = StringIO()
    call_command("knowledge_reindex", stdout=out)
    assert f"已重建资源库索引：{len(SET)} 条" in out.getvalue()
    assert len(selectors.entry_search(actor=social_worker, text="口罩").hits) == 2
