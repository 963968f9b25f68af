"""Duty rosters of consultation groups: templates, shifts and places, assignments, handover, hours, feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.models import TimeStampedModel
from sanshe.groups.models import DutyKind

from .querysets import (
    AssignmentQuerySet,
    HoursRecordQuerySet,
    ShiftNeedQuerySet,
    ShiftQuerySet,
    ShiftTemplateQuerySet,
)

USER = settings.AUTH_USER_MODEL

# The account role a volunteer must be cleared for to fill a place of each kind of duty.
KIND_ROLES: dict[str, str] = {
    DutyKind.MEDICAL: Role.MEDICAL_VOLUNTEER,
    DutyKind.PSYCHOLOGICAL: Role.COUNSELLOR,
    DutyKind.SECRETARY: Role.GENERAL_VOLUNTEER,
    DutyKind.SOCIAL_WORK: Role.SOCIAL_WORKER,
}
KIND_ORDER = [DutyKind.MEDICAL, DutyKind.PSYCHOLOGICAL, DutyKind.SECRETARY, DutyKind.SOCIAL_WORK]


class RosterPolicy(TimeStampedModel):
    """An organisation's roster rules and the details printed on its hour certificates."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE,
                                        related_name="roster_policy", verbose_name=_("机构"))
    max_hours_per_24h = models.PositiveSmallIntegerField(_("任意24小时内最多值班（小时）"), default=10)
    min_rest_hours = models.PositiveSmallIntegerField(_("两次值班间最少休息（小时）"), default=8)
    no_show_limit = models.PositiveSmallIntegerField(_("缺勤几次后暂停自主认领"), default=2)
    free_drop_hours = models.PositiveSmallIntegerField(_("开班前几小时内退班需审批"), default=3)
    reminder_minutes = models.PositiveSmallIntegerField(_("开班前多少分钟提醒"), default=60)
    person_in_charge = models.CharField(_("证明负责人"), max_length=50, blank=True)
    handler = models.CharField(_("证明经办人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("证明联系电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("排班规则")
        verbose_name_plural = _("排班规则")

    def __str__(self) -> str:
        return f"{self.organisation} · {self._meta.verbose_name}"


class GroupRoster(TimeStampedModel):
    """Per-group roster settings: how far ahead volunteers may claim."""

    group = models.OneToOneField("groups.Group", on_delete=models.CASCADE, related_name="roster",
                                 verbose_name=_("群"))
    claim_window_days = models.PositiveSmallIntegerField(_("可提前认领天数"), default=14)

    class Meta:
        verbose_name = _("群排班设置")
        verbose_name_plural = _("群排班设置")

    def __str__(self) -> str:
        return f"{self.group} · {self._meta.verbose_name}"


class ShiftTemplate(TimeStampedModel):
    """A week's pattern of shifts for one group: time slots and how many people of each kind each needs."""

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="shift_templates",
                              verbose_name=_("群"))
    name = models.CharField(_("名称"), max_length=60)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ShiftTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("班次模板")
        verbose_name_plural = _("班次模板")
        ordering = ["group_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class TemplateSlot(models.Model):
    template = models.ForeignKey(ShiftTemplate, on_delete=models.CASCADE, related_name="slots")
    start_minute = models.PositiveSmallIntegerField(_("开始（分钟）"))
    end_minute = models.PositiveSmallIntegerField(_("结束（分钟）"))
    weekdays = models.JSONField(_("适用星期"), default=list)
    needed_medical = models.PositiveSmallIntegerField(_("医务志愿者"), default=0)
    needed_psychological = models.PositiveSmallIntegerField(_("心理咨询志愿者"), default=0)
    needed_secretary = models.PositiveSmallIntegerField(_("群秘书"), default=0)
    needed_social_work = models.PositiveSmallIntegerField(_("社会工作者"), default=0)

    class Meta:
        ordering = ["start_minute", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(end_minute__gt=models.F("start_minute")),
                                              name="slot_end_after_start")]

    def __str__(self) -> str:
        return f"{self.start_minute // 60:02d}:{self.start_minute % 60:02d}"

    @property
    def label(self) -> str:
        """08:00–12:00 周一至周日 · 医务值班 1 · 心理值班 1"""
        days = "、".join("一二三四五六日"[d] for d in sorted(self.weekdays))
        times = f"{self.start_minute // 60:02d}:{self.start_minute % 60:02d}–{self.end_minute // 60:02d}:{self.end_minute % 60:02d}"
        wanted = " · ".join(f"{DutyKind(k).label} {n}" for k, n in self.needs().items() if n)
        return f"{times}（周{days}） · {wanted}"

    def needs(self) -> dict[str, int]:
        return {DutyKind.MEDICAL: self.needed_medical, DutyKind.PSYCHOLOGICAL: self.needed_psychological,
                DutyKind.SECRETARY: self.needed_secretary, DutyKind.SOCIAL_WORK: self.needed_social_work}


class ShiftStatus(models.TextChoices):
    OPEN = "open", _("正常")
    CANCELLED = "cancelled", _("已取消")


class Shift(TimeStampedModel):
    """One duty period of one group."""

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="shifts", verbose_name=_("群"))
    template = models.ForeignKey(ShiftTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts")
    slot = models.ForeignKey(TemplateSlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    status = models.CharField(_("状态"), max_length=12, choices=ShiftStatus.choices, default=ShiftStatus.OPEN)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["group", "starts_at"], name="shift_group_start"),
                   models.Index(fields=["starts_at", "status"], name="shift_start_status")]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="shift_end_after_start")]

    def __str__(self) -> str:
        return f"{self.group} {self.starts_at:%m-%d %H:%M}"


class ShiftNeed(models.Model):
    """How many people of one kind a shift needs, and how many places are filled.

    `filled` is the counter the last-free-place race is decided on: a claim is one conditional UPDATE
    `filled = filled + 1 WHERE filled < needed`, which exactly one of many concurrent claims wins.
    """

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(_("岗位"), max_length=20, choices=DutyKind.choices)
    needed = models.PositiveSmallIntegerField(_("需要人数"))
    filled = models.PositiveSmallIntegerField(_("已排人数"), default=0)

    objects = ShiftNeedQuerySet.as_manager()

    class Meta:
        ordering = ["shift_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "kind"], name="shiftneed_unique_kind"),
            models.CheckConstraint(condition=models.Q(filled__lte=models.F("needed")), name="shiftneed_not_overfilled"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filled}/{self.needed}"

    @property
    def gap(self) -> int:
        return max(0, self.needed - self.filled)


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    DROPPED = "dropped", _("已退班")
    HANDED_OVER = "handed_over", _("已转让")
    REMOVED = "removed", _("已调离")
    NO_SHOW = "no_show", _("缺勤")


class AssignmentSource(models.TextChoices):
    CLAIM = "claim", _("自主认领")
    ASSIGN = "assign", _("秘书安排")
    OFFER = "offer", _("同事转让")


class Assignment(TimeStampedModel):
    """A person holding a place on a shift, and what happened: check-in, check-out, drop, no-show."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    need = models.ForeignKey(ShiftNeed, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="shift_assignments", verbose_name=_("值班人"))
    kind = models.CharField(_("岗位"), max_length=20, choices=DutyKind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.ACTIVE)
    source = models.CharField(_("来源"), max_length=10, choices=AssignmentSource.choices)
    assigned_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set when a coordinator put the person on despite the rest or 24-hour rule (the why; audited too).
    rest_override_reason = models.CharField(_("破例安排原因"), max_length=200, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["shift__starts_at", "id"]
        indexes = [models.Index(fields=["user", "status"], name="assignment_user_status")]
        constraints = [models.UniqueConstraint(fields=["shift", "user"], condition=models.Q(status="active"),
                                               name="assignment_one_active_per_shift")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    APPROVED = "approved", _("已同意")
    DECLINED = "declined", _("未同意")
    WITHDRAWN = "withdrawn", _("已撤回")


class DropRequest(TimeStampedModel):
    """A late drop (within the free-drop hours): waits for the secretary's approval."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="drop_requests")
    reason = models.CharField(_("原因"), max_length=200)
    status = models.CharField(_("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("退班申请")
        verbose_name_plural = _("退班申请")
        constraints = [models.UniqueConstraint(fields=["assignment"], condition=models.Q(status="pending"),
                                               name="droprequest_one_pending")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class ShiftOffer(TimeStampedModel):
    """A volunteer offers their place to eligible colleagues; the first who takes it gets it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="offers")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    taken_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("班次转让")
        verbose_name_plural = _("班次转让")
        constraints = [models.UniqueConstraint(fields=["assignment"], condition=models.Q(status="pending"),
                                               name="shiftoffer_one_open")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class HandoverNote(TimeStampedModel):
    """工作交接: what the next shift must know (no personal numbers; names of clients as needed)."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="handover_notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("交班人"))
    body = models.TextField(_("交接内容"), max_length=4000)

    class Meta:
        verbose_name = _("交接班记录")
        verbose_name_plural = _("交接班记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class HoursStatus(models.TextChoices):
    APPROVED = "approved", _("已确认")
    PENDING = "pending", _("待确认")
    REJECTED = "rejected", _("未确认")


class HoursSource(models.TextChoices):
    SHIFT = "shift", _("值班签到签退")
    MANUAL = "manual", _("补录")


class HoursRecord(TimeStampedModel):
    """Service hours (民政部令第67号): who, what, when, how long, excluding travel; recorded by the organiser."""

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="hours_records", verbose_name=_("志愿者"))
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("记录机构"))
    group = models.ForeignKey("groups.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assignment = models.OneToOneField(Assignment, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="hours_record")
    service_date = models.DateField(_("服务日期"))
    started_at = models.DateTimeField(_("开始"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("时长（分钟）"))
    content = models.CharField(_("服务内容"), max_length=200)
    source = models.CharField(_("来源"), max_length=10, choices=HoursSource.choices)
    status = models.CharField(_("状态"), max_length=10, choices=HoursStatus.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = HoursRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务时长记录")
        verbose_name_plural = _("服务时长记录")
        ordering = ["-service_date", "-id"]
        indexes = [models.Index(fields=["user", "organisation", "status"], name="hours_user_org_status")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


class HoursCorrection(TimeStampedModel):
    """A volunteer asks the organisation to correct a record; the organisation decides."""

    record = models.ForeignKey(HoursRecord, on_delete=models.CASCADE, related_name="corrections")
    requested_by = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    minutes = models.PositiveIntegerField(_("应为（分钟）"))
    reason = models.CharField(_("理由"), max_length=300)
    status = models.CharField(_("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decision_note = models.CharField(_("处理意见"), max_length=300, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("时长更正申请")
        verbose_name_plural = _("时长更正申请")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class HoursCertificate(models.Model):
    """志愿服务证明: a snapshot of what the organisation certifies, numbered, printable on A4."""

    number = models.CharField(_("证明编号"), max_length=32, unique=True)
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="hours_certificates")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    doc_type_label = models.CharField(_("证件类型"), max_length=40)
    doc_masked = models.CharField(_("证件号码"), max_length=40)
    minutes = models.PositiveIntegerField(_("服务时长（分钟）"))
    period_from = models.DateField(_("起"))
    period_to = models.DateField(_("止"))
    content = models.CharField(_("服务内容"), max_length=300)
    person_in_charge = models.CharField(_("负责人"), max_length=50)
    handler = models.CharField(_("经办人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    issued_at = models.DateTimeField(_("开具日期"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


class NoShowLift(models.Model):
    """A social worker lets a volunteer blocked by no-shows claim again; earlier no-shows stop counting."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    lifted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("解除认领限制")
        verbose_name_plural = _("解除认领限制")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class CalendarFeed(models.Model):
    """A private iCal link to a volunteer's shifts; only its hash is kept; revoking ends it for good."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class HelpCall(models.Model):
    """A "call for help" sent for an unfilled place (kept to show when the last call went out)."""

    need = models.ForeignKey(ShiftNeed, on_delete=models.CASCADE, related_name="help_calls")
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"HelpCall #{self.pk}"
