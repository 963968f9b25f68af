"""Pages: who gets in (anonymous → login, residents → 403, out-of-scope → 404), what they see, bad input kept,
the public FAQ, the chat panel endpoints, and flat query counts on lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sanshe.knowledge import services
from sanshe.knowledge.models import Entry, EntryStatus

from .conftest import publish, put_on_duty, say

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/knowledge/", "/knowledge/new/", "/knowledge/?q=口罩"]


def test_anonymous_users_go_to_the_login_page(client, world, categories):
    for url in STAFF_PAGES + ["/knowledge/review/", "/knowledge/export.xlsx"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert client.get("/knowledge/chat/marks/?group=1", HTTP_ACCEPT="application/json").status_code == 401


def test_residents_get_403_everywhere_but_the_faq(client, world, categories, resident):
    client.force_login(resident)
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 403, url
    assert client.get("/knowledge/faq/").status_code == 200


def test_role_pages_answer_403_for_roles_that_cannot(client, world, categories, secretary, medic, org_admin):
    client.force_login(secretary)
    for url in ["/knowledge/review/", "/knowledge/categories/", "/knowledge/import/", "/knowledge/export.xlsx"]:
        assert client.get(url).status_code == 403, url
    client.force_login(medic)
    assert client.get("/knowledge/review/").status_code == 200
    assert client.get("/knowledge/import/").status_code == 403
    client.force_login(org_admin)
    assert client.get("/knowledge/export.xlsx").status_code == 200
    assert client.get("/knowledge/categories/").status_code == 200


def test_someone_elses_draft_is_404_and_a_visible_entry_they_cannot_edit_is_403(client, world, categories,
                                                                               secretary, community_worker,
                                                                               social_worker):
    draft = services.entry_create(actor=secretary, question="问题", answer="答复")
    published = publish(social_worker, categories["其他"], "已发布的问题", "答复")
    client.force_login(community_worker)
    assert client.get(f"/knowledge/{draft.pk}/").status_code == 404
    assert client.get(f"/knowledge/{draft.pk}/edit/").status_code == 404
    assert client.get(f"/knowledge/{published.pk}/").status_code == 200
    assert client.get(f"/knowledge/{published.pk}/edit/").status_code == 403
    assert client.post(f"/knowledge/{published.pk}/retire/", {"reason": "x"}).status_code == 403


def test_bad_input_shows_chinese_messages_and_keeps_what_was_typed(client, world, categories, secretary):
    client.force_login(secretary)
    long_answer = "这是一段很长的答复。" * 210
    response = client.post("/knowledge/new/", {"question": "口罩怎么戴？", "answer": long_answer, "tags": "口罩"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "答复最多 2000 字（现在 2100 字）" in page
    assert "口罩怎么戴？" in page and long_answer in page
    response = client.post("/knowledge/new/", {"question": "", "answer": ""})
    assert "请填写问题。" in response.content.decode() and "请填写答复。" in response.content.decode()
    assert not Entry.objects.exists()


def test_a_reviewer_edits_and_publishes_from_the_form(client, world, categories, secretary, medic):
    draft = services.entry_create(actor=secretary, question="口罩怎么戴", answer="盖住口鼻",
                                  category=categories["防护知识"])
    client.force_login(medic)
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(f"/knowledge/{draft.pk}/edit/", {
        "question": "怎样正确佩戴口罩？", "answer": "金属条在上，盖住口鼻。", "category": categories["防护知识"].pk,
        "tags": "口罩", "valid_until": until, "note": "", "publish": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == EntryStatus.PUBLISHED and draft.reviewed_by == medic
    page = client.get(f"/knowledge/{draft.pk}/").content.decode()
    assert "审核发布" in page and "v2" in page


def test_faq_is_public_published_only_grouped_and_dated(client, world, categories, social_worker, secretary):
    publish(social_worker, categories["防护知识"], "口罩多久需要更换一次？", "4小时左右更换。")
    services.entry_create(actor=secretary, question="草稿：口罩能洗吗？", answer="不能。",
                          category=categories["防护知识"])
    expired = publish(social_worker, categories["政策解读"], "过期的政策问题", "旧规定。")
    Entry.objects.filter(pk=expired.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    response = client.get("/knowledge/faq/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "口罩多久需要更换一次？" in page and "防护知识" in page
    assert "草稿：口罩能洗吗？" not in page and "过期的政策问题" not in page
    assert f"审核于 {timezone.localdate():%Y年%-m月%-d日}" in page
    searched = client.get("/knowledge/faq/", {"q": "口罩 换"}).content.decode()
    assert "<mark>口罩</mark>" in searched


def test_library_list_and_search_have_flat_query_counts(client, world, categories, social_worker):
    client.force_login(social_worker)
    for index in range(3):
        publish(social_worker, categories["其他"], f"第{index}个口罩问题", "答复", tags="口罩")

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count("/knowledge/")  # the first request of a session loads it and the user once
    small_list, small_search = count("/knowledge/"), count("/knowledge/?q=口罩")
    for index in range(3, 15):
        publish(social_worker, categories["其他"], f"第{index}个口罩问题", "答复", tags="口罩")
    assert count("/knowledge/") == small_list
    assert count("/knowledge/?q=口罩") == small_search


# ------------------------------------------------------------------------------------------------ chat

def test_chat_marks_tell_staff_which_messages_are_client_questions(client, focus, world, categories, counsellor,
                                                                 resident, social_worker, outsider):
    put_on_duty(social_worker, focus, counsellor, "psychological")
    question = say(resident, focus, "晚上睡不着怎么办？")
    thanks = say(resident, focus, "好的")
    staff = say(counsellor, focus, "大家好")
    url = f"/knowledge/chat/marks/?group={focus.pk}&ids={question.pk},{thanks.pk},{staff.pk}"
    client.force_login(counsellor)
    assert client.get(url).json() == {"clients": [question.pk, thanks.pk], "questions": [question.pk]}
    client.force_login(resident)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_the_suggestion_panel_shows_answers_to_read_and_sends_one(client, focus, world, categories, counsellor,
                                                                resident, social_worker):
    from sanshe.groups.models import Message

    entry = publish(counsellor, categories["心理支持"], "晚上睡不着觉怎么办？", "固定作息，睡前一小时不看手机。")
    question = say(resident, focus, "最近晚上总睡不着，怎么办？")
    client.force_login(counsellor)
    panel = client.get(f"/knowledge/chat/suggest/{question.pk}/").content.decode()
    assert "<mark>晚上睡不着</mark>觉怎么办？" in panel and "固定作息，睡前一小时不看手机。" in panel
    assert "非值班时间请勿在群内发言" in panel and "发送这条答复" not in panel  # off duty: read only
    put_on_duty(social_worker, focus, counsellor, "psychological")
    panel = client.get(f"/knowledge/chat/suggest/{question.pk}/").content.decode()
    assert "发送这条答复" in panel
    response = client.post("/knowledge/chat/send/", {"entry": entry.pk, "message": question.pk},
                           HTTP_HX_REQUEST="true")
    assert "已发送。" in response.content.decode()
    sent = Message.objects.filter(sender=counsellor, reply_to=question).get()
    assert sent.body == "固定作息，睡前一小时不看手机。"
    client.force_login(resident)
    assert client.get(f"/knowledge/chat/suggest/{question.pk}/").status_code == 403
    assert client.post("/knowledge/chat/send/", {"entry": entry.pk, "message": question.pk}).status_code == 403


def test_drafting_from_the_chat_page(client, focus, world, categories, secretary, counsellor, resident,
                                     social_worker):
    put_on_duty(social_worker, focus, counsellor, "psychological")
    question = say(resident, focus, "心里很烦，睡不着怎么办？")
    reply = say(counsellor, focus, "试试睡前腹式呼吸。", reply_to_id=question.pk)
    client.force_login(secretary)
    page = client.get(f"/knowledge/from-chat/{question.pk}/").content.decode()
    assert "心里很烦，睡不着怎么办？" in page and "试试睡前腹式呼吸。" in page
    response = client.post(f"/knowledge/from-chat/{question.pk}/", {
        "question": "心里烦、睡不着怎么办？", "answer_message": reply.pk, "answer": "", "tags": "失眠"})
    entry = Entry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/knowledge/{entry.pk}/"
    assert (entry.question, entry.answer, entry.source_answer_id) == ("心里烦、睡不着怎么办？", "试试睡前腹式呼吸。",
                                                                      reply.pk)


def test_suggestions_work_in_a_private_thread_too(client, focus, world, categories, counsellor, resident,
                                                 social_worker, medic):
    from sanshe.groups import services as group_services
    from sanshe.groups.models import Group, Message

    entry = publish(counsellor, categories["心理支持"], "晚上睡不着觉怎么办？", "固定作息，睡前一小时不看手机。")
    put_on_duty(social_worker, focus, counsellor, "psychological")
    thread = group_services.thread_open(actor=resident, group=Group.objects.get(pk=focus.pk), kind="psychological")
    question = group_services.message_send(actor=resident, group=Group.objects.get(pk=focus.pk), thread=thread,
                                           body="我晚上睡不着，能私下聊聊吗？").message
    client.force_login(counsellor)
    marks = client.get(f"/knowledge/chat/marks/?thread={thread.pk}&ids={question.pk}").json()
    assert marks == {"clients": [question.pk], "questions": [question.pk]}
    client.post("/knowledge/chat/send/", {"entry": entry.pk, "message": question.pk}, HTTP_HX_REQUEST="true")
    sent = Message.objects.get(sender=counsellor, reply_to=question)
    assert sent.thread_id == thread.pk
    client.force_login(medic)  # in the group, but not in this private conversation
    assert client.get(f"/knowledge/chat/marks/?thread={thread.pk}&ids={question.pk}").status_code == 404
