"""The outbox (one Notification per recipient), a Delivery per channel, preferences, and escalation history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanshe.core.pii import EncryptedCharField, EncryptedTextField
from sanshe.core.querysets import ScopedQuerySet


class Channel(models.TextChoices):
    INAPP = "inapp", _("站内")
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信")
    WECOM_ROBOT = "wecom_robot", _("企业微信群机器人")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    SENT = "sent", _("已发送")
    DELIVERED = "delivered", _("已送达")
    READ = "read", _("已读")
    FAILED = "failed", _("失败")
    SKIPPED = "skipped", _("未发送")


class NotificationQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        # A notification is its recipient's own: nobody else opens it (admins see deliveries, not the list).
        return Q(recipient_id=scope.user_id)


class Notification(models.Model):
    """One message to one recipient (a user, or a bare phone number), written in the caller's transaction."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("接收人"))
    kind = models.CharField(_("类型"), max_length=64, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = EncryptedTextField(_("内容"), blank=True, null=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    sms_text = EncryptedTextField(_("短信内容"), blank=True, null=True)
    data = models.JSONField(_("推送数据"), default=dict, blank=True)
    critical = models.BooleanField(_("紧急"), default=False,
                                   help_text=_("危机、紧急风险预警：免打扰时段和频率限制都不拦截"))
    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("机构"))
    community = models.ForeignKey("places.Community", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("社区"))
    created_at = models.DateTimeField(_("时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # "At most one of these per recipient" (e.g. one per chat message that @-mentions them); "" for no limit.
    once_key = models.CharField(max_length=100, blank=True, default="")

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notify_unread")]
        constraints = [models.UniqueConstraint(fields=["recipient", "once_key"], condition=~Q(once_key=""),
                                               name="notify_once_per_recipient")]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One notification on one channel: its status, attempts and last error (the delivery log)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries",
                                      verbose_name=_("通知"))
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    address = EncryptedCharField(_("地址"), max_length=300, blank=True, null=True)
    # Blind index of the address (a phone): the per-phone rate limit counts without decrypting.
    address_index = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_due"),
                   models.Index(fields=["channel", "address_index", "sent_at"], name="notify_rate")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_status_display()}"

    @property
    def address_display(self) -> str:
        """What the log shows of the address: a masked phone, a WeCom id, never a robot's secret key."""
        from sanshe.core.pii import mask_phone

        if self.channel == Channel.SMS:
            return mask_phone(self.address)
        if self.channel == Channel.WECOM_ROBOT:
            return "…" + self.address[-4:] if self.address else ""
        return self.address


class NotificationPreference(models.Model):
    """Which channels a person wants besides in-app, and their quiet hours (never applied to critical ones)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name=_("用户"))
    sms = models.BooleanField(_("短信"), default=True)
    wecom = models.BooleanField(_("企业微信"), default=True)
    wecom_userid = models.CharField(_("企业微信账号"), max_length=64, blank=True)
    chat_mentions = models.BooleanField(_("群聊中有人@我时通知"), default=True)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return str(self.user)


class EscalationEvent(models.Model):
    """One escalation of anything with an acknowledgement deadline (crisis, chat risk, medical alert)."""

    domain = models.CharField(_("类别"), max_length=32)
    object_id = models.BigIntegerField(_("对象编号"))
    tier = models.PositiveSmallIntegerField(_("层级"))
    new_recipients = models.PositiveIntegerField(_("新通知人数"), default=0)
    reminder = models.BooleanField(_("再次提醒"), default=False)
    at = models.DateTimeField(_("时间"))
    next_deadline = models.DateTimeField(_("新的确认时限"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("升级记录")
        verbose_name_plural = _("升级记录")
        indexes = [models.Index(fields=["domain", "object_id"], name="notify_escalation_obj")]

    def __str__(self) -> str:
        return f"{self.domain}#{self.object_id} → {self.tier}"


class EscalationRecipient(models.Model):
    """Who a thing's chain has told, at which tier — for domains without a recipient table of their own."""

    domain = models.CharField(_("类别"), max_length=32)
    object_id = models.BigIntegerField(_("对象编号"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("接收人"))
    tier = models.PositiveSmallIntegerField(_("层级"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("升级通知对象")
        verbose_name_plural = _("升级通知对象")
        constraints = [models.UniqueConstraint(fields=["domain", "object_id", "user"], name="notify_escalation_once")]

    def __str__(self) -> str:
        return f"{self.domain}#{self.object_id} → {self.user_id}"
