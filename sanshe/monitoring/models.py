"""Screening rounds, quarantine periods, daily follow-ups, check-ins, alerts, the epidemic profile, figures.

Individual health data (readings, symptoms, situations found by screening, notes, reasons) is encrypted at
rest; statuses, dates and places stay in clear because lists, deadlines and figures filter on them.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.core.models import TimeStampedModel
from sanshe.core.pii import EncryptedTextField

from .choices import (
    AlertKind,
    AlertOutcome,
    AlertStatus,
    CheckInSource,
    ContactMethod,
    FollowUpStatus,
    OrderedHow,
    QuarantineKind,
    QuarantineStatus,
    RoundStatus,
)
from .querysets import (
    AlertQuerySet,
    CheckInQuerySet,
    DailyFiguresQuerySet,
    FollowUpQuerySet,
    QuarantinePeriodQuerySet,
    ScreeningEntryQuerySet,
    ScreeningRoundQuerySet,
)

OPEN_PERIOD_STATUSES = (QuarantineStatus.ACTIVE, QuarantineStatus.LOST)
OPEN_ALERT_STATUSES = (AlertStatus.OPEN, AlertStatus.TAKEN)


def _loads(text: str | None) -> Any:
    if not text:
        return {}
    return json.loads(text)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class EpidemicProfile(TimeStampedModel):
    """The deployment's follow-up rules, so the same system serves the next respiratory epidemic."""

    name = models.CharField(_("疫情名称"), max_length=100, default="新型冠状病毒感染")
    follow_up_days = models.PositiveSmallIntegerField(_("观察天数（自最后接触日起）"), default=14)
    slot_deadlines = models.JSONField(_("每日打卡截止时间"), default=list)
    fever_threshold_c = models.DecimalField(_("发热标准（℃）"), max_digits=3, decimal_places=1,
                                            default=Decimal("37.3"))
    lost_after_days = models.PositiveSmallIntegerField(_("连续几天未报告判为失访"), default=3)
    worker_reminder_minutes = models.PositiveSmallIntegerField(_("提醒本人后多少分钟仍未报告再提醒社区工作者"),
                                                               default=60)
    # PIPL: health data is deleted once its purpose has ended (this many days after a period or round ends).
    retention_days = models.PositiveSmallIntegerField(_("观察结束后健康数据保留天数"), default=30)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("修改人"))

    class Meta:
        verbose_name = _("疫情配置")
        verbose_name_plural = _("疫情配置")

    def __str__(self) -> str:
        return self.name


class ScreeningRound(TimeStampedModel):
    """One pass over a community, compound or building, household by household."""

    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("社区"))
    compound = models.ForeignKey("places.Compound", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("小区"))
    building = models.ForeignKey("places.Building", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("楼栋"))
    title = models.CharField(_("排查名称"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("发起人"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = ScreeningRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("排查")
        verbose_name_plural = _("排查")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "status", "-created_at"], name="mon_round_comm")]

    def __str__(self) -> str:
        return self.title


class ScreeningEntry(TimeStampedModel):
    """What screening found in one household: reached or not, members' situations, exposure, needs, notes."""

    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="entries",
                              verbose_name=_("排查"))
    household = models.ForeignKey("places.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("住户"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey("places.Compound", on_delete=models.PROTECT, related_name="+", editable=False)
    building = models.ForeignKey("places.Building", on_delete=models.PROTECT, related_name="+", editable=False)
    contact = models.CharField(_("联系方式"), max_length=12, choices=ContactMethod.choices)
    attempts = models.PositiveSmallIntegerField(_("联系次数"), default=1)
    # {"members": {"<person id>": ["fever", ...]}, "exposure": "...", "exposure_date": "...",
    #  "needs": [...], "note": "..."}: situations, exposure and needs are individual health data.
    details = EncryptedTextField(_("排查内容"), null=True, blank=True)
    worked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("排查人"))

    objects = ScreeningEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("排查记录")
        verbose_name_plural = _("排查记录")
        constraints = [models.UniqueConstraint(fields=["round", "household"], name="mon_entry_unique")]
        indexes = [models.Index(fields=["round", "building", "contact"], name="mon_entry_round_bldg")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def reached(self) -> bool:
        return self.contact != ContactMethod.UNREACHABLE

    @property
    def data(self) -> dict:
        return _loads(self.details)

    def set_data(self, value: dict) -> None:
        self.details = _dumps(value)


class QuarantinePeriod(TimeStampedModel):
    """A quarantine or health-monitoring period: kind, site, exposure, how it was ordered, end date, status."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="quarantine_periods",
                               verbose_name=_("人员"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey("places.Compound", on_delete=models.PROTECT, related_name="+", editable=False)
    building = models.ForeignKey("places.Building", on_delete=models.PROTECT, related_name="+", editable=False)
    kind = models.CharField(_("隔离方式"), max_length=20, choices=QuarantineKind.choices)
    site = models.CharField(_("隔离地点"), max_length=100, blank=True,
                            help_text=_("集中隔离填写隔离点名称；居家隔离可不填"))
    last_exposure_date = models.DateField(_("最后接触日期"), null=True, blank=True)
    start_date = models.DateField(_("开始日期"))
    ordered_how = models.CharField(_("通知方式"), max_length=20, choices=OrderedHow.choices)
    ordered_by = models.CharField(_("通知单位或人员"), max_length=100, blank=True)
    order_reference = models.CharField(_("通知书编号"), max_length=60, blank=True)
    follow_up_days = models.PositiveSmallIntegerField(_("观察天数"))
    end_date = models.DateField(_("观察截止日期"), db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=QuarantineStatus.choices,
                              default=QuarantineStatus.ACTIVE)
    # JSON list of sanshe.rules.redflags.HIGH_RISK_CONDITIONS codes: health data, encrypted.
    risk_conditions = EncryptedTextField(_("重症高风险因素"), null=True, blank=True)
    status_reason = EncryptedTextField(_("状态变更原因"), null=True, blank=True)
    lost_at = models.DateTimeField(_("失访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Filled when the period ends: days with follow-ups owed and no check-in at all.
    days_without_check_in = models.PositiveSmallIntegerField(_("未报告天数"), null=True, blank=True)
    purged_at = models.DateTimeField(_("健康数据删除时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("登记人"))

    objects = QuarantinePeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("隔离观察")
        verbose_name_plural = _("隔离观察")
        ordering = ["-start_date", "-id"]
        constraints = [
            # One open (active or lost) period per person: the follow-ups of two would collide.
            models.UniqueConstraint(fields=["person"], condition=models.Q(status__in=["active", "lost"]),
                                    name="mon_period_one_open"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="mon_period_end_after_start"),
        ]
        indexes = [
            models.Index(fields=["status", "end_date"], name="mon_period_status_end"),
            models.Index(fields=["community", "status"], name="mon_period_comm_status"),
            models.Index(fields=["building", "status"], name="mon_period_bldg_status"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PERIOD_STATUSES

    @property
    def risk_codes(self) -> list[str]:
        return list(_loads(self.risk_conditions) or [])

    def set_risk_codes(self, codes: list[str]) -> None:
        self.risk_conditions = _dumps(sorted(set(codes))) if codes else None


class CheckIn(models.Model):
    """One health report: by the person (link or login) or recorded by a worker from a phone call."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="check_ins",
                               verbose_name=_("人员"))
    follow_up = models.ForeignKey("FollowUp", on_delete=models.CASCADE, related_name="check_ins",
                                  verbose_name=_("随访"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+", editable=False)
    building = models.ForeignKey("places.Building", on_delete=models.PROTECT, related_name="+", editable=False)
    source = models.CharField(_("来源"), max_length=12, choices=CheckInSource.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("记录人"))
    submitted_at = models.DateTimeField(_("报告时间"))
    # Sent by the page with every submission: a retry or a double tap carries the same key.
    idempotency_key = models.CharField(max_length=64)
    # {"temperature_c": 36.8, "spo2": 97, "breathing_rate": 18, "breathing": "none", "symptoms": [...],
    #  "high_fever_days": 0, "underlying_worse": false, "child_signs": [], "pregnancy_signs": [],
    #  "flags": [{"code", "level", "reason", "action"}]}
    observation = EncryptedTextField(_("健康情况"))
    note = EncryptedTextField(_("补充说明"), null=True, blank=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("健康打卡")
        verbose_name_plural = _("健康打卡")
        ordering = ["-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["person", "idempotency_key"], name="mon_checkin_once")]
        indexes = [models.Index(fields=["person", "-submitted_at"], name="mon_checkin_person")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def data(self) -> dict:
        return _loads(self.observation)

    @property
    def temperature(self) -> float | None:
        return self.data.get("temperature_c")

    @property
    def flags(self) -> list[dict]:
        return self.data.get("flags", [])


class FollowUp(models.Model):
    """One owed check-in: a person, a day, a slot (morning, evening …), its deadline and status."""

    period = models.ForeignKey(QuarantinePeriod, on_delete=models.CASCADE, related_name="follow_ups",
                               verbose_name=_("隔离观察"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey("places.Compound", on_delete=models.PROTECT, related_name="+", editable=False)
    building = models.ForeignKey("places.Building", on_delete=models.PROTECT, related_name="+", editable=False)
    date = models.DateField(_("日期"))
    slot = models.PositiveSmallIntegerField(_("第几次"))
    due_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(_("状态"), max_length=14, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.PENDING)
    last_check_in = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    seen_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期后补报"), default=False)
    missed_at = models.DateTimeField(null=True, blank=True)
    person_reminded_at = models.DateTimeField(null=True, blank=True)
    worker_reminded_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("随访")
        verbose_name_plural = _("随访")
        ordering = ["date", "slot", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "date", "slot"], name="mon_followup_once")]
        indexes = [
            models.Index(fields=["building", "date"], name="mon_fu_bldg_date"),
            # A community's day grouped by building (the today list, indicators): one range of this index.
            models.Index(fields=["community", "date", "building", "status"], name="mon_fu_comm_date"),
            models.Index(fields=["date", "building", "status"], name="mon_fu_date_bldg"),
            models.Index(fields=["status", "due_at"], name="mon_fu_status_due"),
            models.Index(fields=["period", "date"], name="mon_fu_period_date"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_seen(self) -> bool:
        return self.status in (FollowUpStatus.SEEN_WELL, FollowUpStatus.SEEN_SYMPTOMS)


class CheckInLink(models.Model):
    """A personal check-in link: the URL carries a signed random id; revocable; ends with the period."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(QuarantinePeriod, on_delete=models.CASCADE, related_name="links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("打卡链接")
        verbose_name_plural = _("打卡链接")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Alert(models.Model):
    """A red flag or a lost person, in the right people's queue until someone handles it."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    period = models.ForeignKey(QuarantinePeriod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    check_in = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey("places.Compound", on_delete=models.PROTECT, related_name="+", editable=False)
    building = models.ForeignKey("places.Building", on_delete=models.PROTECT, related_name="+", editable=False)
    kind = models.CharField(_("类型"), max_length=10, choices=AlertKind.choices)
    level = models.PositiveSmallIntegerField(_("级别"))  # sanshe.rules.redflags.Level
    status = models.CharField(_("状态"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    # {"flags": [{"code", "level", "reason", "action", "source"}]}: health data, encrypted.
    details = EncryptedTextField(_("内容"))
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("负责人"))
    raised_at = models.DateTimeField(_("发出时间"))
    last_raised_at = models.DateTimeField(_("最近一次"))
    times_raised = models.PositiveIntegerField(_("次数"), default=1)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("接手人"))
    taken_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("处理人"))
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("处理结果"), max_length=12, choices=AlertOutcome.choices, blank=True)
    resolution_note = EncryptedTextField(_("处理说明"), null=True, blank=True)
    # Urgent and emergency alerts: taken within 5 minutes, or the next people are told (sanshe.core.notify).
    ack_deadline = models.DateTimeField(_("接手时限"), null=True, blank=True)
    escalation_step = models.PositiveSmallIntegerField(_("升级层级"), default=0)
    escalated_at = models.DateTimeField(_("最近升级时间"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-level", "raised_at", "id"]
        constraints = [
            # One open alert of a kind per person: a second fever reading updates it instead of piling up.
            models.UniqueConstraint(fields=["person", "kind"], condition=models.Q(status__in=["open", "taken"]),
                                    name="mon_alert_one_open"),
        ]
        indexes = [
            models.Index(fields=["community", "status", "level"], name="mon_alert_comm"),
            models.Index(fields=["status", "ack_deadline"], name="mon_alert_due"),
            models.Index(fields=["building", "status"], name="mon_alert_bldg"),
            models.Index(fields=["raised_at"], name="mon_alert_raised"),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ALERT_STATUSES

    @property
    def flags(self) -> list[dict]:
        return _loads(self.details).get("flags", [])


class DailyFigures(models.Model):
    """Follow-up figures of one building on one day (the indicators' 14-day trend), refreshed by a task."""

    date = models.DateField()
    community = models.ForeignKey("places.Community", on_delete=models.CASCADE, related_name="+")
    compound = models.ForeignKey("places.Compound", on_delete=models.CASCADE, related_name="+")
    building = models.ForeignKey("places.Building", on_delete=models.CASCADE, related_name="+")
    people = models.PositiveIntegerField(default=0)  # people with follow-ups owed that day
    people_seen = models.PositiveIntegerField(default=0)  # of whom checked in at least once
    due = models.PositiveIntegerField(default=0)
    seen_well = models.PositiveIntegerField(default=0)
    seen_symptoms = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)  # of seen_well + seen_symptoms: reported after the deadline
    missed = models.PositiveIntegerField(default=0)
    unreachable = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    alerts_notice = models.PositiveIntegerField(default=0)
    alerts_urgent = models.PositiveIntegerField(default=0)
    alerts_emergency = models.PositiveIntegerField(default=0)
    lost = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    objects = DailyFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("每日随访统计")
        verbose_name_plural = _("每日随访统计")
        constraints = [models.UniqueConstraint(fields=["date", "building"], name="mon_figures_once")]
        indexes = [models.Index(fields=["community", "date"], name="mon_figures_comm")]

    def __str__(self) -> str:
        return f"{self.date} #{self.building_id}"


__all__ = [
    "OPEN_ALERT_STATUSES", "OPEN_PERIOD_STATUSES", "Alert", "AlertKind", "AlertOutcome", "AlertStatus", "CheckIn",
    "CheckInLink", "CheckInSource", "DailyFigures", "EpidemicProfile", "FollowUp", "FollowUpStatus",
    "QuarantinePeriod", "ScreeningEntry", "ScreeningRound",
]
