"""The resource library (线上抗疫资源信息库, 六(二)8): reviewed questions and answers, with every version kept."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from sanshe.core.models import TimeStampedModel

from .querysets import EntryQuerySet

USER = settings.AUTH_USER_MODEL
QUESTION_MAX_CHARS = 200
# An answer must fit in one chat message (the groups app accepts 2,000 characters).
ANSWER_MAX_CHARS = 2000
MAX_TAGS = 8
TAG_MAX_CHARS = 16


class KnowledgeField(models.TextChoices):
    """Whose expertise reviews a category (a medical or psych volunteer reviews their own field)."""

    MEDICAL = "medical", _("医务")
    PSYCHOLOGICAL = "psychological", _("心理")
    GENERAL = "general", _("综合（社工审核）")


class Category(TimeStampedModel):
    """A heading of the library and the FAQ page (疫情科普, 防护知识, …); renamed and reordered by staff."""

    name = models.CharField(_("分类名称"), max_length=20, unique=True)
    field = models.CharField(_("审核领域"), max_length=16, choices=KnowledgeField.choices,
                             default=KnowledgeField.GENERAL)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    default_valid_days = models.PositiveSmallIntegerField(_("默认有效天数"), default=90)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("资源库分类")
        verbose_name_plural = _("资源库分类")
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(default_valid_days__gte=1, default_valid_days__lte=730),
                                   name="knowledge_category_valid_days"),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("标签"), max_length=TAG_MAX_CHARS, unique=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已下架")
    MERGED = "merged", _("已合并")


class EntrySource(models.TextChoices):
    CHAT = "chat", _("群聊问答")
    MANUAL = "manual", _("直接撰写")
    IMPORT = "import", _("表格导入")


class EntryKind(models.TextChoices):
    QA = "qa", _("问答")
    # A rumour and its refutation: `question` holds the claim as people write it, `answer` the debunk; the group
    # chat holds messages repeating a published claim and offers the debunk to the admin as a one-tap reply.
    DEBUNK = "debunk", _("辟谣")


CLAIM_VARIANTS_MAX_CHARS = 1000
DEBUNK_SOURCE_MAX_CHARS = 100


class Entry(TimeStampedModel):
    """One question with its answer. The row is the current text; `versions` hold every earlier one."""

    question = models.CharField(_("问题"), max_length=QUESTION_MAX_CHARS)
    answer = models.TextField(_("答复"), max_length=ANSWER_MAX_CHARS,
                              validators=[MaxLengthValidator(ANSWER_MAX_CHARS)])
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="entries",
                                 verbose_name=_("分类"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries", verbose_name=_("标签"))
    status = models.CharField(_("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.DRAFT)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("起草人"))
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    first_published_at = models.DateTimeField(_("首次发布时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("下架时间"), null=True, blank=True)
    retired_reason = models.CharField(_("下架原因"), max_length=200, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_entries", verbose_name=_("合并到"))
    source = models.CharField(_("来源"), max_length=10, choices=EntrySource.choices, default=EntrySource.MANUAL)
    # Where a chat-harvested entry came from: the question and the staff reply it was drafted from.
    source_group = models.ForeignKey("groups.Group", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("来源群"))
    source_thread = models.ForeignKey("groups.PrivateThread", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("来源私聊"))
    source_question = models.ForeignKey("groups.Message", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("来源提问"))
    source_answer = models.ForeignKey("groups.Message", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("来源答复"))
    # Kept when the messages are gone: the group's name and the time of the question (never a person's name).
    source_label = models.CharField(_("来源说明"), max_length=120, blank=True)
    use_count = models.PositiveIntegerField(_("在群里发送次数"), default=0)
    kind = models.CharField(_("条目类型"), max_length=10, choices=EntryKind.choices, default=EntryKind.QA)
    claim_variants = models.TextField(_("谣言的其他说法"), blank=True, max_length=CLAIM_VARIANTS_MAX_CHARS)
    debunk_source = models.CharField(_("辟谣来源"), max_length=DEBUNK_SOURCE_MAX_CHARS, blank=True)
    debunk_link = models.URLField(_("来源链接"), max_length=300, blank=True)
    # Search material written by the services: jieba tokens (space-separated) and pinyin of the question.
    question_tokens = models.TextField(blank=True, editable=False)
    tag_tokens = models.TextField(blank=True, editable=False)
    answer_tokens = models.TextField(blank=True, editable=False)
    question_pinyin = models.CharField(max_length=400, blank=True, editable=False)
    question_initials = models.CharField(max_length=200, blank=True, editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("资源库条目")
        verbose_name_plural = _("资源库条目")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["status", "valid_until"], name="knowledge_status_valid"),
            models.Index(fields=["category", "status"], name="knowledge_category_status"),
            models.Index(fields=["created_by", "status"], name="knowledge_creator_status"),
            models.Index(fields=["kind", "status"], name="knowledge_kind_status"),
        ]
        constraints = [
            # A published answer always says until when it holds.
            models.CheckConstraint(condition=~models.Q(status="published") | models.Q(valid_until__isnull=False),
                                   name="knowledge_published_has_valid_until"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("answer"), ANSWER_MAX_CHARS),
                                   name="knowledge_answer_length"),
            # A published debunk always says whose refutation it is.
            models.CheckConstraint(condition=~models.Q(kind="debunk", status="published") | ~models.Q(debunk_source=""),
                                   name="knowledge_published_debunk_has_source"),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def tag_names(self) -> list[str]:
        return [t.name for t in self.tags.all()]

    @property
    def is_debunk(self) -> bool:
        return self.kind == EntryKind.DEBUNK

    @property
    def variant_list(self) -> list[str]:
        return [line.strip() for line in self.claim_variants.splitlines() if line.strip()]


class EntryAction(models.TextChoices):
    DRAFTED = "drafted", _("起草")
    EDITED = "edited", _("修改")
    PUBLISHED = "published", _("审核发布")
    RETIRED = "retired", _("下架")
    MERGED = "merged", _("合并")
    IMPORTED = "imported", _("导入")


class EntryVersion(models.Model):
    """One kept version of an entry's text: who wrote it, who reviewed it, and what was done. Append-only."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="versions", verbose_name=_("条目"))
    number = models.PositiveIntegerField(_("版本号"))
    action = models.CharField(_("操作"), max_length=12, choices=EntryAction.choices)
    status = models.CharField(_("状态"), max_length=12, choices=EntryStatus.choices)
    question = models.CharField(_("问题"), max_length=QUESTION_MAX_CHARS)
    answer = models.TextField(_("答复"))
    category_name = models.CharField(_("分类"), max_length=20, blank=True)
    tags = models.CharField(_("标签"), max_length=200, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    editor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("修改人"))
    reviewer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("审核人"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("条目版本")
        verbose_name_plural = _("条目版本")
        ordering = ["entry_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="knowledge_version_unique")]

    def __str__(self) -> str:
        return f"#{self.entry_id} v{self.number}"

    def save(self, *args, **kwargs):
        # Infrastructure guard like the audit log: a kept version is never rewritten.
        if not self._state.adding:
            raise PermissionError("Entry versions are append-only.")
        super().save(*args, **kwargs)


class DuplicateFlag(models.Model):
    """A near-duplicate found when an entry was drafted, for the reviewer to merge or dismiss."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="duplicate_flags",
                              verbose_name=_("条目"))
    similar = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+", verbose_name=_("相近条目"))
    score = models.FloatField(_("相似度"))
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(_("忽略时间"), null=True, blank=True)
    dismissed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("忽略人"))

    class Meta:
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "similar"], name="knowledge_duplicate_unique"),
            models.CheckConstraint(condition=~models.Q(entry=models.F("similar")), name="knowledge_duplicate_not_self"),
        ]

    def __str__(self) -> str:
        return f"#{self.entry_id} ≈ #{self.similar_id}"


class SuggestionUse(models.Model):
    """An answer an on-duty helper chose to send to a client's question (never sent automatically)."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="uses", verbose_name=_("条目"))
    entry_version = models.PositiveIntegerField(_("版本"))
    group = models.ForeignKey("groups.Group", null=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("群"))
    question_message = models.ForeignKey("groups.Message", null=True, on_delete=models.SET_NULL, related_name="+",
                                         verbose_name=_("提问"))
    sent_message = models.ForeignKey("groups.Message", null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("发出的消息"))
    sent_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("发送人"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("答复使用记录")
        verbose_name_plural = _("答复使用记录")
        constraints = [models.UniqueConstraint(fields=["entry", "question_message", "sent_by"],
                                               name="knowledge_use_once")]

    def __str__(self) -> str:
        return f"#{self.entry_id} → {self.question_message_id}"
