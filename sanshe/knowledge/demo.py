"""Demo library on top of the core demo: a few hundred reviewed answers, drafts harvested from the chat,
a near-duplicate, answers expired and about to expire, and an unanswered client question in the focus group.

Deterministic and idempotent. Builds on the demo staff by username (shegong reviews everything, yiwu the
medical categories, xinli the psychological one, mishu drafts) and, when the groups demo ran first, on its
focus group and resident (jumin).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from sanshe.accounts.models import User

from . import services
from .demo_entries import ALL_ENTRIES, CHAT_QUESTIONS
from .models import Category, Entry, KnowledgeField

REVIEWER_FOR_FIELD = {KnowledgeField.MEDICAL: "yiwu", KnowledgeField.PSYCHOLOGICAL: "xinli",
                      KnowledgeField.GENERAL: "shegong"}
# Answers that reach their valid-until date soon or have passed it, to show re-review (by index in ALL_ENTRIES).
EXPIRED_EVERY = 53
EXPIRING_EVERY = 41
NEAR_DUPLICATE = ("孩子发烧了要不要马上去医院？", "先看孩子精神状态，精神好可以在家观察；精神差、呼吸快、持续呕吐要马上去医院。")
OPEN_QUESTION = "被隔离在家好几天了，感觉很孤独、很烦躁，晚上也睡不着，有什么办法吗？"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


@transaction.atomic
def demo_load(*, today: date) -> str:
    """Write the demo library (nothing if it exists); returns a one-line Chinese summary."""
    shegong = _user("shegong")
    if shegong is None:
        return "资源库：未找到演示社工账号，跳过"
    if Entry.objects.filter(question=ALL_ENTRIES[0][1]).exists():
        return "资源库：演示数据已存在"
    services.ensure_default_categories()
    categories = {c.name: c for c in Category.objects.all()}
    drafter = _user("mishu") or shegong
    published = expired = expiring = 0
    for index, (category_name, question, answer, tags) in enumerate(ALL_ENTRIES):
        category = categories[category_name]
        reviewer = _user(REVIEWER_FOR_FIELD[category.field]) or shegong
        entry = services.entry_create(actor=drafter, question=question, answer=answer, category=category, tags=tags)
        # Spread the review dates so the FAQ and the queues look like weeks of work, not one instant.
        days = category.default_valid_days - index % 20
        if index % EXPIRING_EVERY == 7:
            days = 1 + index % 6
            expiring += 1
        services.entry_publish(actor=reviewer, entry=entry, valid_until=today + timedelta(days=days))
        published += 1
        if index % EXPIRED_EVERY == 11:
            # Time passing in the demo: the answer's validity ended three days ago and it waits for re-review.
            Entry.objects.filter(pk=entry.pk).update(valid_until=today - timedelta(days=3))
            expired += 1
    medic = _user("yiwu2") or _user("yiwu") or shegong
    services.entry_create(actor=medic, question=NEAR_DUPLICATE[0], answer=NEAR_DUPLICATE[1],
                          category=categories["就医指引"], tags="儿童、发热")
    harvested = _chat_drafts(drafter=drafter)
    return (f"资源库：已发布{published}条（{expired}条已过期待复审、{expiring}条7天内到期），"
            f"草稿{1 + harvested}条（{harvested}条来自群聊，1条疑似重复），群里待答提问{1 if harvested else 0}条")


def _chat_drafts(*, drafter: User) -> int:
    """Questions and replies in the focus group made into drafts, and one question left for the counsellor."""
    from sanshe.groups import services as group_services
    from sanshe.groups.models import Group, GroupMember, GroupTier, MemberStatus

    client = _user("jumin")
    if client is None:
        return 0
    member = (GroupMember.objects.filter(user=client, status=MemberStatus.ACTIVE, group__tier=GroupTier.FOCUS)
              .select_related("group").order_by("group_id").first())
    if member is None:
        return 0
    group = member.group
    helpers = {"medical": _user("yiwu"), "psychological": _user("xinli")}
    drafts = 0
    for kind, asked_text, reply_text in CHAT_QUESTIONS:
        helper = helpers[kind]
        if helper is None or not GroupMember.objects.filter(group=group, user=helper,
                                                            status=MemberStatus.ACTIVE).exists():
            continue
        asked = group_services.message_send(actor=client, group=Group.objects.get(pk=group.pk), body=asked_text).message
        reply = group_services.message_send(actor=helper, group=Group.objects.get(pk=group.pk), body=reply_text,
                                            reply_to_id=asked.pk).message
        author = drafter if GroupMember.objects.filter(group=group, user=drafter,
                                                       status=MemberStatus.ACTIVE).exists() else helper
        services.entry_draft_from_chat(actor=author, question_message_id=asked.pk, answer_message_id=reply.pk)
        drafts += 1
    group_services.message_send(actor=client, group=Group.objects.get(pk=group.pk), body=OPEN_QUESTION)
    return drafts
