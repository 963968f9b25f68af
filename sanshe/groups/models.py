"""Online groups (三级群): groups, members, invites, messages, duty, moderation and risk alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.core.models import TimeStampedModel
from sanshe.core.pii import EncryptedTextField

from .querysets import (
    GroupChildQuerySet,
    GroupMemberQuerySet,
    GroupQuerySet,
    MessageQuerySet,
    OrganisationScopedQuerySet,
    PrivateThreadQuerySet,
    RiskAlertQuerySet,
    RiskFeedbackQuerySet,
)

DEFAULT_CAPACITY = 500


class EncryptedChatTextField(EncryptedTextField):
    """Chat text encrypted at rest like other health data (counselling threads, moderation snapshots, quotes).

    The package stores an empty value as NULL; it is read back as "" so code and templates keep treating the
    text as a string. Nothing filters, orders or searches these columns in SQL (ciphertext); the risk scan and
    the rulebook run in Python on the text as it is sent.
    """

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return "" if value is None else value

# The user model, named once: `Group.settings` (a field) shadows django.conf.settings inside the class body.
USER = settings.AUTH_USER_MODEL


class GroupTier(models.IntegerChoices):
    """The guide's three tiers of online groups."""

    RESIDENT = 1, _("线上小区居民群")
    FOCUS = 2, _("聚焦服务群")
    KEY = 3, _("重点陪助群")


class MemberRole(models.TextChoices):
    """What a member is in one group (not their account's role)."""

    ADMIN = "admin", _("群管理员")
    SOCIAL_WORKER = "social_worker", _("社会工作者")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    SECRETARY = "secretary", _("群秘书")
    MEDICAL = "medical", _("医务志愿者")
    PSYCHOLOGICAL = "psychological", _("心理咨询志愿者")
    CLIENT = "client", _("服务对象")
    RESIDENT = "resident", _("居民代表")


class MemberStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACTIVE = "active", _("在群")
    LEFT = "left", _("已退群")
    REMOVED = "removed", _("已移出")
    DECLINED = "declined", _("未通过")


class DutyKind(models.TextChoices):
    """Kinds of duty in a consultation group (matches the roster feature's shift kinds)."""

    MEDICAL = "medical", _("医务值班")
    PSYCHOLOGICAL = "psychological", _("心理值班")
    SECRETARY = "secretary", _("群秘书值班")
    SOCIAL_WORK = "social_work", _("社工值班")


class Group(TimeStampedModel):
    """One online group: a compound resident group (tier 1) or a consultation group (tiers 2 and 3)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="chat_groups",
                                     verbose_name=_("所属机构"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="chat_groups",
                                  verbose_name=_("社区"))
    # Tier 1 groups are per compound, optionally per building.
    compound = models.ForeignKey("places.Compound", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="chat_groups", verbose_name=_("小区"))
    building = models.ForeignKey("places.Building", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="chat_groups", verbose_name=_("楼栋"))
    tier = models.PositiveSmallIntegerField(_("群级别"), choices=GroupTier.choices)
    name = models.CharField(_("群名称"), max_length=60)
    admin = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="administered_groups",
                              verbose_name=_("群管理员"))
    capacity = models.PositiveIntegerField(_("人数上限"), default=DEFAULT_CAPACITY)
    overflow_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="overflow_groups", verbose_name=_("满员分群自"))
    # Per-group settings (slow mode, join approval, invite expiry, probation, nickname rules); read through
    # `sanshe.groups.config.GroupSettings`, which supplies defaults and validates.
    settings = models.JSONField(_("群设置"), default=dict, blank=True)
    announcement = models.TextField(_("群公告"), blank=True, max_length=2000)
    announcement_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    announcement_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("公告发布人"))
    # The group's event stream counter; bumped under a row lock so sequence numbers commit in order.
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    is_archived = models.BooleanField(_("已解散"), default=False)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("群")
        verbose_name_plural = _("群")
        ordering = ["community_id", "tier", "name", "id"]
        indexes = [models.Index(fields=["community", "tier"], name="group_comm_tier")]
        constraints = [
            models.CheckConstraint(condition=models.Q(tier__in=[1, 2, 3]), name="group_tier_valid"),
            models.CheckConstraint(condition=models.Q(capacity__gte=2), name="group_capacity_min"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_consultation(self) -> bool:
        """Tier 2 and 3 groups: posting follows the duty roster."""
        return self.tier in (GroupTier.FOCUS, GroupTier.KEY)


class GroupMember(TimeStampedModel):
    """A user's place in a group: role, nickname, status, mute, and how far they have read."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members", verbose_name=_("群"))
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="group_memberships",
                             verbose_name=_("成员"))
    role = models.CharField(_("群内身份"), max_length=20, choices=MemberRole.choices)
    status = models.CharField(_("状态"), max_length=12, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    nickname = models.CharField(_("群昵称"), max_length=40, blank=True)
    # Tier 1: one representative per household.
    household = models.ForeignKey("places.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="group_memberships", verbose_name=_("住户"))
    invite = models.ForeignKey("Invite", null=True, blank=True, on_delete=models.SET_NULL, related_name="members",
                               verbose_name=_("入群链接"))
    added_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("添加人"))
    joined_at = models.DateTimeField(_("入群时间"), null=True, blank=True)
    left_at = models.DateTimeField(_("离群时间"), null=True, blank=True)
    muted_until = models.DateTimeField(_("禁言至"), null=True, blank=True)
    last_read_seq = models.PositiveBigIntegerField(default=0)
    nickname_reminded_at = models.DateTimeField(_("昵称提醒时间"), null=True, blank=True)
    # Where a client moved to (placement or a risk alert): their bookmarked link to this group forwards there.
    moved_to = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("转入的群"))

    objects = GroupMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("群成员")
        verbose_name_plural = _("群成员")
        ordering = ["group_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="groupmember_unique_user"),
            models.UniqueConstraint(
                fields=["group", "household"],
                condition=models.Q(household__isnull=False, status__in=["pending", "active"]),
                name="groupmember_one_per_household",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="groupmember_user_status"),
            models.Index(fields=["group", "status", "role"], name="groupmember_group_status"),
        ]

    def __str__(self) -> str:
        return self.nickname or str(self.user)

    @property
    def is_staff_role(self) -> bool:
        return self.role not in (MemberRole.CLIENT, MemberRole.RESIDENT)


class Invite(TimeStampedModel):
    """A join link / QR code: expires (7 days by default), optional maximum uses, optional approval."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invites", verbose_name=_("群"))
    token = models.CharField(max_length=43, unique=True, editable=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("创建人"))
    expires_at = models.DateTimeField(_("有效期至"))
    max_uses = models.PositiveIntegerField(_("最多使用次数"), null=True, blank=True)
    uses = models.PositiveIntegerField(_("已使用次数"), default=0)
    requires_approval = models.BooleanField(_("入群需审核"), default=False)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    objects = GroupChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("入群邀请")
        verbose_name_plural = _("入群邀请")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class PrivateThread(TimeStampedModel):
    """A one-to-one thread (私聊) between a client and an on-duty helper, under one group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="threads", verbose_name=_("群"))
    client = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("服务对象"))
    helper = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("值班人员"))
    kind = models.CharField(_("类别"), max_length=20, choices=DutyKind.choices)
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    client_read_seq = models.PositiveBigIntegerField(default=0)
    helper_read_seq = models.PositiveBigIntegerField(default=0)

    objects = PrivateThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("私聊")
        verbose_name_plural = _("私聊")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "client", "helper"], name="thread_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class MessageKind(models.TextChoices):
    TEXT = "text", _("文字")
    IMAGE = "image", _("图片")
    SYSTEM = "system", _("系统消息")


class MessageStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    HELD = "held", _("待审核")
    REJECTED = "rejected", _("已驳回")
    DELETED = "deleted", _("已删除")


class ChatImage(models.Model):
    """An uploaded picture (checked type and size, metadata stripped) waiting to be sent or already sent."""

    uploaded_by = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+",
                                    verbose_name=_("上传人"))
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="images", verbose_name=_("群"))
    file = models.FileField(_("图片"), upload_to="chat/%Y/%m/")
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("聊天图片")
        verbose_name_plural = _("聊天图片")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Message(models.Model):
    """A message in a group or a private thread. Saved first, pushed after commit."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="messages", verbose_name=_("群"))
    thread = models.ForeignKey(PrivateThread, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="messages", verbose_name=_("私聊"))
    sender = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("发送人"))
    kind = models.CharField(_("类型"), max_length=10, choices=MessageKind.choices, default=MessageKind.TEXT)
    body = EncryptedChatTextField(_("内容"), null=True, blank=True, default="", max_length=4000)
    image = models.ForeignKey(ChatImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("图片"))
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("回复"))
    mentions = models.ManyToManyField(USER, blank=True, related_name="+",
                                      verbose_name=_("提及"))
    # The sender's own id for the message (local echo reconciliation; a resend is not a second message).
    client_id = models.CharField(max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=MessageStatus.choices,
                              default=MessageStatus.PUBLISHED)
    # Seq of the event that published it in its stream (group or thread); null while held.
    seq = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True, db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    held_categories = models.JSONField(_("命中规则"), default=list, blank=True)
    held_reason = models.CharField(_("待审原因"), max_length=200, blank=True)
    # The rumour-base entry a held message repeats, as it read when the message was held (entry id, claim, debunk,
    # source, link, score): the admin sees it and may send the debunk with one tap. A snapshot, not a foreign
    # key: the library is built on groups, and the admin should see what the message was held against.
    held_rumour = models.JSONField(_("命中谣言库"), default=dict, blank=True)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    risk_level = models.PositiveSmallIntegerField(_("风险等级"), default=0)
    risk_signals = models.JSONField(_("风险信号"), default=list, blank=True)
    is_question = models.BooleanField(_("提问"), default=False)
    report_count = models.PositiveSmallIntegerField(_("举报数"), default=0)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "client_id"], condition=~models.Q(client_id=""),
                                    name="message_unique_client_id"),
        ]
        indexes = [
            models.Index(fields=["group", "thread", "seq"], name="message_stream_seq"),
            models.Index(fields=["group", "status"], name="message_group_status"),
            models.Index(fields=["sender", "group", "-created_at"], name="message_sender_recent"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class EventKind(models.TextChoices):
    MESSAGE = "message", _("新消息")
    MESSAGE_REMOVED = "message_removed", _("消息移除")
    ANNOUNCEMENT = "announcement", _("群公告")


class ChatEvent(models.Model):
    """One entry of a group's or thread's event stream; clients resume after their last seq."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="events")
    thread = models.ForeignKey(PrivateThread, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("群事件")
        verbose_name_plural = _("群事件")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["group", "seq"], condition=models.Q(thread__isnull=True),
                                    name="chatevent_group_seq"),
            models.UniqueConstraint(fields=["thread", "seq"], condition=models.Q(thread__isnull=False),
                                    name="chatevent_thread_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.seq}"


class ManualDuty(TimeStampedModel):
    """Who is on duty in a group, set by hand by a social worker (until / besides the roster)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="manual_duties", verbose_name=_("群"))
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("值班人员"))
    kind = models.CharField(_("值班类别"), max_length=20, choices=DutyKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("设置人"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    objects = GroupChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("手动值班")
        verbose_name_plural = _("手动值班")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["group", "starts_at", "ends_at"], name="manualduty_window")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="manualduty_order"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


# --------------------------------------------------------------------------- rules and moderation

class RuleCategory(models.TextChoices):
    """The guide's 在线工作守则 第四条, as moderation categories."""

    SUPERSTITION = "superstition", _("封建迷信")
    RUMOUR = "rumour", _("谣言与不可靠健康信息")
    NEGATIVE = "negative", _("消极有害内容")
    VIOLENCE = "violence", _("恐怖暴力")
    PORNOGRAPHY = "pornography", _("色情低俗")
    UNAPPROVED_NEWS = "unapproved_news", _("未经审核的资讯与链接")
    PANIC = "panic", _("煽动抢购囤积")
    INCITEMENT = "incitement", _("煽动不配合防疫")
    PRIVATE_DATA = "private_data", _("个人隐私信息")


class RuleList(TimeStampedModel):
    """An organisation's word list for one category (one term per line); defaults when none is saved."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="rule_lists",
                                     verbose_name=_("机构"))
    category = models.CharField(_("类别"), max_length=20, choices=RuleCategory.choices)
    terms = models.TextField(_("关键词（每行一个）"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("修改人"))

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("群规词表")
        verbose_name_plural = _("群规词表")
        constraints = [models.UniqueConstraint(fields=["organisation", "category"], name="rulelist_unique")]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_category_display()}"


class ModerationPolicy(TimeStampedModel):
    """An organisation's ladder thresholds, report threshold, probation and approved news sources."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE,
                                        related_name="moderation_policy", verbose_name=_("机构"))
    mute_after_warnings = models.PositiveSmallIntegerField(_("警告几次后禁言"), default=2)
    mute_minutes = models.PositiveIntegerField(_("禁言时长（分钟）"), default=60)
    remove_after_warnings = models.PositiveSmallIntegerField(_("警告几次后移出群"), default=3)
    blacklist_after_removals = models.PositiveSmallIntegerField(_("移出几次后列入机构黑名单"), default=2)
    report_threshold = models.PositiveSmallIntegerField(_("几人举报后暂扣待审"), default=3)
    probation_minutes = models.PositiveIntegerField(_("新成员观察期（分钟）"), default=60)
    approved_domains = models.TextField(_("认可的信息来源域名（每行一个）"), blank=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("修改人"))

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("群规处置设置")
        verbose_name_plural = _("群规处置设置")
        constraints = [
            models.CheckConstraint(condition=models.Q(mute_after_warnings__gte=1), name="policy_mute_min"),
            models.CheckConstraint(condition=models.Q(remove_after_warnings__gte=models.F("mute_after_warnings")),
                                   name="policy_ladder_order"),
            models.CheckConstraint(condition=models.Q(report_threshold__gte=1), name="policy_report_min"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} · {self.organisation}"


class ModerationActionKind(models.TextChoices):
    APPROVE = "approve", _("审核通过")
    REJECT = "reject", _("驳回删除")
    DELETE = "delete", _("删除消息")
    WARN = "warn", _("警告")
    MUTE = "mute", _("禁言")
    UNMUTE = "unmute", _("解除禁言")
    REMOVE = "remove", _("移出群")
    BLACKLIST = "blacklist", _("列入机构黑名单")
    HOLD_REPORTS = "hold_reports", _("举报暂扣")


class ModerationAction(models.Model):
    """Append-only record of a moderation step: who did what to whom, under which rule, with a snapshot."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("机构"))
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="moderation_actions",
                              verbose_name=_("群"))
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("操作人"))
    target = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("对象"))
    kind = models.CharField(_("处置"), max_length=16, choices=ModerationActionKind.choices)
    category = models.CharField(_("规则类别"), max_length=20, choices=RuleCategory.choices, blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("消息"))
    message_snapshot = EncryptedChatTextField(_("消息原文"), null=True, blank=True, default="")
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    until = models.DateTimeField(_("期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("群规处置记录")
        verbose_name_plural = _("群规处置记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["group", "target", "kind"], name="modaction_target")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        # Infrastructure guard like the audit log: a moderation record is never rewritten.
        if not self._state.adding:
            raise PermissionError("Moderation records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Moderation records are append-only.")


class Blacklist(TimeStampedModel):
    """A user barred from every group of an organisation."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("机构"))
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("用户"))
    reason = models.CharField(_("理由"), max_length=300)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("操作人"))
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构黑名单")
        verbose_name_plural = _("机构黑名单")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], condition=models.Q(lifted_at__isnull=True),
                                    name="blacklist_unique_active"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class MessageReport(models.Model):
    """A member's report of a message; enough distinct reporters hold it for review."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports", verbose_name=_("消息"))
    reporter = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("举报人"))
    reason = models.CharField(_("举报理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("消息举报")
        verbose_name_plural = _("消息举报")
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="report_unique_reporter")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


# --------------------------------------------------------------------------- risk alerts

class RiskAlertStatus(models.TextChoices):
    OPEN = "open", _("待确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    CLOSED = "closed", _("已处理")


class RiskAlert(models.Model):
    """A risk signal raised from a message; reaches a human fast and records the time to acknowledgement."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("机构"))
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="risk_alerts", verbose_name=_("群"))
    thread = models.ForeignKey(PrivateThread, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("私聊"))
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="risk_alerts", verbose_name=_("消息"))
    subject = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("发言人"))
    level = models.PositiveSmallIntegerField(_("风险等级"))
    signals = models.JSONField(_("触发信号"), default=list)
    status = models.CharField(_("状态"), max_length=14, choices=RiskAlertStatus.choices, default=RiskAlertStatus.OPEN)
    created_at = models.DateTimeField(_("发出时间"), auto_now_add=True, db_index=True)
    # Imminent alerts must be acknowledged by this time or they escalate to the next person.
    ack_deadline = models.DateTimeField(_("确认时限"), null=True, blank=True)
    escalation_step = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    escalated_at = models.DateTimeField(_("最近升级时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("确认人"))
    ack_seconds = models.PositiveIntegerField(_("确认用时（秒）"), null=True, blank=True)
    note = models.TextField(_("处理说明"), blank=True)
    # The crisis (sanshe.crisis) started from this alert, or that took it over: from then on the alert has no
    # acknowledgement or escalation of its own — its state is the crisis's (sanshe.groups.handover). A plain id,
    # not a foreign key: the crisis feature is built on groups, not the other way round.
    crisis_id = models.PositiveBigIntegerField(_("危机处置编号"), null=True, blank=True, db_index=True)
    recipients = models.ManyToManyField(USER, through="RiskAlertRecipient", related_name="+",
                                        verbose_name=_("接收人"))

    objects = RiskAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险预警")
        verbose_name_plural = _("风险预警")
        ordering = ["-level", "created_at", "id"]
        indexes = [models.Index(fields=["status", "ack_deadline"], name="riskalert_due")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_imminent(self) -> bool:
        from sanshe.rules.chatrisk import IMMINENT_LEVEL

        return self.level >= IMMINENT_LEVEL


class RiskAlertRecipient(models.Model):
    """Who an alert went to and when (the first responders, then each escalation step)."""

    alert = models.ForeignKey(RiskAlert, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField(default=0)
    notified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("预警接收人")
        verbose_name_plural = _("预警接收人")
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="alertrecipient_unique")]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.user_id}"


# --------------------------------------------------------------------------- learning from staff

class RiskFeedbackKind(models.TextChoices):
    """Staff labels on the detector's work: a verdict on an alert, or a message that should have alerted."""

    TRUE_RISK = "true_risk", _("确有风险")
    FALSE_ALARM = "false_alarm", _("误报")
    MISSED = "missed", _("应当预警")


VERDICT_KINDS = (RiskFeedbackKind.TRUE_RISK, RiskFeedbackKind.FALSE_ALARM)


class RiskFeedback(TimeStampedModel):
    """A staff label on a chat message for the risk detector: the handler's verdict on its alert, or a staff
    member's "should have alerted" mark on a message that raised none.

    The message text is not copied here (chat text is encrypted at rest with the message); the export reads it
    through the message. An alert has one current verdict (changed in place, every change audited); a staff
    member marks a message as missed once (marking again updates the note).
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("机构"))
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="risk_feedback", verbose_name=_("群"))
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="risk_feedback",
                                verbose_name=_("消息"))
    alert = models.ForeignKey(RiskAlert, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback",
                              verbose_name=_("风险预警"))
    kind = models.CharField(_("标注"), max_length=12, choices=RiskFeedbackKind.choices)
    # The detector's level when the label was given (the alert's level for a verdict, the message's otherwise).
    risk_level = models.PositiveSmallIntegerField(_("当时的风险等级"), default=0)
    note = EncryptedChatTextField(_("备注"), null=True, blank=True, default="", max_length=300)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("标注人"))
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("最近修改人"))

    objects = RiskFeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警标注")
        verbose_name_plural = _("预警标注")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "kind", "created_at"], name="riskfeedback_org_kind")]
        constraints = [
            models.UniqueConstraint(fields=["alert"], condition=models.Q(alert__isnull=False),
                                    name="riskfeedback_one_verdict"),
            models.UniqueConstraint(fields=["message", "created_by"], condition=models.Q(kind="missed"),
                                    name="riskfeedback_one_missed_mark"),
            models.CheckConstraint(
                condition=(models.Q(kind__in=["true_risk", "false_alarm"], alert__isnull=False)
                           | models.Q(kind="missed", alert__isnull=True)),
                name="riskfeedback_kind_alert"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


# --------------------------------------------------------------------------- secretary's tools

class RecordRequestStatus(models.TextChoices):
    OPEN = "open", _("待记录")
    RECORDED = "recorded", _("已记录")
    DISMISSED = "dismissed", _("已忽略")


class RecordRequest(TimeStampedModel):
    """"Record this": quoted messages waiting to become a consultation record (tool 3) in sanshe.records."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="record_requests", verbose_name=_("群"))
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("记录员"))
    client = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("服务对象"))
    messages = models.ManyToManyField(Message, related_name="record_requests", verbose_name=_("引用消息"))
    quoted_text = EncryptedChatTextField(_("引用内容"), null=True, default="")
    consult_kind = models.CharField(_("咨询类别"), max_length=20, blank=True,
                                    choices=[("medical", _("医疗")), ("psychological", _("心理")), ("other", _("其他"))])
    note = EncryptedChatTextField(_("记录员备注"), null=True, blank=True, default="")
    status = models.CharField(_("状态"), max_length=12, choices=RecordRequestStatus.choices,
                              default=RecordRequestStatus.OPEN)
    # Filled by sanshe.records when it turns this into a consultation record.
    record_type = models.CharField(max_length=64, blank=True)
    record_id = models.CharField(max_length=64, blank=True)

    objects = GroupChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("待记录咨询")
        verbose_name_plural = _("待记录咨询")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class MessageTemplate(TimeStampedModel):
    """An organisation's own wording for the secretary's messages (the built-in ones are in templates.py)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="message_templates", verbose_name=_("机构"))
    key = models.CharField(_("用途"), max_length=20)
    title = models.CharField(_("名称"), max_length=40)
    body = models.TextField(_("内容"), max_length=1000)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("修改人"))

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="template_unique_key")]

    def __str__(self) -> str:
        return self.title
