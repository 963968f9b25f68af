"""Review workflow and its permissions, versions with their reviewers, merging, duplicates, audit, and the chat."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from sanshe.core.models import AuditEvent
from sanshe.knowledge import selectors, services
from sanshe.knowledge.models import Entry, EntryAction, EntrySource, EntryStatus, SuggestionUse

from .conftest import publish, put_on_duty, say

pytestmark = pytest.mark.django_db


def later(days: int = 30):
    return timezone.localdate() + timedelta(days=days)


def test_a_draft_is_seen_by_its_author_and_its_reviewers_only(world, categories, secretary, medic, counsellor,
                                                              social_worker, community_worker):
    draft = services.entry_create(actor=secretary, question="孩子发烧怎么办？", answer="观察精神状态。",
                                  category=categories["就医指引"])
    assert draft.status == EntryStatus.DRAFT and draft.source == EntrySource.MANUAL
    for user in (secretary, medic, social_worker):
        assert selectors.access_entry(actor=user, entry_id=draft.pk) == draft
    for user in (counsellor, community_worker):  # psych reviewer, and someone who only drafts
        with pytest.raises(Http404):
            selectors.access_entry(actor=user, entry_id=draft.pk)
    version = draft.versions.get()
    assert (version.number, version.action, version.editor, version.reviewer) == (1, EntryAction.DRAFTED, secretary,
                                                                                  None)


def test_residents_and_outsiders_cannot_use_the_library(world, categories, resident):
    with pytest.raises(PermissionDenied):
        services.entry_create(actor=resident, question="问", answer="答")


def test_reviewers_publish_only_in_their_field(world, categories, secretary, medic, counsellor, social_worker):
    medical = services.entry_create(actor=secretary, question="口罩多久换一次？", answer="4小时左右。",
                                    category=categories["防护知识"])
    feelings = services.entry_create(actor=secretary, question="焦虑怎么办？", answer="规律作息。",
                                     category=categories["心理支持"])
    with pytest.raises(Http404):  # the counsellor does not even see a medical draft
        services.entry_publish(actor=counsellor, entry=medical, valid_until=later())
    with pytest.raises(Http404):
        services.entry_publish(actor=medic, entry=feelings, valid_until=later())
    services.entry_publish(actor=medic, entry=medical, valid_until=later())
    services.entry_publish(actor=counsellor, entry=feelings, valid_until=later())
    # A medic re-filing a medical entry under a psychological category would review outside their field.
    medical.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.entry_update(actor=medic, entry=medical, question=medical.question, answer=medical.answer,
                              category=categories["心理支持"], valid_until=medical.valid_until)
    assert "请交给该领域的审核人" in error.value.message_dict["category"][0]


def test_the_author_edits_a_draft_but_cannot_publish_it(world, categories, secretary):
    draft = services.entry_create(actor=secretary, question="问题", answer="答复", category=categories["其他"])
    services.entry_update(actor=secretary, entry=draft, question="改过的问题", answer="答复", category=draft.category)
    with pytest.raises(PermissionDenied):
        services.entry_update(actor=secretary, entry=draft, question="改过的问题", answer="答复",
                              category=draft.category, valid_until=later(), publish=True)
    assert Entry.objects.get(pk=draft.pk).status == EntryStatus.DRAFT


def test_publishing_needs_a_category_and_a_valid_until_date(world, categories, social_worker):
    draft = services.entry_create(actor=social_worker, question="问题", answer="答复")
    with pytest.raises(ValidationError) as error:
        services.entry_publish(actor=social_worker, entry=draft, valid_until=later())
    assert error.value.message_dict["category"] == ["发布前请选择分类。"]
    with pytest.raises(ValidationError) as error:
        services.entry_update(actor=social_worker, entry=draft, question="问题", answer="答复",
                              category=categories["其他"], valid_until=None, publish=True)
    assert "每条答复都要写明有效期" in error.value.message_dict["valid_until"][0]
    with pytest.raises(ValidationError) as error:
        services.entry_update(actor=social_worker, entry=draft, question="问题", answer="答复",
                              category=categories["其他"], valid_until=timezone.localdate() - timedelta(1), publish=True)
    assert "有效期不能早于今天" in error.value.message_dict["valid_until"][0]
    assert Entry.objects.get(pk=draft.pk).status == EntryStatus.DRAFT


def test_every_version_is_kept_with_its_editor_and_reviewer(world, categories, secretary, medic):
    entry = services.entry_create(actor=secretary, question="口罩怎么戴？", answer="盖住口鼻。",
                                  category=categories["防护知识"])
    services.entry_update(actor=medic, entry=entry, question="怎样正确佩戴口罩？", answer="金属条在上，盖住口鼻和下巴。",
                          category=entry.category, valid_until=later(), publish=True, note="补充要点")
    entry.refresh_from_db()
    services.entry_publish(actor=medic, entry=entry, valid_until=later(60))
    entry.refresh_from_db()
    services.entry_retire(actor=medic, entry=entry, reason="已有更完整的条目")
    rows = list(entry.versions.order_by("number").values_list("number", "action", "question", "editor", "reviewer",
                                                               "note"))
    assert rows == [
        (1, "drafted", "口罩怎么戴？", secretary.pk, None, ""),
        (2, "published", "怎样正确佩戴口罩？", medic.pk, medic.pk, "补充要点"),
        (3, "published", "怎样正确佩戴口罩？", medic.pk, medic.pk, "复审续期"),
        (4, "retired", "怎样正确佩戴口罩？", medic.pk, medic.pk, "已有更完整的条目"),
    ]
    actions = list(AuditEvent.objects.filter(object_id=str(entry.pk), object_type="knowledge.entry")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["knowledge.entry.draft", "knowledge.entry.publish", "knowledge.entry.renew",
                       "knowledge.entry.retire"]
    with pytest.raises(PermissionError):
        entry.versions.first().save()


def test_retiring_needs_a_reason(world, categories, social_worker):
    entry = publish(social_worker, categories["其他"], "问题", "答复")
    with pytest.raises(ValidationError) as error:
        services.entry_retire(actor=social_worker, entry=entry, reason="  ")
    assert "请写明下架原因" in error.value.messages[0]


def test_near_duplicates_are_flagged_when_drafting_and_merged_by_a_reviewer(world, categories, secretary, medic):
    kept = publish(medic, categories["就医指引"], "孩子发烧了要去医院吗？", "精神差要就医。", tags="儿童")
    unrelated = publish(medic, categories["防护知识"], "口罩多久换一次？", "4小时。")
    draft = services.entry_create(actor=secretary, question="小孩发热需要去医院吗", answer="呼吸急促要就医。",
                                  category=categories["就医指引"], tags="发热")
    assert [f.similar_id for f in draft.duplicate_flags.all()] == [kept.pk]
    assert unrelated.pk not in [f.similar_id for f in draft.duplicate_flags.all()]
    merged = services.entry_merge(actor=medic, target=kept, source=draft, question="孩子发烧了要去医院吗？",
                                  answer="精神差、呼吸急促要就医。")
    draft.refresh_from_db()
    assert draft.status == EntryStatus.MERGED and draft.merged_into == merged
    assert merged.status == EntryStatus.PUBLISHED and merged.reviewed_by == medic
    assert sorted(merged.tag_names) == ["儿童", "发热"]
    assert merged.versions.first().note == f"合并了 #{draft.pk}"
    # A merged entry no longer appears anywhere it could be sent from.
    assert all(h.entry.pk != draft.pk for h in selectors.suggest_answers(text="小孩发热需要去医院吗"))
    with pytest.raises(ValidationError):
        services.entry_merge(actor=medic, target=merged, source=draft, question="问", answer="答")


def test_dismissed_duplicates_stay_dismissed(world, categories, secretary, social_worker):
    kept = publish(social_worker, categories["其他"], "怎么加入咨询群？", "扫码进群。")
    draft = services.entry_create(actor=secretary, question="怎么加入咨询群", answer="找社工。")
    flag = draft.duplicate_flags.get()
    services.flag_dismiss(actor=social_worker, flag_id=flag.pk)
    services.entry_update(actor=social_worker, entry=draft, question="如何加入咨询群", answer="找社工。",
                          category=None)
    assert not draft.duplicate_flags.filter(dismissed_at__isnull=True, similar=kept).exists()


# ------------------------------------------------------------------------------------------------ chat

def test_a_clients_question_and_a_staff_reply_become_a_draft_with_its_source(focus, world, categories, secretary,
                                                                           counsellor, resident, social_worker):
    put_on_duty(social_worker, focus, counsellor, "psychological")
    asked = say(resident, focus, "最近总是睡不着，怎么办？")
    reply = say(counsellor, focus, "睡前一小时不看手机，试试腹式呼吸。", reply_to_id=asked.pk)
    entry = services.entry_draft_from_chat(actor=secretary, question_message_id=asked.pk,
                                           answer_message_id=reply.pk, question="晚上总是睡不着怎么办？")
    assert (entry.question, entry.answer) == ("晚上总是睡不着怎么办？", "睡前一小时不看手机，试试腹式呼吸。")
    assert (entry.source, entry.source_question, entry.source_answer, entry.source_group) == (
        EntrySource.CHAT, asked, reply, focus)
    assert entry.source_label.startswith("阳光聚焦服务群 · ")
    detail = selectors.entry_detail(actor=social_worker, entry=entry)
    assert detail.source_url == f"/groups/{focus.pk}/#m{asked.pk}"


def test_only_a_clients_message_is_a_question_and_only_a_later_staff_reply_its_answer(
        focus, world, categories, secretary, counsellor, resident, social_worker):
    put_on_duty(social_worker, focus, counsellor, "psychological")
    early = say(counsellor, focus, "大家好，我是今天的心理值班员。")
    asked = say(resident, focus, "心里很烦怎么办？")
    client_again = say(resident, focus, "有人吗？")
    with pytest.raises(ValidationError) as error:
        services.entry_draft_from_chat(actor=secretary, question_message_id=early.pk)
    assert error.value.message_dict["question"] == ["只能把服务对象或居民发出的提问收入资源库。"]
    for wrong in (early, client_again):
        with pytest.raises(ValidationError) as error:
            services.entry_draft_from_chat(actor=secretary, question_message_id=asked.pk, answer_message_id=wrong.pk)
        assert "由工作人员发出的答复" in error.value.message_dict["answer"][0]
    with pytest.raises(ValidationError) as error:  # no reply chosen and none written
        services.entry_draft_from_chat(actor=secretary, question_message_id=asked.pk)
    assert error.value.message_dict["answer"] == ["请填写答复。"]


def test_staff_outside_the_group_cannot_harvest_its_messages(focus, world, community_worker, resident, outsider):
    asked = say(resident, focus, "心里很烦怎么办？")
    with pytest.raises(Http404):  # the outsider cannot read the group at all
        services.entry_draft_from_chat(actor=outsider, question_message_id=asked.pk, answer="答")


def test_on_duty_helper_sends_a_suggestion_once_through_the_group(focus, world, categories, counsellor, resident,
                                                                  social_worker):
    from sanshe.groups.models import Message

    entry = publish(counsellor, categories["心理支持"], "晚上睡不着觉怎么办？", "固定作息，睡前不看手机。")
    asked = say(resident, focus, "晚上睡不着怎么办？")
    with pytest.raises(ValidationError) as error:  # off duty: the group's own rule refuses
        services.suggestion_send(actor=counsellor, entry_id=entry.pk, question_message_id=asked.pk)
    assert "非值班时间" in error.value.messages[0]
    put_on_duty(social_worker, focus, counsellor, "psychological")
    sent = services.suggestion_send(actor=counsellor, entry_id=entry.pk, question_message_id=asked.pk)
    again = services.suggestion_send(actor=counsellor, entry_id=entry.pk, question_message_id=asked.pk)
    message = Message.objects.get(pk=sent.message_id)
    assert (message.body, message.sender, message.reply_to, message.status) == (
        "固定作息，睡前不看手机。", counsellor, asked, "published")
    assert again.message_id == sent.message_id and not again.created
    assert SuggestionUse.objects.filter(entry=entry).count() == 1
    entry.refresh_from_db()
    assert entry.use_count == 1
    assert AuditEvent.objects.filter(action="knowledge.suggestion.send", object_id=str(entry.pk)).count() == 1


def test_an_expired_answer_cannot_be_sent(focus, world, categories, counsellor, resident, social_worker):
    entry = publish(counsellor, categories["心理支持"], "焦虑怎么办？", "慢慢呼吸。")
    Entry.objects.filter(pk=entry.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    put_on_duty(social_worker, focus, counsellor, "psychological")
    asked = say(resident, focus, "很焦虑怎么办？")
    with pytest.raises(ValidationError) as error:
        services.suggestion_send(actor=counsellor, entry_id=entry.pk, question_message_id=asked.pk)
    assert error.value.messages == ["这条答复已下架或已过有效期，不能发送。"]


def test_categories_are_editable_and_renaming_reindexes(world, categories, social_worker, medic):
    entry = publish(social_worker, categories["生活物资"], "怎么买菜？", "社区团购。")
    with pytest.raises(PermissionDenied):
        services.category_create(actor=medic, name="复工复产", field="general")
    services.category_update(actor=social_worker, category=categories["生活物资"], name="生活保障", field="general",
                             sort_order=60, default_valid_days=30, is_active=True)
    page = selectors.entry_search(actor=social_worker, text="生活保障")
    assert [h.entry.pk for h in page.hits] == [entry.pk]
    with pytest.raises(ValidationError) as error:
        services.category_create(actor=social_worker, name="其他", field="general")
    assert error.value.message_dict["name"] == ["已有名为“其他”的分类。"]
