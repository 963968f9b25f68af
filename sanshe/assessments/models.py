"""Scale administrations, triage decisions and placements of a case (评估、分流、入群).

Answers, scores and the triage inputs are mental-health data: encrypted at rest (JSON text in encrypted
fields). What lists and the case row need in clear — which scale, its status, the decided tier and
urgency — stays in clear; the decided tier is copied onto the case anyway (sanshe.cases.Case.tier).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.core.models import TimeStampedModel
from sanshe.core.pii import EncryptedTextField

from .querysets import CaseChildQuerySet


class ScaleCode(models.TextChoices):
    PHQ9 = "phq9", "PHQ-9"
    GAD7 = "gad7", "GAD-7"
    PHQ4 = "phq4", "PHQ-4"
    ISI = "isi", "ISI"
    CSSRS = "cssrs", "C-SSRS"
    MEDICAL = "medical", _("医学预警清单")


class AdministrationMode(models.TextChoices):
    STAFF = "staff", _("工作人员询问填写")
    SELF = "self", _("本人手机填写")


class AdministrationStatus(models.TextChoices):
    PENDING = "pending", _("待填写")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已作废")


def _loads(text: str | None) -> Any:
    return json.loads(text) if text else None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class Administration(TimeStampedModel):
    """One scale given to a client: by a worker on the phone, or by a single-use link the client fills in."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="administrations",
                             verbose_name=_("个案"))
    scale = models.CharField(_("量表"), max_length=10, choices=ScaleCode.choices)
    mode = models.CharField(_("填写方式"), max_length=8, choices=AdministrationMode.choices)
    status = models.CharField(_("状态"), max_length=10, choices=AdministrationStatus.choices,
                              default=AdministrationStatus.PENDING)
    # The answers in the triage input schema's form for this scale (sanshe.rules.triage_schema), JSON; encrypted.
    answers_data = EncryptedTextField(_("答案"), null=True, blank=True)
    # The scored result (total, band, flags …), JSON; encrypted.
    result_data = EncryptedTextField(_("结果"), null=True, blank=True)
    # Self-fill link: only a SHA-256 of the token is kept, so the database never holds a usable link.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    expires_at = models.DateTimeField(_("链接有效期至"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("发起人"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("询问填写人"))
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("量表评估")
        verbose_name_plural = _("量表评估")
        ordering = ["-completed_at", "-id"]
        indexes = [models.Index(fields=["case", "scale", "status", "-completed_at"], name="assess_adm_case")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    objects = CaseChildQuerySet.as_manager()

    @property
    def answers(self) -> Any:
        return _loads(self.answers_data)

    @answers.setter
    def answers(self, value: Any) -> None:
        self.answers_data = _dumps(value) if value is not None else None

    @property
    def result(self) -> dict[str, Any]:
        return _loads(self.result_data) or {}

    @result.setter
    def result(self, value: dict[str, Any] | None) -> None:
        self.result_data = _dumps(value) if value is not None else None


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    ACCEPTED = "accepted", _("已采纳")
    OVERRIDDEN = "overridden", _("已调整")
    SUPERSEDED = "superseded", _("已被新结果取代")


class TriageDecision(TimeStampedModel):
    """One run of the triage engine over a case, and the social worker's accept or override of it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="triage_decisions",
                             verbose_name=_("个案"))
    # The assessment JSON the engine read (sanshe.rules.triage_schema) plus the administration ids; encrypted.
    inputs_data = EncryptedTextField(_("分流依据"))
    # The engine's full result (TriageResult.as_dict()); encrypted.
    result_data = EncryptedTextField(_("分流结果"))
    rules_version = models.CharField(_("规则版本"), max_length=20)
    engine_tier = models.PositiveSmallIntegerField(_("建议层级"))
    engine_urgency = models.CharField(_("建议紧急程度"), max_length=12)
    engine_crisis = models.BooleanField(_("危机"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=DecisionStatus.choices,
                              default=DecisionStatus.PROPOSED)
    tier = models.PositiveSmallIntegerField(_("确定层级"), null=True, blank=True)
    urgency = models.CharField(_("确定紧急程度"), max_length=12, blank=True)
    override_reason = EncryptedTextField(_("调整理由"), null=True, blank=True)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("评估人"))
    run_at = models.DateTimeField(_("评估时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("确认人"))
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("分流决定")
        verbose_name_plural = _("分流决定")
        ordering = ["-run_at", "-id"]
        indexes = [models.Index(fields=["case", "-run_at"], name="assess_dec_case")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def inputs(self) -> dict[str, Any]:
        return _loads(self.inputs_data) or {}

    @inputs.setter
    def inputs(self, value: dict[str, Any]) -> None:
        self.inputs_data = _dumps(value)

    @property
    def result(self) -> dict[str, Any]:
        return _loads(self.result_data) or {}

    @result.setter
    def result(self, value: dict[str, Any]) -> None:
        self.result_data = _dumps(value)

    @property
    def is_decided(self) -> bool:
        return self.status in (DecisionStatus.ACCEPTED, DecisionStatus.OVERRIDDEN)


class PlacementStatus(models.TextChoices):
    INVITED = "invited", _("已发入群邀请")
    ADDED = "added", _("已入群")
    ENDED = "ended", _("已转出")


class Placement(TimeStampedModel):
    """Where a triage decision put the client: a focus (tier 2) or key (tier 3) group, added or invited."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="placements",
                             verbose_name=_("个案"))
    decision = models.ForeignKey(TriageDecision, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="placements", verbose_name=_("分流决定"))
    group = models.ForeignKey("groups.Group", on_delete=models.PROTECT, related_name="+", verbose_name=_("群"))
    tier = models.PositiveSmallIntegerField(_("层级"))
    status = models.CharField(_("状态"), max_length=8, choices=PlacementStatus.choices)
    member = models.ForeignKey("groups.GroupMember", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    invite = models.ForeignKey("groups.Invite", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("操作人"))
    placed_at = models.DateTimeField(_("入群时间"))
    ended_at = models.DateTimeField(_("转出时间"), null=True, blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("入群安置")
        verbose_name_plural = _("入群安置")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(status__in=["invited", "added"]),
                                    name="assess_one_live_placement"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
