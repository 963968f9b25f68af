"""Referrals to social workers (转介): from screening, check-ins, alerts, chat or self-help, into an inbox.

Intake, triage and case management (a later feature) build on this app; a Referral is where they start.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.core.models import TimeStampedModel
from sanshe.core.pii import EncryptedCharField, EncryptedTextField, mask_phone

from .querysets import CaseQuerySet, ReferralQuerySet


class ReferralSource(models.TextChoices):
    SCREENING = "screening", _("排查")
    CHECK_IN = "check_in", _("健康打卡")
    ALERT = "alert", _("健康预警")
    CHAT = "chat", _("群聊或私聊")
    SELF_HELP = "self_help", _("本人求助")


class ReferralUrgency(models.TextChoices):
    """The same codes as sanshe.rules.triage.Urgency, so a triage decision maps onto a referral as is."""

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


class CaseStatus(models.TextChoices):
    """Tool 5's life of a case: open → in service → referred out → closed (reasons kept in the history)."""

    OPEN = "open", _("已接案")
    IN_SERVICE = "in_service", _("服务中")
    REFERRED_OUT = "referred_out", _("已转介")
    CLOSED = "closed", _("已结案")


OPEN_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_SERVICE, CaseStatus.REFERRED_OUT)


class CaseTier(models.IntegerChoices):
    """The three tiers of online groups a client is served in (sanshe.groups.GroupTier uses the same numbers)."""

    RESIDENT = 1, _("一级：小区居民群")
    FOCUS = 2, _("二级：聚焦服务群")
    KEY = 3, _("三级：重点陪助群")


class Case(TimeStampedModel):
    """A client taken on by a social worker (个案, tool 5): intake, needs, plan, tier and status.

    Other features hang their records on a case: scale administrations and triage decisions
    (sanshe.assessments), crisis responses (sanshe.crisis), service records and referrals out
    (sanshe.records). Sensitive free text is encrypted at rest.
    """

    number = models.CharField(_("个案编号"), max_length=24, unique=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases",
                               verbose_name=_("案主"))
    # Denormalised from the person: scoping and the inbox are one indexed filter per community.
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+", editable=False)
    building = models.ForeignKey("places.Building", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", editable=False)
    referral = models.OneToOneField(Referral, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="case", verbose_name=_("来源转介"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases",
                              verbose_name=_("负责社工"))
    intake_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("接案社工"))
    status = models.CharField(_("状态"), max_length=14, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    urgency = models.CharField(_("紧急程度"), max_length=12, choices=ReferralUrgency.choices,
                               default=ReferralUrgency.ROUTINE)
    urgency_rank = models.PositiveSmallIntegerField(default=1, editable=False)
    tier = models.PositiveSmallIntegerField(_("服务层级"), choices=CaseTier.choices, null=True, blank=True)
    is_crisis = models.BooleanField(_("危机个案"), default=False)

    # Intake (信息采集, tool 4 一、二、三).
    emergency_contact_name = EncryptedCharField(_("紧急联系人"), max_length=64, null=True, blank=True, default="")
    emergency_contact_phone = EncryptedCharField(_("紧急联系人电话"), max_length=32, null=True, blank=True, default="")
    demand_emotion = EncryptedTextField(_("诉求：情绪"), null=True, blank=True, default="")
    demand_medical = EncryptedTextField(_("诉求：医疗"), null=True, blank=True, default="")
    demand_psychological = EncryptedTextField(_("诉求：心理"), null=True, blank=True, default="")
    demand_other = EncryptedTextField(_("诉求：其他"), null=True, blank=True, default="")
    # Needs assessment checkboxes as sanshe.rules.needs.NEEDS codes, e.g. ["health_consultation", "emotional_support"].
    needs = models.JSONField(_("需求评估"), default=list, blank=True)
    needs_other = EncryptedTextField(_("需求评估：其他说明"), null=True, blank=True, default="")
    plan = EncryptedTextField(_("服务计划"), null=True, blank=True, default="")

    opened_at = models.DateTimeField(_("接案时间"))
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    close_reason = EncryptedTextField(_("结案原因"), null=True, blank=True, default="")

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        ordering = ["-urgency_rank", "opened_at", "id"]
        indexes = [
            models.Index(fields=["community", "status", "-urgency_rank", "opened_at"], name="cases_case_inbox"),
            models.Index(fields=["owner", "status", "-urgency_rank", "opened_at"], name="cases_case_owner"),
            models.Index(fields=["person", "status"], name="cases_case_person"),
            # "My cases": the owner's open cases already in page order (three statuses are one range here).
            models.Index(fields=["owner", "-urgency_rank", "opened_at", "id"], name="cases_case_owner_open",
                         condition=models.Q(status__in=["open", "in_service", "referred_out"])),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES

    @property
    def emergency_contact_phone_masked(self) -> str:
        return mask_phone(self.emergency_contact_phone)


class CaseStatusChange(models.Model):
    """One step of a case's status history, with who, when and why (tool 5 状态)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("个案"))
    from_status = models.CharField(_("原状态"), max_length=14, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=14, choices=CaseStatus.choices)
    reason = EncryptedTextField(_("原因"), null=True, blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("个案状态变更")
        verbose_name_plural = _("个案状态变更")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="cases_status_hist")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class CasePart(models.TextChoices):
    """The three columns of tool 5's follow-up table, and the parts of a case one may be assigned."""

    MEDICAL = "medical", _("医疗")
    PSYCHOLOGICAL = "psychological", _("心理")
    OTHER = "other", _("其他")


class CaseFollowUp(TimeStampedModel):
    """A follow-up entry of tool 5: on a date, in a part, what was done or is due, by whom (and how to reach them)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followups", verbose_name=_("个案"))
    date = models.DateField(_("日期"))
    domain = models.CharField(_("类别"), max_length=14, choices=CasePart.choices)
    content = EncryptedTextField(_("跟进内容"))
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("负责人（账号）"))
    responsible_name = models.CharField(_("负责人"), max_length=50)
    contact = EncryptedCharField(_("联系方式"), max_length=32, null=True, blank=True, default="")
    due_at = models.DateTimeField(_("完成时限"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("完成确认人"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("记录人"))
    # When the owner was last reminded that this entry is overdue (one reminder a day at most).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("个案跟进")
        verbose_name_plural = _("个案跟进")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["case", "date"], name="cases_fu_case"),
            models.Index(fields=["done_at", "due_at"], name="cases_fu_due"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.date} {self.domain}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def contact_masked(self) -> str:
        from sanshe.core.pii import mask_phone

        return mask_phone(self.contact) if self.contact else ""


class CaseAssignment(TimeStampedModel):
    """Referral of a part of a case (医疗/心理/其他) to an assignee, who then sees the case; the owner stays."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("个案"))
    part = models.CharField(_("负责部分"), max_length=14, choices=CasePart.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments",
                                 verbose_name=_("负责人"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("指派人"))
    note = EncryptedTextField(_("说明"), null=True, blank=True, default="")
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("个案分工")
        verbose_name_plural = _("个案分工")
        ordering = ["part", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "part"], condition=models.Q(ended_at__isnull=True),
                                    name="cases_assign_one_per_part"),
        ]
        indexes = [models.Index(fields=["assignee", "ended_at"], name="cases_assign_user")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.part} → {self.assignee_id}"


class CaseTransfer(models.Model):
    """A change of the case's owner (转移: the whole case, unlike an assignment of a part)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("个案"))
    from_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("原负责社工"))
    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("新负责社工"))
    reason = EncryptedTextField(_("转移原因"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("个案转移")
        verbose_name_plural = _("个案转移")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_owner_id} → {self.to_owner_id}"


class HelpKind(models.TextChoices):
    """What a resident asks help with. 买药 and 生活物资 are kinds of their own (not free text) so that a
    supplies/medicine service can pick up exactly those requests; HELP_KIND_NEEDS maps them onto tool 4."""

    EMOTION = "emotion", _("情绪")
    MEDICAL = "medical", _("医疗")
    MEDICINE = "medicine", _("买药")
    SUPPLIES = "supplies", _("生活物资")
    PSYCHOLOGICAL = "psychological", _("心理")
    OTHER = "other", _("其他")


# The tool 4 need (sanshe.rules.needs) and the case part (CasePart) each kind of help belongs to.
HELP_KIND_NEEDS = {"emotion": "emotional_support", "medical": "health_consultation", "medicine": "medical_supplies",
                   "supplies": "living_supplies", "psychological": "emotional_support", "other": "support_other"}
HELP_KIND_PARTS = {"emotion": "psychological", "medical": "medical", "medicine": "medical", "supplies": "other",
                   "psychological": "psychological", "other": "other"}


class HelpRequest(TimeStampedModel):
    """A resident's own request for help (求助) from the phone.

    The first one becomes a self_help referral (its source); while that referral is open, later ones are
    attached to it as entries of their own (text, kinds, time), never refused, and may raise its urgency.
    """

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="help_requests",
                               verbose_name=_("求助人"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("提交账号"))
    kinds = models.JSONField(_("需要的帮助"), default=list)
    text = EncryptedTextField(_("情况说明"))
    urgency = models.CharField(_("紧急程度"), max_length=12, choices=ReferralUrgency.choices,
                               default=ReferralUrgency.ROUTINE)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="help_requests", verbose_name=_("转介"))
    # This entry made the open request more urgent than it was (shown to staff beside the entry).
    raised_urgency = models.BooleanField(_("提高了紧急程度"), default=False)

    class Meta:
        verbose_name = _("求助")
        verbose_name_plural = _("求助")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="cases_help_person")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_attached(self) -> bool:
        """Added to an open request rather than starting one (the referral's source is another entry)."""
        return self.referral_id is not None and self.referral.source_id not in (None, self.pk)

    @property
    def kind_labels(self) -> list[str]:
        return [str(HelpKind(k).label) for k in HelpKind.values if k in self.kinds]
