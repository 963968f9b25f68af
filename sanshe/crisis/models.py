"""Crisis responses (危机处置): a case at imminent risk, who was alerted, who acknowledged, the checklist, the outcome.

A crisis hangs on a case (sanshe.cases.Case). At most one crisis per case is open at a time. It must be
acknowledged within 5 minutes of opening, or it escalates to the next people in the chain (see
sanshe.crisis.chain) every 5 minutes until someone does. Reasons, notes and outcomes are encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.core.models import TimeStampedModel
from sanshe.core.pii import EncryptedTextField

from .querysets import CrisisQuerySet


class CrisisDomain(models.TextChoices):
    SUICIDE = "suicide", _("自杀/自伤风险")
    MEDICAL = "medical", _("急症/医疗紧急")


class CrisisSource(models.TextChoices):
    TRIAGE = "triage", _("分流评估")
    CHAT_ALERT = "chat_alert", _("线上群风险预警")
    MONITORING_ALERT = "monitoring_alert", _("健康监测预警")
    MANUAL = "manual", _("社工启动")


class CrisisStatus(models.TextChoices):
    OPEN = "open", _("待确认")
    ACKNOWLEDGED = "acknowledged", _("处置中")
    CLOSED = "closed", _("已结束")


OPEN_CRISIS_STATUSES = (CrisisStatus.OPEN, CrisisStatus.ACKNOWLEDGED)


class CrisisOutcome(models.TextChoices):
    SAFE_WITH_FAMILY = "safe_with_family", _("已安全，家人陪伴")
    SAFE_ALONE_FOLLOWED = "safe_followed", _("已安全，社工持续跟进")
    HOSPITAL = "hospital", _("已送医")
    POLICE = "police", _("警方已到场")
    MENTAL_HEALTH = "mental_health", _("已转介精神卫生机构")
    COULD_NOT_REACH = "could_not_reach", _("未能联系上本人")
    OTHER = "other", _("其他")


class CrisisResponse(TimeStampedModel):
    """One crisis of one case: from opening, through alerts and the checklist, to the outcome."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="crises", verbose_name=_("个案"))
    # Denormalised from the case: scoping and the open-crisis list are one indexed filter per community.
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+", editable=False)
    building = models.ForeignKey("places.Building", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", editable=False)
    domain = models.CharField(_("危机类型"), max_length=10, choices=CrisisDomain.choices)
    source = models.CharField(_("来源"), max_length=20, choices=CrisisSource.choices)
    source_id = models.PositiveBigIntegerField(_("来源记录编号"), null=True, blank=True)
    reason = EncryptedTextField(_("启动原因"))
    status = models.CharField(_("状态"), max_length=14, choices=CrisisStatus.choices, default=CrisisStatus.OPEN)

    opened_at = models.DateTimeField(_("启动时间"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("启动人"))
    # Must be acknowledged by this time or the crisis reaches the next people in the chain.
    ack_deadline = models.DateTimeField(_("确认时限"), null=True, blank=True)
    escalation_step = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    escalated_at = models.DateTimeField(_("最近升级时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("确认人"))
    ack_seconds = models.PositiveIntegerField(_("确认用时（秒）"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("最近联系时间"), null=True, blank=True)

    outcome_kind = models.CharField(_("处置结果"), max_length=20, choices=CrisisOutcome.choices, blank=True)
    outcome = EncryptedTextField(_("结果说明"), null=True, blank=True, default="")
    # Closing without confirming that help reached the person needs a written reason.
    close_reason = EncryptedTextField(_("未确认援助到达的原因"), null=True, blank=True, default="")
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("结束人"))

    objects = CrisisQuerySet.as_manager()

    class Meta:
        verbose_name = _("危机处置")
        verbose_name_plural = _("危机处置")
        ordering = ["opened_at", "id"]
        constraints = [
            # A double tap, or triage and a chat alert at the same moment, keep one open crisis per case.
            models.UniqueConstraint(fields=["case"], condition=models.Q(status__in=["open", "acknowledged"]),
                                    name="crisis_one_open_per_case"),
        ]
        indexes = [
            models.Index(fields=["status", "ack_deadline"], name="crisis_due"),
            models.Index(fields=["community", "status", "opened_at"], name="crisis_community_open"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CRISIS_STATUSES


class RecipientReason(models.TextChoices):
    ON_DUTY_COUNSELLOR = "on_duty_counsellor", _("值班心理咨询志愿者")
    ON_DUTY_MEDIC = "on_duty_medic", _("值班医务志愿者")
    OWNER = "owner", _("负责社工")
    ORG_ADMIN = "org_admin", _("机构管理员")
    SOCIAL_WORKER = "social_worker", _("社区社会工作者")
    GROUP_ADMIN = "group_admin", _("服务群管理员")
    ON_DUTY_HELPER = "on_duty_helper", _("其他值班人员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")


class CrisisRecipient(models.Model):
    """Who a crisis alert went to, why, and when (the first responders, then each escalation step)."""

    crisis = models.ForeignKey(CrisisResponse, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("通知原因"), max_length=20, choices=RecipientReason.choices)
    step = models.PositiveSmallIntegerField(_("通知轮次"), default=0)
    notified_at = models.DateTimeField(_("通知时间"))
    sms = models.BooleanField(_("已发短信"), default=False)

    class Meta:
        verbose_name = _("危机通知对象")
        verbose_name_plural = _("危机通知对象")
        ordering = ["step", "notified_at", "id"]
        constraints = [models.UniqueConstraint(fields=["crisis", "user"], name="crisis_recipient_once")]
        indexes = [models.Index(fields=["user", "crisis"], name="crisis_recipient_user")]

    def __str__(self) -> str:
        return f"{self.crisis_id} → {self.user_id}"


class CrisisEscalation(models.Model):
    """One escalation: the crisis was not acknowledged in time and reached the next step (or a reminder)."""

    crisis = models.ForeignKey(CrisisResponse, on_delete=models.CASCADE, related_name="escalations")
    step = models.PositiveSmallIntegerField(_("升级轮次"))
    at = models.DateTimeField(_("升级时间"))
    new_recipients = models.PositiveSmallIntegerField(_("新通知人数"), default=0)
    # True when nobody new was left in the chain and everyone already told was reminded again.
    reminder = models.BooleanField(_("再次提醒"), default=False)

    class Meta:
        verbose_name = _("危机升级")
        verbose_name_plural = _("危机升级")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.crisis_id} step {self.step}"


class StepKind(models.TextChoices):
    STAY_IN_CONTACT = "stay_in_contact", _("保持联系，不让当事人独处")
    EMERGENCY_CONTACT = "emergency_contact", _("联系紧急联系人")
    COMMUNITY = "community", _("联系社区")
    EMERGENCY_CALL = "emergency_call", _("拨打120或110")
    HELP_CONFIRMED = "help_confirmed", _("确认援助已到达当事人")


STEP_ORDER = [StepKind.STAY_IN_CONTACT, StepKind.EMERGENCY_CONTACT, StepKind.COMMUNITY, StepKind.EMERGENCY_CALL,
              StepKind.HELP_CONFIRMED]


class EmergencyCall(models.TextChoices):
    AMBULANCE = "120", _("已拨打120")
    POLICE = "110", _("已拨打110")
    BOTH = "both", _("120和110都已拨打")
    NOT_APPLICABLE = "not_applicable", _("不需要拨打")


class CrisisStep(models.Model):
    """One checklist step done: who, when, and what happened (note encrypted)."""

    crisis = models.ForeignKey(CrisisResponse, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("步骤"), max_length=20, choices=StepKind.choices)
    call = models.CharField(_("拨打"), max_length=16, choices=EmergencyCall.choices, blank=True)
    note = EncryptedTextField(_("说明"), null=True, blank=True, default="")
    done_at = models.DateTimeField(_("完成时间"))
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("完成人"))
    # Seconds from the crisis opening to this step: the response is timed step by step.
    seconds_from_open = models.PositiveIntegerField(_("距启动（秒）"), default=0)

    class Meta:
        verbose_name = _("处置步骤")
        verbose_name_plural = _("处置步骤")
        ordering = ["done_at", "id"]
        constraints = [models.UniqueConstraint(fields=["crisis", "kind"], name="crisis_step_once")]

    def __str__(self) -> str:
        return f"{self.crisis_id} {self.kind}"

    @property
    def minutes_from_open(self) -> int:
        return self.seconds_from_open // 60


class CrisisNote(models.Model):
    """A contact or a note during the response (e.g. "spoke with her again, she is calmer")."""

    crisis = models.ForeignKey(CrisisResponse, on_delete=models.CASCADE, related_name="notes")
    text = EncryptedTextField(_("记录"))
    is_contact = models.BooleanField(_("与当事人联系"), default=True)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                           verbose_name=_("记录人"))

    class Meta:
        verbose_name = _("处置记录")
        verbose_name_plural = _("处置记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.crisis_id} note {self.pk}"
