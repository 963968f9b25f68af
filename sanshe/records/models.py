"""Service records of the guide's tools 3, 4, 6 and 7, referrals out (服务转介) and the daily summary (tool 8).

One `ServiceRecord` table holds the four record tools: they share the client block, the group, the case,
the recorder and the service time, and the daily summary compiles them per group and day in one query.
Fields that only one tool has are nullable and encrypted when sensitive. Who may read a record is decided
by its kind and `domain` (need-to-know, see querysets.py), never by the page that shows it.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.core.models import TimeStampedModel
from sanshe.core.pii import EncryptedCharField, EncryptedTextField, mask_address, mask_phone

from .querysets import DailySummaryQuerySet, ReferralOutQuerySet, ServiceRecordQuerySet

USER = settings.AUTH_USER_MODEL


class RecordKind(models.TextChoices):
    CONSULTATION = "consultation", _("服务对象咨询记录表")
    SOCIAL_WORK = "social_work", _("社会工作者服务记录表")
    MEDICAL = "medical", _("医务志愿者服务记录表")
    PSYCHOLOGICAL = "psychological", _("心理咨询志愿者服务记录表")


TOOL_NUMBER = {RecordKind.CONSULTATION: 3, RecordKind.SOCIAL_WORK: 4, RecordKind.MEDICAL: 6,
               RecordKind.PSYCHOLOGICAL: 7}
NUMBER_PREFIX = {RecordKind.CONSULTATION: "ZX", RecordKind.SOCIAL_WORK: "SG", RecordKind.MEDICAL: "YW",
                 RecordKind.PSYCHOLOGICAL: "XL"}


class ConsultKind(models.TextChoices):
    """Tool 3 咨询类别."""

    MEDICAL = "medical", _("医疗")
    PSYCHOLOGICAL = "psychological", _("心理")
    OTHER = "other", _("其他")


class Domain(models.TextChoices):
    """Need-to-know domain of a record: who besides the social worker may read it."""

    MEDICAL = "medical", _("医疗")
    PSYCHOLOGICAL = "psychological", _("心理")
    SOCIAL_WORK = "social_work", _("社工")
    GENERAL = "general", _("一般")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class ServiceRecord(TimeStampedModel):
    """One filled-in tool 3, 4, 6 or 7 about one client in one group (or, for a social worker, one community)."""

    kind = models.CharField(_("记录类型"), max_length=16, choices=RecordKind.choices)
    domain = models.CharField(_("知情范围"), max_length=16, choices=Domain.choices, editable=False)
    number = models.CharField(_("编号"), max_length=24, unique=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    group = models.ForeignKey("groups.Group", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="service_records", verbose_name=_("组别（微信群）"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("所属社区"))
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="service_records", verbose_name=_("服务对象"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="service_records", verbose_name=_("个案"))
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"))
    service_date = models.DateField(_("服务日期"), db_index=True)
    service_start = models.DateTimeField(_("服务开始时间"), null=True, blank=True)
    service_end = models.DateTimeField(_("服务结束时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    # Client block (tools 3, 4, 6, 7): copied from the person record when known, editable.
    client_name = EncryptedCharField(_("服务对象姓名"), max_length=50)
    client_sex = models.CharField(_("性别"), max_length=1, blank=True,
                                  choices=[("M", _("男")), ("F", _("女")), ("U", _("未知"))])
    client_age = models.PositiveSmallIntegerField(_("年龄"), null=True, blank=True)
    client_address = EncryptedCharField(_("居住地址"), max_length=200, null=True, blank=True, default="")
    client_phone = EncryptedCharField(_("联系电话"), max_length=32, null=True, blank=True, default="")
    client_education = models.CharField(_("学历"), max_length=20, blank=True)
    client_marital = models.CharField(_("婚姻状况"), max_length=20, blank=True)
    emergency_contact_name = EncryptedCharField(_("紧急联系人"), max_length=64, null=True, blank=True, default="")
    emergency_contact_phone = EncryptedCharField(_("紧急联系人电话"), max_length=32, null=True, blank=True, default="")

    # Tool 3: 服务对象咨询记录表 (by the group secretary).
    consult_kind = models.CharField(_("咨询类别"), max_length=16, choices=ConsultKind.choices, blank=True)
    service_staff = EncryptedTextField(_("服务人员及联系方式"), null=True, blank=True, default="")
    # [{"q": question, "a": answer}, ...] as JSON inside the encrypted text.
    consultation_points = EncryptedTextField(_("咨询内容"), null=True, blank=True, default="")
    chat_record = EncryptedTextField(_("微信群服务记录"), null=True, blank=True, default="")
    images = models.ManyToManyField("groups.ChatImage", blank=True, related_name="+", verbose_name=_("聊天截图"))
    source_request = models.OneToOneField("groups.RecordRequest", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+", verbose_name=_("来源（记录此条）"))

    # Tool 4: 社会工作者服务记录表.
    demand_emotion = EncryptedTextField(_("诉求：情绪"), null=True, blank=True, default="")
    demand_medical = EncryptedTextField(_("诉求：医疗"), null=True, blank=True, default="")
    demand_psychological = EncryptedTextField(_("诉求：心理"), null=True, blank=True, default="")
    demand_other = EncryptedTextField(_("诉求：其他"), null=True, blank=True, default="")
    needs = models.JSONField(_("需求评估"), default=list, blank=True)
    needs_other = EncryptedTextField(_("需求评估：其他说明"), null=True, blank=True, default="")
    # ["point 1", "point 2", ...] as JSON inside the encrypted text.
    service_points = EncryptedTextField(_("服务内容"), null=True, blank=True, default="")
    result = EncryptedTextField(_("服务结果"), null=True, blank=True, default="")
    follow_up = EncryptedTextField(_("跟进建议"), null=True, blank=True, default="")

    # Tools 6 and 7: the client's health background.
    physical_condition = EncryptedTextField(_("身体状况"), null=True, blank=True, default="")
    other_history = EncryptedTextField(_("有无其他病史"), null=True, blank=True, default="")
    past_illness = EncryptedTextField(_("曾患病信息"), null=True, blank=True, default="")
    medication = EncryptedTextField(_("曾服用药物"), null=True, blank=True, default="")
    treatment = EncryptedTextField(_("曾治疗方法"), null=True, blank=True, default="")
    treatment_count = models.CharField(_("曾治疗次数"), max_length=20, blank=True)
    # Tool 6.
    online_service = EncryptedTextField(_("在线服务内容"), null=True, blank=True, default="")
    professional_advice = EncryptedTextField(_("专业建议"), null=True, blank=True, default="")
    # Tool 7.
    consult_count = models.PositiveSmallIntegerField(_("咨询次数"), null=True, blank=True)
    observation = EncryptedTextField(_("心理咨询师观察"), null=True, blank=True, default="")
    counselling_process = EncryptedTextField(_("心理咨询师在线咨询过程"), null=True, blank=True, default="")
    goal_plan = EncryptedTextField(_("目标方案"), null=True, blank=True, default="")
    next_appointment = models.BooleanField(_("是否预约下次咨询时间"), null=True, blank=True)
    next_appointment_at = models.DateTimeField(_("下次咨询时间"), null=True, blank=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-service_date", "-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["group", "service_date"], name="records_group_day"),
            models.Index(fields=["community", "-service_date"], name="records_comm_day"),
            models.Index(fields=["author", "-service_date"], name="records_author_day"),
            models.Index(fields=["case"], name="records_case"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def tool(self) -> int:
        return TOOL_NUMBER[self.kind]

    @property
    def is_draft(self) -> bool:
        return self.status == RecordStatus.DRAFT

    @property
    def points(self) -> list[dict]:
        return _json_list(self.consultation_points)

    @property
    def service_point_list(self) -> list[str]:
        return [str(p) for p in _json_list(self.service_points)]

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.client_phone)

    @property
    def address_masked(self) -> str:
        return mask_address(self.client_address)

    @property
    def emergency_phone_masked(self) -> str:
        return mask_phone(self.emergency_contact_phone)


def _json_list(text: str | None) -> list:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return [text]
    return value if isinstance(value, list) else [value]


# ------------------------------------------------------------------------------------- referral out

class ReferralOutKind(models.TextChoices):
    HOSPITAL = "hospital", _("医院")
    MENTAL_HEALTH = "mental_health", _("精神卫生机构")
    COMMUNITY = "community", _("社区")
    CIVIL_AFFAIRS = "civil_affairs", _("民政部门")


class ReferralOutStatus(models.TextChoices):
    SENT = "sent", _("已发出")
    CONFIRMED = "confirmed", _("对方已确认接收")
    DONE = "done", _("已完成")
    DECLINED = "declined", _("对方未接收")


OPEN_REFERRAL_OUT = (ReferralOutStatus.SENT, ReferralOutStatus.CONFIRMED)


class ReferralOut(TimeStampedModel):
    """服务转介: a client referred to an outside institution, tracked until the institution confirms."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("服务对象"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+", editable=False)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="referrals_out", verbose_name=_("个案"))
    record = models.ForeignKey(ServiceRecord, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="referrals_out", verbose_name=_("相关服务记录"))
    kind = models.CharField(_("转介去向"), max_length=16, choices=ReferralOutKind.choices)
    institution = EncryptedCharField(_("接收机构"), max_length=100)
    contact = EncryptedCharField(_("机构联系人及电话"), max_length=100)
    reason = EncryptedTextField(_("转介原因"))
    status = models.CharField(_("状态"), max_length=10, choices=ReferralOutStatus.choices,
                              default=ReferralOutStatus.SENT)
    sent_at = models.DateTimeField(_("发出时间"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("转介社工"))

    objects = ReferralOutQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务转介")
        verbose_name_plural = _("服务转介")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["community", "status", "-sent_at"], name="records_refout_comm")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_OUT


class ReferralOutEvent(models.Model):
    """One step of a referral out: sent, confirmed, done or declined, when, by whom, with a note."""

    referral = models.ForeignKey(ReferralOut, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("状态"), max_length=10, choices=ReferralOutStatus.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    note = EncryptedTextField(_("说明"), null=True, blank=True, default="")

    class Meta:
        verbose_name = _("转介进展")
        verbose_name_plural = _("转介进展")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.status}"


# ------------------------------------------------------------------------------------- daily summary

class SummaryStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FINAL = "final", _("已定稿")


class DailySummary(TimeStampedModel):
    """Tool 8 每日工作记录汇总表 for one group and one day: rows compiled from the day's records."""

    group = models.ForeignKey("groups.Group", on_delete=models.PROTECT, related_name="daily_summaries",
                              verbose_name=_("微信群"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+", editable=False)
    day = models.DateField(_("日期"))
    status = models.CharField(_("状态"), max_length=8, choices=SummaryStatus.choices, default=SummaryStatus.DRAFT)
    compiled_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("汇总人"))
    compiled_at = models.DateTimeField(_("汇总时间"))
    finalised_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("定稿人"))
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)

    objects = DailySummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("每日工作记录汇总表")
        verbose_name_plural = _("每日工作记录汇总表")
        ordering = ["-day", "group_id"]
        constraints = [models.UniqueConstraint(fields=["group", "day"], name="records_summary_group_day")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.day}"

    @property
    def is_final(self) -> bool:
        return self.status == SummaryStatus.FINAL


class DailySummaryRow(models.Model):
    """One client's line in tool 8 (the guide's columns, in order)."""

    summary = models.ForeignKey(DailySummary, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveSmallIntegerField(default=0)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    request_date = models.DateField(_("求助日期"))
    client_name = EncryptedCharField(_("服务对象"), max_length=50)
    community_name = models.CharField(_("所属社区"), max_length=60, blank=True)
    confirmed = models.BooleanField(_("是否确诊"), null=True, blank=True)
    basic_info = EncryptedTextField(_("基本信息及症状描述"), null=True, blank=True, default="")
    request_content = EncryptedTextField(_("求助内容"), null=True, blank=True, default="")
    social_work_content = EncryptedTextField(_("值班社工服务内容"), null=True, blank=True, default="")
    medical_content = EncryptedTextField(_("值班医务志愿者服务内容"), null=True, blank=True, default="")
    psychological_content = EncryptedTextField(_("值班心理志愿者服务内容"), null=True, blank=True, default="")
    result = EncryptedTextField(_("服务结果"), null=True, blank=True, default="")
    follow_up = EncryptedTextField(_("跟进建议"), null=True, blank=True, default="")
    screenshots = models.ManyToManyField("groups.ChatImage", blank=True, related_name="+", verbose_name=_("微信截图"))
    evaluation = EncryptedTextField(_("服务评估"), null=True, blank=True, default="")
    recorder = models.CharField(_("记录员"), max_length=120, blank=True)
    record_ids = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("汇总行")
        verbose_name_plural = _("汇总行")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.summary_id}/{self.position}"
