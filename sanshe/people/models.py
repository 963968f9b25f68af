"""People: residents and clients, with their household, documents and vulnerability."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.core.models import TimeStampedModel
from sanshe.core.pii import EncryptedCharField, mask_address, mask_document, mask_phone
from sanshe.core.querysets import ScopedQuerySet

from .choices import Category, DocumentType, PopulationLevel, Relation, Sex
from .querysets import PersonQuerySet


class Person(TimeStampedModel):
    name = models.CharField(_("姓名"), max_length=50)
    # Pinyin for sorting and for search by initials (zhangsan / zs).
    name_pinyin = models.CharField(max_length=200, editable=False, default="")
    name_initials = models.CharField(max_length=50, editable=False, default="")
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)

    doc_type = models.CharField(_("证件类型"), max_length=20, choices=DocumentType.choices,
                                default=DocumentType.RESIDENT_ID)
    doc_number = EncryptedCharField(_("证件号码"), max_length=40, null=True, blank=True)
    doc_index = models.CharField(max_length=64, null=True, blank=True, editable=False)
    phone = EncryptedCharField(_("手机号"), max_length=20, null=True, blank=True)
    phone_index = models.CharField(max_length=64, null=True, blank=True, editable=False, db_index=True)
    # Keyed hash of the phone's last 4 digits: stewards look people up by "尾号5678"; never the digits themselves.
    phone_tail_index = models.CharField(max_length=64, null=True, blank=True, editable=False)
    address = EncryptedCharField(_("详细地址"), max_length=200, null=True, blank=True)

    household = models.ForeignKey("places.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="members", verbose_name=_("住户"))
    relation = models.CharField(_("与户主关系"), max_length=20, choices=Relation.choices, default=Relation.HEAD)
    is_representative = models.BooleanField(_("户代表"), default=False,
                                            help_text=_("每户一名代表加入小区居民群"))
    # Denormalised from the household so scoping and per-building lists are one indexed filter.
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="people",
                                  verbose_name=_("社区"))
    compound = models.ForeignKey("places.Compound", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="people", verbose_name=_("小区"))
    building = models.ForeignKey("places.Building", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="people", verbose_name=_("楼栋"))

    category = models.CharField(_("人员类别"), max_length=32, choices=Category.choices, default=Category.RESIDENT)
    population_level = models.PositiveSmallIntegerField(_("人群分级"), choices=PopulationLevel.choices,
                                                        null=True, blank=True)
    elderly_alone = models.BooleanField(_("60岁以上独居"), default=False)
    chronic_disease = models.BooleanField(_("慢性病"), default=False)
    pregnant = models.BooleanField(_("孕期"), default=False)
    disabled = models.BooleanField(_("残疾"), default=False)
    child_under_14 = models.BooleanField(_("14岁以下儿童"), default=False)
    needs_care = models.BooleanField(_("需要照料"), default=False)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="person", verbose_name=_("登录账号"))
    is_active = models.BooleanField(_("在册"), default=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(fields=["doc_index"], condition=models.Q(doc_index__isnull=False),
                                    name="person_unique_document"),
        ]
        indexes = [
            models.Index(fields=["community", "name_pinyin", "id"], name="person_comm_pinyin"),
            models.Index(fields=["community", "name_initials", "id"], name="person_comm_initials"),
            models.Index(fields=["community", "name", "id"], name="person_comm_name"),
            models.Index(fields=["building", "name_pinyin", "id"], name="person_bldg_pinyin"),
            models.Index(fields=["community", "category", "name_pinyin", "id"], name="person_comm_cat"),
            models.Index(fields=["household"], name="person_household"),
            models.Index(fields=["community", "phone_tail_index"], name="person_comm_phone_tail"),
            # Added by the pages part: one small partial index per vulnerability flag, so listing or
            # counting "60岁以上独居" etc. reads only the people who have the flag (fast at 300,000 people).
            *[models.Index(fields=["community", "name_pinyin", "id"], condition=models.Q(**{flag: True}),
                           name=f"person_vuln_{flag[:14]}")
              for flag in ("elderly_alone", "chronic_disease", "pregnant", "disabled", "child_under_14",
                           "needs_care")],
        ]

    def __str__(self) -> str:
        return self.name

    # Masked forms: what every list, detail, export and API response shows by default.
    @property
    def doc_number_masked(self) -> str:
        return mask_document(self.doc_number, resident_id=self.doc_type == DocumentType.RESIDENT_ID)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def address_masked(self) -> str:
        return mask_address(self.address)

    @property
    def vulnerabilities(self) -> list[str]:
        from .choices import VULNERABILITY_FLAGS

        return [str(label) for flag, label in VULNERABILITY_FLAGS if getattr(self, flag)]


# --------------------------------------------------------------------------- household sheet import (ImportJob)

def household_sheet_upload_path(instance: ImportJob, filename: str) -> str:
    """A random name under private/: the uploaded household sheet is never linked, and the user's file name (which
    may carry a family name) stays out of the path."""
    from pathlib import Path
    from uuid import uuid4

    suffix = Path(filename).suffix.lower()[:8]
    return f"private/roster/{uuid4().hex}{suffix}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    VALIDATING = "validating", _("正在检查")
    VALIDATED = "validated", _("检查完成")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("导入完成")
    FAILED = "failed", _("未能导入")


class ImportMode(models.TextChoices):
    VALID_ONLY = "valid_only", _("只导入无误的行")
    ALL_OR_NOTHING = "all_or_nothing", _("全部无误才导入")


class ImportJobQuerySet(ScopedQuerySet):
    """Jobs are visible to whoever may import into the job's community."""

    def scope_filter(self, scope, action):
        if action not in {"view", "import"}:
            return None
        return models.Q(community_id__in=scope.community_ids("people.import"))


class ImportJob(TimeStampedModel):
    """One uploaded household sheet file: its check results and, once imported, the counts. No personal data:
    errors carry row, column and reason only, and the file is deleted when the job ends."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("导入人"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="import_jobs",
                                  verbose_name=_("社区"))
    file_name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to=household_sheet_upload_path, max_length=200, blank=True)
    file_size = models.PositiveIntegerField(_("文件大小"), default=0)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    mode = models.CharField(_("导入方式"), max_length=20, choices=ImportMode.choices, blank=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    valid_rows = models.PositiveIntegerField(_("可导入行数"), default=0)
    error_rows = models.PositiveIntegerField(_("有问题的行数"), default=0)
    error_count = models.PositiveIntegerField(_("问题条数"), default=0)
    imported_rows = models.PositiveIntegerField(_("已导入人数"), default=0)
    # [{"row": 12, "column": "身份证号", "reason": "..."}]: capped, `error_count` keeps the full number.
    errors = models.JSONField(_("问题清单"), default=list, blank=True)
    # Counts and names of places the import creates or created, the sheet used, ignored columns.
    summary = models.JSONField(_("摘要"), default=dict, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=500, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("名册导入")
        verbose_name_plural = _("名册导入")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"], name="importjob_comm_created")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.IMPORTING}
