"""Pure text rules: segmentation into terms, synonyms, highlighting (escaped), pinyin spans, similarity, tags."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sanshe.knowledge.backends import tsvector_literal
from sanshe.knowledge.services import clean_texts, parse_tags
from sanshe.knowledge.text import (
    Coverage,
    coverage,
    good_suggestion,
    highlight,
    index_tokens,
    pinyin_keys,
    pinyin_spans,
    plan_query,
    question_words,
    similarity,
)


def test_query_drops_filler_and_expands_synonyms():
    plan = plan_query("请问孩子发烧了怎么办？")
    words = [t.word for t in plan.terms]
    assert words == ["孩子", "发烧"]
    child, fever = plan.terms
    assert child.matches({"儿童"}) and child.matches({"宝宝"})
    assert fever.matches({"发热"}) and not fever.matches({"咳嗽"})


def test_a_long_word_also_matches_its_parts_and_numbers_do_not_flood():
    plan = plan_query("冠状病毒")
    assert plan.terms[0].matches({"新型", "冠状", "病毒"})
    assert [t.word for t in plan_query("体温37.5度").terms] == ["体温", "37"]


def test_index_tokens_hold_the_parts_of_long_words_without_punctuation():
    tokens = index_tokens("新型冠状病毒肺炎的主要症状有哪些？")
    assert {"冠状病毒", "冠状", "病毒", "肺炎", "症状"} <= set(tokens)
    assert "的" not in tokens and "？" not in tokens


def test_highlight_marks_words_and_escapes_everything_else():
    html = highlight("儿童<script>发热</script>怎么办", {"发热", "儿童"})
    assert html == "<mark>儿童</mark>&lt;script&gt;<mark>发热</mark>&lt;/script&gt;怎么办"


def test_highlight_window_keeps_the_first_match_in_view():
    html = highlight("甲" * 100 + "发热" + "乙" * 100, {"发热"}, limit=40)
    assert html.startswith("…") and html.endswith("…") and "<mark>发热</mark>" in html


def test_pinyin_initials_and_full_pinyin_find_the_characters():
    assert pinyin_keys("儿童发烧怎么办") == ("ertongfashaozenmeban", "etfszmb")
    assert pinyin_spans("儿童发烧怎么办", "fs") == [(2, 4)]
    assert pinyin_spans("儿童发烧怎么办", "fashao") == [(2, 4)]
    assert plan_query("FS").pinyin == "fs"
    assert plan_query("发烧").pinyin == ""


def test_similarity_counts_synonyms_as_the_same_word():
    assert similarity(question_words("孩子发烧怎么办"), question_words("儿童发热了怎么处理")) >= 0.6
    assert similarity(question_words("孩子发烧怎么办"), question_words("口罩多久换一次")) == 0


def test_suggestions_need_a_word_in_the_question_and_two_words_overall():
    plan = plan_query("老人咳嗽要去医院吗")
    found = coverage(plan, question_tokens=["老人"], other_tokens=["咳嗽"])
    assert found == Coverage(anywhere=2, in_question=1) and good_suggestion(plan, found)
    assert not good_suggestion(plan, coverage(plan, question_tokens=[], other_tokens=["老人", "咳嗽"]))


def test_tags_are_split_deduplicated_and_limited():
    assert parse_tags("老人，发热、老人 #口罩") == ["老人", "发热", "口罩"]
    with pytest.raises(ValidationError) as error:
        parse_tags("、".join(f"标签{i}" for i in range(9)))
    assert "最多 8 个" in error.value.message_dict["tags"][0]


def test_empty_and_too_long_texts_get_chinese_messages():
    with pytest.raises(ValidationError) as error:
        clean_texts("  ", "")
    assert error.value.message_dict == {"question": ["请填写问题。"], "answer": ["请填写答复。"]}
    with pytest.raises(ValidationError) as error:
        clean_texts("问题", "字" * 2001)
    assert "最多 2000 字（现在 2001 字）" in error.value.message_dict["answer"][0]


def test_tsvector_literal_weights_question_tags_answer():
    assert tsvector_literal("发热 儿童", "儿童", "发热") == "'发热':1A,4 '儿童':2A,3B"
    assert tsvector_literal("it's", "", "") == "'it''s':1A"
