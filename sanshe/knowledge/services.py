"""Writes for the library: draft (from chat or directly), edit, review and publish, retire, merge, import,
categories, and sending a suggested answer into a chat.

Every service re-checks access through the scoped queryset, validates, keeps a version of the text with
its editor and reviewer, keeps the full-text index in step in the same transaction, and audits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ActionForbidden

from .backends import Filters, backend, index_rows
from .models import (
    ANSWER_MAX_CHARS,
    CLAIM_VARIANTS_MAX_CHARS,
    DEBUNK_SOURCE_MAX_CHARS,
    MAX_TAGS,
    QUESTION_MAX_CHARS,
    TAG_MAX_CHARS,
    Category,
    DuplicateFlag,
    Entry,
    EntryAction,
    EntryKind,
    EntrySource,
    EntryStatus,
    EntryVersion,
    KnowledgeField,
    SuggestionUse,
    Tag,
)
from .policies import (
    can_review_category,
    require_category_manager,
    require_importer,
    require_staff,
)
from .selectors import CLIENT_MEMBER_ROLES, STAFF_MEMBER_ROLES, access_entry, member_role, works_in_group
from .text import DUPLICATE_THRESHOLD, index_tokens, pinyin_keys, plan_query, question_words, similarity

MAX_VALID_DAYS = 730
MAX_FLAGS = 5
DEFAULT_CATEGORIES = [
    # name, review field, order, default validity in days (policies change fastest)
    ("疫情科普", KnowledgeField.MEDICAL, 10, 90),
    ("辟谣", KnowledgeField.MEDICAL, 15, 365),
    ("防护知识", KnowledgeField.MEDICAL, 20, 90),
    ("政策解读", KnowledgeField.GENERAL, 30, 30),
    ("就医指引", KnowledgeField.MEDICAL, 40, 60),
    ("心理支持", KnowledgeField.PSYCHOLOGICAL, 50, 180),
    ("生活物资", KnowledgeField.GENERAL, 60, 30),
    ("其他", KnowledgeField.GENERAL, 70, 90),
]
_TAG_SPLIT = re.compile(r"[,，、;；\s#＃]+")


def _today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------- validation

def parse_tags(text: str | list[str] | None) -> list[str]:
    """Tags from "口罩，老人 儿童" (comma, 、, semicolon or space separated), de-duplicated, in order."""
    raw = text if isinstance(text, list) else _TAG_SPLIT.split(text or "")
    tags: list[str] = []
    for tag in raw:
        tag = tag.strip().strip("#＃")
        if tag and tag not in tags:
            tags.append(tag)
    too_long = [t for t in tags if len(t) > TAG_MAX_CHARS]
    if too_long:
        raise ValidationError({"tags": _("标签“%(tag)s”太长（每个最多 %(n)d 字）。")
                                       % {"tag": too_long[0][:20], "n": TAG_MAX_CHARS}})
    if len(tags) > MAX_TAGS:
        raise ValidationError({"tags": _("标签最多 %(n)d 个（现在 %(m)d 个）。") % {"n": MAX_TAGS, "m": len(tags)}})
    return tags


def clean_texts(question: str, answer: str) -> tuple[str, str]:
    """Trimmed question and answer, or a ValidationError naming every problem in Chinese."""
    question = (question or "").strip()
    answer = (answer or "").replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    if not question:
        errors["question"] = _("请填写问题。")
    elif len(question) > QUESTION_MAX_CHARS:
        errors["question"] = _("问题最多 %(n)d 字（现在 %(m)d 字），请精简。") % {"n": QUESTION_MAX_CHARS,
                                                                             "m": len(question)}
    if not answer:
        errors["answer"] = _("请填写答复。")
    elif len(answer) > ANSWER_MAX_CHARS:
        errors["answer"] = _("答复最多 %(n)d 字（现在 %(m)d 字）：群里一条消息发不下，请精简，或拆成几个问题。") % {
            "n": ANSWER_MAX_CHARS, "m": len(answer)}
    if errors:
        raise ValidationError(errors)
    return question, answer


def clean_valid_until(value: date | None, *, required: bool) -> date | None:
    if value is None:
        if required:
            raise ValidationError({"valid_until": _("发布前请填写“有效期至”：疫情期间信息变化快，每条答复都要写明有效期。")})
        return None
    today = _today()
    if value < today:
        raise ValidationError({"valid_until": _("有效期不能早于今天（%(today)s）。") % {"today": today.isoformat()}})
    if value > today + timedelta(days=MAX_VALID_DAYS):
        raise ValidationError({"valid_until": _("有效期最长两年，请到期后复审续期。")})
    return value


@dataclass(frozen=True)
class Debunk:
    """What a 辟谣 entry holds besides its claim (the question) and its refutation (the answer)."""

    kind: str = EntryKind.QA
    claim_variants: str = ""
    source: str = ""
    link: str = ""


def clean_debunk(debunk: Debunk | None, *, publishing: bool) -> Debunk:
    """The entry kind with its rumour fields trimmed; a published debunk names its source."""
    debunk = debunk or Debunk()
    if debunk.kind not in EntryKind.values:
        raise ValidationError({"kind": _("请选择条目类型。")})
    if debunk.kind != EntryKind.DEBUNK:
        return Debunk()
    variants = "\n".join(dict.fromkeys(line.strip() for line in (debunk.claim_variants or "").splitlines()
                                        if line.strip()))
    source, link = (debunk.source or "").strip(), (debunk.link or "").strip()
    errors: dict[str, str] = {}
    if len(variants) > CLAIM_VARIANTS_MAX_CHARS:
        errors["claim_variants"] = _("其他说法最多 %(n)d 字。") % {"n": CLAIM_VARIANTS_MAX_CHARS}
    if len(source) > DEBUNK_SOURCE_MAX_CHARS:
        errors["debunk_source"] = _("来源最多 %(n)d 字。") % {"n": DEBUNK_SOURCE_MAX_CHARS}
    if publishing and not source:
        errors["debunk_source"] = _("发布辟谣前请写明来源（如国家卫生健康委员会、中国疾控中心、中国互联网联合辟谣平台）。")
    if link and not re.match(r"^https?://[^\s]+\.[^\s]+$", link):
        errors["debunk_link"] = _("链接请以 http:// 或 https:// 开头。")
    if errors:
        raise ValidationError(errors)
    return Debunk(EntryKind.DEBUNK, variants, source, link)


def _apply_debunk(entry: Entry, debunk: Debunk) -> None:
    entry.kind, entry.claim_variants = debunk.kind, debunk.claim_variants
    entry.debunk_source, entry.debunk_link = debunk.source, debunk.link


def _check_category(category: Category | None) -> None:
    if category is not None and not category.is_active:
        raise ValidationError({"category": _("分类“%(name)s”已停用，请换一个分类。") % {"name": category.name}})


# ---------------------------------------------------------------------------------------------- helpers

def _search_material(entry: Entry, tags: list[str]) -> None:
    entry.question_tokens = " ".join(index_tokens(entry.question))
    entry.answer_tokens = " ".join(index_tokens(entry.answer))
    labels = tags + ([entry.category.name] if entry.category_id else [])
    entry.tag_tokens = " ".join(index_tokens(" ".join(labels)))
    entry.question_pinyin, entry.question_initials = pinyin_keys(entry.question)


def _tag_objects(names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    return [existing[n] for n in names]


def _store(entry: Entry, tags: list[str]) -> Entry:
    """Validate, save, set tags, and index — all inside the caller's transaction."""
    _search_material(entry, tags)
    entry.full_clean(exclude=["created_by", "reviewed_by", "merged_into", "source_group", "source_thread",
                              "source_question", "source_answer"])
    entry.save()
    entry.tags.set(_tag_objects(tags))
    backend().index(index_rows([entry]))
    return entry


def _version(entry: Entry, *, action: str, editor, tags: list[str], reviewer=None, note: str = "") -> EntryVersion:
    return EntryVersion.objects.create(
        entry=entry, number=entry.version, action=action, status=entry.status, question=entry.question,
        answer=entry.answer, category_name=entry.category.name if entry.category_id else "",
        tags="、".join(tags)[:200], valid_until=entry.valid_until, editor=editor, reviewer=reviewer, note=note[:200],
    )


def _flag_duplicates(entry: Entry) -> list[DuplicateFlag]:
    """Flag drafts and published entries whose question says nearly the same (for merging)."""
    DuplicateFlag.objects.filter(entry=entry, dismissed_at__isnull=True).delete()
    plan = plan_query(entry.question)
    if not plan.terms:
        return []
    candidates = backend().search(plan, mode="any", limit=30, filters=Filters(
        statuses=(EntryStatus.DRAFT, EntryStatus.PUBLISHED), exclude_ids=(entry.pk,)))
    words = question_words(entry.question)
    dismissed = set(DuplicateFlag.objects.filter(entry=entry).values_list("similar_id", flat=True))
    flags = []
    for other in Entry.objects.filter(pk__in=[pk for pk, _rank in candidates]).only("pk", "question"):
        score = similarity(words, question_words(other.question))
        if score >= DUPLICATE_THRESHOLD and other.pk not in dismissed:
            flags.append(DuplicateFlag(entry=entry, similar=other, score=round(score, 3)))
    flags.sort(key=lambda f: (-f.score, f.similar_id))
    return DuplicateFlag.objects.bulk_create(flags[:MAX_FLAGS])


def _audit(actor, action: str, entry: Entry | None = None, **detail) -> None:
    audit_record(actor=actor, action=action, obj=entry, detail=detail)


# ---------------------------------------------------------------------------------------------- drafting

@transaction.atomic
def entry_create(*, actor, question: str, answer: str, category: Category | None = None, tags: str | list = "",
                 valid_until: date | None = None, debunk: Debunk | None = None) -> Entry:
    """Write an entry directly (a question and answer, or a rumour and its debunk); it becomes a draft for
    review, with near-duplicates flagged."""
    require_staff(actor)
    question, answer = clean_texts(question, answer)
    tag_names = parse_tags(tags)
    _check_category(category)
    debunk = clean_debunk(debunk, publishing=False)
    entry = Entry(question=question, answer=answer, category=category, created_by=actor,
                  valid_until=clean_valid_until(valid_until, required=False), source=EntrySource.MANUAL)
    _apply_debunk(entry, debunk)
    _store(entry, tag_names)
    _version(entry, action=EntryAction.DRAFTED, editor=actor, tags=tag_names,
             note=_("辟谣条目") if entry.is_debunk else "")
    flags = _flag_duplicates(entry)
    _audit(actor, "knowledge.entry.draft", entry, source="manual", duplicates=len(flags), kind=entry.kind)
    return entry


@transaction.atomic
def entry_draft_from_chat(*, actor, question_message_id: int, answer_message_id: int | None = None,
                          question: str = "", answer: str = "", category: Category | None = None,
                          tags: str | list = "") -> Entry:
    """Mark a client's message as a question and a staff reply as its answer: a draft that keeps its source.

    The texts start as the messages' own words; the drafter may already rewrite them (take out names and
    addresses), and the reviewer edits them before publishing.
    """
    from sanshe.groups.models import MessageStatus
    from sanshe.groups.selectors import access_message

    require_staff(actor)
    asked = access_message(actor=actor, message_id=question_message_id)
    if not works_in_group(actor=actor, group=asked.group):
        raise ActionForbidden(_("只有本群的工作人员可以把群里的问答收入资源库。"))
    if (asked.status != MessageStatus.PUBLISHED
            or member_role(group_id=asked.group_id, user_id=asked.sender_id) not in CLIENT_MEMBER_ROLES):
        raise ValidationError({"question": _("只能把服务对象或居民发出的提问收入资源库。")})
    replied = None
    if answer_message_id:
        replied = access_message(actor=actor, message_id=answer_message_id, group=asked.group)
        by_staff = (replied.sender_id is not None and replied.sender_id == asked.group.admin_id
                    or member_role(group_id=asked.group_id, user_id=replied.sender_id) in STAFF_MEMBER_ROLES)
        if (replied.thread_id != asked.thread_id or replied.status != MessageStatus.PUBLISHED or not by_staff
                or (replied.seq or 0) <= (asked.seq or 0)):
            raise ValidationError({"answer": _("请选择同一会话里、在这条提问之后由工作人员发出的答复。")})
    question = question.strip() or asked.body
    answer = answer.strip() or (replied.body if replied else "")
    question, answer = clean_texts(question, answer)
    tag_names = parse_tags(tags)
    _check_category(category)
    when = timezone.localtime(asked.published_at or asked.created_at)
    label = f"{asked.group.name} · {when:%Y-%m-%d %H:%M}" + (_(" · 私聊") if asked.thread_id else "")
    entry = Entry(question=question, answer=answer, category=category, created_by=actor, source=EntrySource.CHAT,
                  source_group=asked.group, source_thread=asked.thread, source_question=asked,
                  source_answer=replied, source_label=label[:120])
    _store(entry, tag_names)
    _version(entry, action=EntryAction.DRAFTED, editor=actor, tags=tag_names, note=_("来自群聊问答"))
    flags = _flag_duplicates(entry)
    _audit(actor, "knowledge.entry.draft", entry, source="chat", group=asked.group_id, question=asked.pk,
           answer=replied.pk if replied else None, duplicates=len(flags))
    return entry


# ---------------------------------------------------------------------------------------------- review

def _require_field(actor, category: Category | None, *, field: str = "category") -> None:
    if not can_review_category(actor, category):
        label = category.get_field_display() if category is not None else _("未分类")
        raise ValidationError({field: _("您不能审核“%(cat)s”（%(field)s）类的条目，请交给该领域的审核人。") % {
            "cat": category.name if category is not None else _("未分类"), "field": label}})


@transaction.atomic
def entry_update(*, actor, entry: Entry, question: str, answer: str, category: Category | None,
                 tags: str | list = "", valid_until: date | None = None, note: str = "",
                 publish: bool = False, debunk: Debunk | None = None) -> Entry:
    """Edit an entry (its author while it is a draft; a reviewer of its field at any time), optionally publishing.

    A reviewer's edit of a published entry stays published under their review; every change is a version.
    """
    entry = access_entry(actor=actor, entry_id=entry.pk, action="edit", lock=True)
    reviewer = Entry.objects.for_actor(actor, "review").filter(pk=entry.pk).exists()
    if entry.status == EntryStatus.MERGED:
        raise ValidationError(_("这条已合并到其他条目，请修改合并后的条目。"))
    if (publish or entry.status != EntryStatus.DRAFT) and not reviewer:
        raise ActionForbidden(_("只有审核人可以发布或修改已审核的条目。"))
    question, answer = clean_texts(question, answer)
    tag_names = parse_tags(tags)
    if category is not None and category.pk != entry.category_id:
        _check_category(category)
    if reviewer:
        _require_field(actor, category)
    goes_live = publish or entry.status == EntryStatus.PUBLISHED
    if goes_live and category is None:
        raise ValidationError({"category": _("发布前请选择分类。")})
    # An unchanged date on a draft may lie in the past; anything going live must hold from today on.
    if goes_live or valid_until != entry.valid_until:
        valid_until = clean_valid_until(valid_until, required=goes_live)
    if debunk is None:  # a caller that does not edit the kind keeps the entry's own
        debunk = Debunk(entry.kind, entry.claim_variants, entry.debunk_source, entry.debunk_link)
    debunk = clean_debunk(debunk, publishing=goes_live)
    before = (entry.question, entry.answer, entry.category_id, entry.valid_until, sorted(entry.tag_names),
              entry.status, entry.kind, entry.claim_variants, entry.debunk_source, entry.debunk_link)
    question_changed = question != entry.question
    entry.question, entry.answer, entry.category, entry.valid_until = question, answer, category, valid_until
    _apply_debunk(entry, debunk)
    now = timezone.now()
    if publish:
        entry.status = EntryStatus.PUBLISHED
        entry.retired_at, entry.retired_reason = None, ""
    if entry.status == EntryStatus.PUBLISHED:
        entry.reviewed_by, entry.reviewed_at = actor, now
        entry.first_published_at = entry.first_published_at or now
    after = (entry.question, entry.answer, entry.category_id, entry.valid_until, sorted(tag_names), entry.status,
             entry.kind, entry.claim_variants, entry.debunk_source, entry.debunk_link)
    if before == after and not publish:
        return entry
    entry.version += 1
    _store(entry, tag_names)
    action = EntryAction.PUBLISHED if publish else EntryAction.EDITED
    _version(entry, action=action, editor=actor, tags=tag_names, note=note,
             reviewer=actor if entry.status == EntryStatus.PUBLISHED else None)
    if entry.status == EntryStatus.DRAFT and question_changed:
        _flag_duplicates(entry)
    _audit(actor, "knowledge.entry.publish" if publish else "knowledge.entry.edit", entry, version=entry.version)
    return entry


@transaction.atomic
def entry_publish(*, actor, entry: Entry, valid_until: date | None, note: str = "") -> Entry:
    """Publish a draft as it stands, republish a retired entry, or renew an expired one after re-review."""
    entry = access_entry(actor=actor, entry_id=entry.pk, action="review", lock=True)
    if entry.status == EntryStatus.MERGED:
        raise ValidationError(_("这条已合并到其他条目，不能单独发布。"))
    if entry.category_id is None:
        raise ValidationError({"category": _("发布前请选择分类。")})
    if entry.is_debunk:
        clean_debunk(Debunk(entry.kind, entry.claim_variants, entry.debunk_source, entry.debunk_link), publishing=True)
    entry.valid_until = clean_valid_until(valid_until, required=True)
    renewing = entry.status == EntryStatus.PUBLISHED
    now = timezone.now()
    entry.status = EntryStatus.PUBLISHED
    entry.retired_at, entry.retired_reason = None, ""
    entry.reviewed_by, entry.reviewed_at = actor, now
    entry.first_published_at = entry.first_published_at or now
    entry.version += 1
    tags = entry.tag_names
    _store(entry, tags)
    _version(entry, action=EntryAction.PUBLISHED, editor=actor, reviewer=actor, tags=tags,
             note=note or (_("复审续期") if renewing else ""))
    _audit(actor, "knowledge.entry.renew" if renewing else "knowledge.entry.publish", entry, version=entry.version)
    return entry


@transaction.atomic
def entry_retire(*, actor, entry: Entry, reason: str) -> Entry:
    """Take a published entry off the FAQ and suggestions (or turn down a draft), with the reason kept."""
    entry = access_entry(actor=actor, entry_id=entry.pk, action="review", lock=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明下架原因（例如：政策已调整、内容有误）。")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("原因最多 200 字。")})
    if entry.status not in (EntryStatus.DRAFT, EntryStatus.PUBLISHED):
        raise ValidationError(_("这条已经下架或合并了。"))
    entry.status = EntryStatus.RETIRED
    entry.retired_at, entry.retired_reason = timezone.now(), reason
    entry.version += 1
    tags = entry.tag_names
    _store(entry, tags)
    _version(entry, action=EntryAction.RETIRED, editor=actor, reviewer=actor, tags=tags, note=reason)
    _audit(actor, "knowledge.entry.retire", entry, version=entry.version)
    return entry


@transaction.atomic
def entry_merge(*, actor, target: Entry, source: Entry, question: str, answer: str, tags: str | list = "",
                note: str = "") -> Entry:
    """Merge a near-duplicate into `target`: the target takes the combined text, the source points to it."""
    target = access_entry(actor=actor, entry_id=target.pk, action="review", lock=True)
    source = access_entry(actor=actor, entry_id=source.pk, action="review", lock=True)
    if target.pk == source.pk:
        raise ValidationError(_("不能把条目合并到它自己。"))
    for entry in (target, source):
        if entry.status not in (EntryStatus.DRAFT, EntryStatus.PUBLISHED):
            raise ValidationError(_("“%(q)s”已下架或已合并，不能再合并。") % {"q": entry.question[:30]})
    question, answer = clean_texts(question, answer)
    tag_names = parse_tags(tags) if tags else list(dict.fromkeys(target.tag_names + source.tag_names))[:MAX_TAGS]
    now = timezone.now()
    target.question, target.answer = question, answer
    if target.category_id is None and source.category_id is not None:
        target.category = source.category
    if target.status == EntryStatus.PUBLISHED:
        target.reviewed_by, target.reviewed_at = actor, now
    target.version += 1
    _store(target, tag_names)
    _version(target, action=EntryAction.MERGED, editor=actor, tags=tag_names,
             reviewer=actor if target.status == EntryStatus.PUBLISHED else None,
             note=(note or _("合并了 #%(id)d") % {"id": source.pk}))
    source.status, source.merged_into = EntryStatus.MERGED, target
    source.version += 1
    source_tags = source.tag_names
    _store(source, source_tags)
    _version(source, action=EntryAction.MERGED, editor=actor, reviewer=actor, tags=source_tags,
             note=_("合并到 #%(id)d") % {"id": target.pk})
    DuplicateFlag.objects.filter(entry__in=[target, source], similar__in=[target, source],
                                 dismissed_at__isnull=True).update(dismissed_at=now, dismissed_by=actor)
    _audit(actor, "knowledge.entry.merge", target, merged=source.pk, version=target.version)
    return target


@transaction.atomic
def flag_dismiss(*, actor, flag_id: int) -> DuplicateFlag:
    """The reviewer decides two entries are not duplicates after all."""
    flag = DuplicateFlag.objects.select_related("entry").filter(pk=flag_id).first()
    if flag is None:
        from sanshe.core.errors import ObjectNotFound

        raise ObjectNotFound(flag_id)
    access_entry(actor=actor, entry_id=flag.entry_id, action="review")
    if flag.dismissed_at is None:
        flag.dismissed_at, flag.dismissed_by = timezone.now(), actor
        flag.save(update_fields=["dismissed_at", "dismissed_by"])
        _audit(actor, "knowledge.duplicate.dismiss", flag.entry, similar=flag.similar_id)
    return flag


# ---------------------------------------------------------------------------------------------- categories

def ensure_default_categories() -> int:
    """Create the guide's categories that are missing (idempotent); returns how many were created."""
    created = 0
    for name, field, order, days in DEFAULT_CATEGORIES:
        _category, made = Category.objects.get_or_create(name=name, defaults={
            "field": field, "sort_order": order, "default_valid_days": days})
        created += made
    return created


def _clean_category(category: Category) -> None:
    category.name = (category.name or "").strip()
    if not category.name:
        raise ValidationError({"name": _("请填写分类名称。")})
    if Category.objects.filter(name=category.name).exclude(pk=category.pk).exists():
        raise ValidationError({"name": _("已有名为“%(name)s”的分类。") % {"name": category.name}})
    category.full_clean()


@transaction.atomic
def category_create(*, actor, name: str, field: str, sort_order: int = 100, default_valid_days: int = 90) -> Category:
    """Add a category (social workers and organisation admins)."""
    require_category_manager(actor)
    category = Category(name=name, field=field, sort_order=sort_order, default_valid_days=default_valid_days)
    _clean_category(category)
    category.save()
    _audit(actor, "knowledge.category.create", None, category=category.pk)
    return category


@transaction.atomic
def category_update(*, actor, category: Category, name: str, field: str, sort_order: int, default_valid_days: int,
                    is_active: bool) -> Category:
    """Rename, re-field, reorder or switch off a category; its entries are re-indexed under the new name."""
    require_category_manager(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    renamed = category.name != (name or "").strip()
    category.name, category.field, category.sort_order = name, field, sort_order
    category.default_valid_days, category.is_active = default_valid_days, is_active
    _clean_category(category)
    category.save()
    if renamed:
        entries = list(Entry.objects.filter(category=category).select_related("category").prefetch_related("tags"))
        for entry in entries:
            _search_material(entry, entry.tag_names)
        Entry.objects.bulk_update(entries, ["tag_tokens"], batch_size=500)
        backend().index(index_rows(entries))
    _audit(actor, "knowledge.category.update", None, category=category.pk, renamed=renamed)
    return category


# ---------------------------------------------------------------------------------------------- chat

@dataclass(frozen=True)
class SentAnswer:
    message_id: int
    status: str
    created: bool


@transaction.atomic
def suggestion_send(*, actor, entry_id: int, question_message_id: int) -> SentAnswer:
    """Send a published answer the on-duty helper has read, as their reply to the client's message.

    Goes through the groups' own message service (posting rights, duty, rules, fan-out after commit);
    sending the same answer to the same question twice gives the first message back.
    """
    from sanshe.groups import services as group_services
    from sanshe.groups.selectors import access_message

    require_staff(actor)
    asked = access_message(actor=actor, message_id=question_message_id)
    if not works_in_group(actor=actor, group=asked.group):
        raise ActionForbidden(_("只有本群的工作人员可以发送资源库答复。"))
    entry = Entry.objects.for_actor(actor, "view").published(today=_today()).filter(pk=entry_id).first()
    if entry is None:
        raise ValidationError(_("这条答复已下架或已过有效期，不能发送。"))
    result = group_services.message_send(
        actor=actor, group=asked.group, thread=asked.thread, body=entry.answer, reply_to_id=asked.pk,
        client_id=f"kb-{entry.pk}-{asked.pk}")
    if result.created:
        try:
            with transaction.atomic():
                SuggestionUse.objects.create(entry=entry, entry_version=entry.version, group=asked.group,
                                             question_message=asked, sent_message=result.message, sent_by=actor)
        except IntegrityError:
            pass
        Entry.objects.filter(pk=entry.pk).update(use_count=F("use_count") + 1)
        audit_record(actor=actor, action="knowledge.suggestion.send", obj=entry,
                     detail={"group": asked.group_id, "question": asked.pk, "message": result.message.pk,
                             "version": entry.version},
                     community_id=asked.group.community_id, organisation_id=asked.group.organisation_id)
    return SentAnswer(message_id=result.message.pk, status=result.message.status, created=result.created)


# ---------------------------------------------------------------------------------------------- import

@dataclass(frozen=True)
class ImportRow:
    """One parsed spreadsheet row (row number as shown in Excel)."""

    row: int
    entry_id: int | None
    question: str
    answer: str
    category: str
    tags: str
    valid_until: date | None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    published: bool


class ImportProblems(ValidationError):
    """Every problem of a file, row by row; nothing was imported."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(problems)


@transaction.atomic
def entries_import(*, actor, rows: list[ImportRow], publish: bool) -> ImportResult:
    """All or nothing: every row is checked first; one bad row imports none. Rows with 编号 update that entry.

    With `publish`, the importing social worker is the reviewer of every row (and the rows need a valid-until).
    """
    require_importer(actor)
    if not rows:
        raise ImportProblems([_("表格里没有数据行。")])
    categories = {c.name: c for c in Category.objects.filter(is_active=True)}
    wanted_ids = [r.entry_id for r in rows if r.entry_id]
    existing = {e.pk: e for e in Entry.objects.for_actor(actor, "review").filter(pk__in=wanted_ids)
                .select_related("category").select_for_update(of=("self",))}
    problems: list[str] = []
    prepared: list[tuple[ImportRow, str, str, Category | None, list[str], date | None]] = []
    seen_ids: set[int] = set()
    for row in rows:
        here = _("第 %(row)d 行：") % {"row": row.row}
        if row.problems:
            problems.extend(here + problem for problem in row.problems)
            continue
        try:
            question, answer = clean_texts(row.question, row.answer)
            tags = parse_tags(row.tags)
            category = categories.get(row.category.strip()) if row.category.strip() else None
            if row.category.strip() and category is None:
                raise ValidationError({"category": _("分类“%(name)s”不存在（可用：%(names)s）。") % {
                    "name": row.category.strip()[:20], "names": "、".join(categories)}})
            if publish and category is None:
                raise ValidationError({"category": _("要发布的条目必须填写分类。")})
            valid_until = clean_valid_until(row.valid_until, required=False) if row.valid_until else None
            if publish and valid_until is None:
                valid_until = _today() + timedelta(days=category.default_valid_days)
            if row.entry_id:
                if row.entry_id in seen_ids:
                    raise ValidationError({"id": _("编号 %(id)d 在表格里出现了两次。") % {"id": row.entry_id}})
                seen_ids.add(row.entry_id)
                target = existing.get(row.entry_id)
                if target is None or target.status == EntryStatus.MERGED:
                    raise ValidationError({"id": _("编号 %(id)d 的条目不存在、已合并，或不在您的审核范围内"
                                                   "（新条目请把编号留空）。") % {"id": row.entry_id}})
            if category is not None and publish:
                _require_field(actor, category)
        except ValidationError as error:
            for message in error.messages:
                problems.append(here + message)
            continue
        prepared.append((row, question, answer, category, tags, valid_until))
    if problems:
        raise ImportProblems(problems)

    created = updated = 0
    now = timezone.now()
    for row, question, answer, category, tags, valid_until in prepared:
        entry = existing.get(row.entry_id) if row.entry_id else None
        if entry is None:
            entry = Entry(created_by=actor, source=EntrySource.IMPORT)
            created += 1
        else:
            entry.version += 1
            updated += 1
        entry.question, entry.answer, entry.category = question, answer, category
        entry.valid_until = valid_until or entry.valid_until
        if publish:
            entry.status = EntryStatus.PUBLISHED
            entry.reviewed_by, entry.reviewed_at = actor, now
            entry.first_published_at = entry.first_published_at or now
            entry.retired_at, entry.retired_reason = None, ""
        _store(entry, tags)
        _version(entry, action=EntryAction.IMPORTED, editor=actor, tags=tags,
                 reviewer=actor if entry.status == EntryStatus.PUBLISHED else None,
                 note=_("表格导入第 %(row)d 行") % {"row": row.row})
    _audit(actor, "knowledge.import", None, created=created, updated=updated, published=publish)
    return ImportResult(created=created, updated=updated, published=publish)


def export_record(*, actor, count: int) -> None:
    """Audit an export of the library (the file is written by the view from the export selector)."""
    audit_record(actor=actor, action="knowledge.export", detail={"entries": count})


# ---------------------------------------------------------------------------------------------- maintenance

def index_rebuild(*, batch: int = 2000) -> int:
    """Recompute every entry's tokens and rewrite the search index (after a dictionary change)."""
    count = 0
    engine = backend()
    with transaction.atomic():
        engine.clear()
        start = 0
        while True:
            entries = list(Entry.objects.filter(pk__gt=start).select_related("category").prefetch_related("tags")
                           .order_by("pk")[:batch])
            if not entries:
                break
            for entry in entries:
                _search_material(entry, entry.tag_names)
            Entry.objects.bulk_update(entries, ["question_tokens", "answer_tokens", "tag_tokens", "question_pinyin",
                                                "question_initials"], batch_size=500)
            engine.index(index_rows(entries))
            count += len(entries)
            start = entries[-1].pk
    return count
