"""Referrals to social workers (转介): from screening, check-ins, alerts, chat or self-help, into an inbox.

Intake, triage and case management (a later feature) build on this app; a Referral is where they start.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.core.models import TimeStampedModel
from sanshe.core.pii import EncryptedTextField

from .querysets import ReferralQuerySet


class ReferralSource(models.TextChoices):
    SCREENING = "screening", _("排查")
    CHECK_IN = "check_in", _("健康打卡")
    ALERT = "alert", _("健康预警")
    CHAT = "chat", _("群聊或私聊")
    SELF_HELP = "self_help", _("本人求助")


class ReferralUrgency(models.TextChoices):
    """The same codes as sanshe.triage.engine.Urgency, so a triage decision maps onto a referral as is."""

    IMMEDIATE = "immediate", _("立即处理")
    WITHIN_24H = "within_24h", _("24小时内处理")
    ROUTINE = "routine", _("常规跟进")


URGENCY_RANK = {ReferralUrgency.IMMEDIATE: 3, ReferralUrgency.WITHIN_24H: 2, ReferralUrgency.ROUTINE: 1}


class ReferralStatus(models.TextChoices):
    NEW = "new", _("待接收")
    TAKEN = "taken", _("已接收")
    CLOSED = "closed", _("已结束")


OPEN_REFERRAL_STATUSES = (ReferralStatus.NEW, ReferralStatus.TAKEN)


class Referral(TimeStampedModel):
    """A person handed to the social workers of their community, with why and how urgently."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals",
                               verbose_name=_("服务对象"))
    # Denormalised from the person: the inbox is one indexed filter per community.
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+", editable=False)
    building = models.ForeignKey("places.Building", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", editable=False)
    source_kind = models.CharField(_("来源"), max_length=12, choices=ReferralSource.choices)
    source_id = models.PositiveBigIntegerField(_("来源记录编号"), null=True, blank=True)
    reason = EncryptedTextField(_("转介原因"))
    urgency = models.CharField(_("紧急程度"), max_length=12, choices=ReferralUrgency.choices,
                               default=ReferralUrgency.ROUTINE)
    urgency_rank = models.PositiveSmallIntegerField(default=1, editable=False)
    status = models.CharField(_("状态"), max_length=8, choices=ReferralStatus.choices, default=ReferralStatus.NEW)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("转介人"))
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("接收人"))
    taken_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("结束人"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    close_note = EncryptedTextField(_("结束说明"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-urgency_rank", "created_at", "id"]
        constraints = [
            # Referring the same person from the same record twice (a double tap) keeps one open referral.
            models.UniqueConstraint(fields=["person", "source_kind", "source_id"],
                                    condition=models.Q(status__in=["new", "taken"]), name="cases_referral_once"),
        ]
        indexes = [
            models.Index(fields=["community", "status", "-urgency_rank", "created_at"], name="cases_ref_inbox"),
            models.Index(fields=["created_by", "-created_at"], name="cases_ref_creator"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES
