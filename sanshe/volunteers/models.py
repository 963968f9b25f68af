"""Volunteer lifecycle records: sign-up (tool 1), certificates, review, training, confidentiality agreement (tool 2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.models import TimeStampedModel
from sanshe.core.pii import EncryptedCharField, mask_document, mask_phone
from sanshe.people.choices import DocumentType, Sex

from .querysets import (
    AgreementSignatureQuerySet,
    AgreementVersionQuerySet,
    ApplicationQuerySet,
    CertificateQuerySet,
    RecruitmentQuerySet,
    TrainingModuleQuerySet,
)
from .storage import certificate_upload_to, private_storage


class PoliticalStatus(models.TextChoices):
    CPC_MEMBER = "cpc", _("中共党员")
    CPC_PROBATIONARY = "cpc_probationary", _("中共预备党员")
    CYL_MEMBER = "cyl", _("共青团员")
    DEMOCRATIC_PARTY = "democratic_party", _("民主党派成员")
    NON_PARTISAN = "non_partisan", _("无党派人士")
    MASSES = "masses", _("群众")


class Education(models.TextChoices):
    BELOW_HIGH_SCHOOL = "below_high_school", _("高中以下")
    HIGH_SCHOOL = "high_school", _("高中/中专")
    JUNIOR_COLLEGE = "junior_college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士研究生")
    DOCTORATE = "doctorate", _("博士研究生")


class Post(models.TextChoices):
    """可胜任志愿服务岗位 (tool 1)."""

    MEDICAL = "medical", _("医务志愿者")
    PSYCHOLOGICAL = "psychological", _("心理咨询志愿者")
    GENERAL = "general", _("一般志愿者")
    OTHER = "other", _("其他")


# The account role that each post becomes on approval ("other" is decided by the reviewer).
POST_ROLES: dict[str, str] = {
    Post.MEDICAL: Role.MEDICAL_VOLUNTEER,
    Post.PSYCHOLOGICAL: Role.COUNSELLOR,
    Post.GENERAL: Role.GENERAL_VOLUNTEER,
}
VOLUNTEER_ROLES = (Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR, Role.GENERAL_VOLUNTEER)


class TimeSlot(models.TextChoices):
    """可参与志愿服务的时段 (tool 1)."""

    WEEKDAY_MORNING = "weekday_morning", _("工作日上午")
    WEEKDAY_AFTERNOON = "weekday_afternoon", _("工作日下午")
    WEEKDAY_EVENING = "weekday_evening", _("工作日晚上")
    WEEKEND_MORNING = "weekend_morning", _("周末上午")
    WEEKEND_AFTERNOON = "weekend_afternoon", _("周末下午")
    WEEKEND_EVENING = "weekend_evening", _("周末晚上")
    NIGHT = "night", _("夜间（22点后）")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    MORE_INFO = "more_info", _("需补充材料")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


class CertificateKind(models.TextChoices):
    PHYSICIAN = "physician", _("医师执业证书")
    NURSE = "nurse", _("护士执业证书")
    COUNSELLOR = "counsellor", _("心理咨询师证书")
    SOCIAL_WORKER = "social_worker", _("社会工作者职业资格证书")
    OTHER = "other", _("其他资质证明")


class CertificateCheck(models.TextChoices):
    PENDING = "pending", _("待核验")
    VERIFIED = "verified", _("核验通过")
    REJECTED = "rejected", _("核验不通过")


class Recruitment(TimeStampedModel):
    """A public sign-up link of one organisation; closing it stops new applications."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="recruitments", verbose_name=_("招募机构"))
    title = models.CharField(_("招募标题"), max_length=100)
    intro = models.TextField(_("招募说明"), blank=True)
    token = models.CharField(max_length=32, unique=True, editable=False)
    is_open = models.BooleanField(_("正在招募"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))

    objects = RecruitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿者招募")
        verbose_name_plural = _("志愿者招募")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class VolunteerApplication(TimeStampedModel):
    """志愿者信息登记表 (tool 1) and the review of it. ID, phone and WeChat ID are encrypted at rest."""

    recruitment = models.ForeignKey(Recruitment, on_delete=models.PROTECT, related_name="applications",
                                    verbose_name=_("招募"))
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="volunteer_applications", verbose_name=_("招募机构"))
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=[(Sex.MALE, Sex.MALE.label),
                                                          (Sex.FEMALE, Sex.FEMALE.label)])
    political_status = models.CharField(_("政治面貌"), max_length=20, choices=PoliticalStatus.choices)
    doc_type = models.CharField(_("证件类型"), max_length=20, choices=DocumentType.choices,
                                default=DocumentType.RESIDENT_ID)
    doc_number = EncryptedCharField(_("身份证号码"), max_length=40)
    doc_index = models.CharField(max_length=64, db_index=True, editable=False)
    years_of_work = models.PositiveSmallIntegerField(_("工作年限"))
    school = models.CharField(_("毕业院校"), max_length=100)
    major = models.CharField(_("专业"), max_length=100)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices)
    skills = models.TextField(_("服务技能"), max_length=1000)
    region = models.CharField(_("所在地区"), max_length=100)
    phone = EncryptedCharField(_("联系电话"), max_length=20)
    phone_index = models.CharField(max_length=64, db_index=True, editable=False)
    wechat_id = EncryptedCharField(_("微信号"), max_length=60, blank=True, null=True)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    experience = models.TextField(_("工作经历（类似公共事件工作经验）"), max_length=2000, blank=True)
    qualifications = models.TextField(_("专业资质"), max_length=1000, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(_("每周可参与时长（小时）"))
    time_slots = models.JSONField(_("可参与时段"), default=list)
    availability_note = models.CharField(_("时段补充说明"), max_length=200, blank=True)
    posts = models.JSONField(_("可胜任志愿服务岗位"), default=list)
    other_post = models.CharField(_("其他岗位（请填写）"), max_length=100, blank=True)
    consent_at = models.DateTimeField(_("同意个人信息处理告知的时间"))

    status = models.CharField(_("状态"), max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED, db_index=True)
    # What the applicant sees: the reason of a rejection, or which documents are missing.
    decision_note = models.TextField(_("审核意见"), blank=True)
    approved_roles = models.JSONField(_("通过的岗位"), default=list, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # The communities the approval granted the roles in (within the reviewer's own communities).
    approved_community_ids = models.JSONField(_("授权社区"), default=list, blank=True)
    # The applicant's account: the one they were logged in as when applying, the one approval created, or
    # an existing account holding the phone once that account confirmed it (logged in, on the status page).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="volunteer_applications", verbose_name=_("志愿者账号"))
    # Approval created `user` for this applicant: only then may the status link set its first password.
    account_created = models.BooleanField(_("由审核开通账号"), default=False)
    # When the applicant proved the phone by a one-time code (empty for applications made before that check).
    phone_verified_at = models.DateTimeField(_("手机号验证时间"), null=True, blank=True)
    # The applicant's private status link: only its hash is kept.
    status_token_hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿者报名")
        verbose_name_plural = _("志愿者报名")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def doc_masked(self) -> str:
        return mask_document(self.doc_number, resident_id=self.doc_type == DocumentType.RESIDENT_ID)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def wechat_masked(self) -> str:
        value = self.wechat_id or ""
        return f"{value[:2]}****{value[-2:]}" if len(value) > 4 else ("****" if value else "")

    @property
    def account_is_applicants(self) -> bool:
        """The linked account is the applicant's own: created by this approval for the verified phone, or
        attached by the applicant's own confirmation (logged in as it) on a phone-verified application.
        Applications made before phones were verified may be attached by phone number alone: not theirs."""
        return self.user_id is not None and (self.account_created or self.phone_verified_at is not None)

    def get_posts_display(self) -> list[str]:
        labels = [str(Post(p).label) for p in self.posts if p in Post.values and p != Post.OTHER]
        if Post.OTHER in self.posts:
            labels.append(f"{Post.OTHER.label}：{self.other_post}" if self.other_post else str(Post.OTHER.label))
        return labels

    def get_time_slots_display(self) -> list[str]:
        return [str(TimeSlot(s).label) for s in self.time_slots if s in TimeSlot.values]

    def get_approved_roles_display(self) -> list[str]:
        return [str(Role(r).label) for r in self.approved_roles if r in Role.values]


class PhoneVerification(models.Model):
    """A one-time code texted to a phone before sign-up; only hashes are kept (code, and the proof token).

    The code proves the applicant holds the phone; the proof token, kept in their browser session, lets
    one application be submitted with that phone for a while afterwards.
    """

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=128)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    proof_hash = models.CharField(max_length=64, blank=True, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("报名手机验证码")
        verbose_name_plural = _("报名手机验证码")
        indexes = [models.Index(fields=["ip", "created_at"], name="volunteers_phonever_ip_idx")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class Certificate(TimeStampedModel):
    """专业资质及证明材料: one uploaded photo or PDF, checked one by one by the reviewer."""

    application = models.ForeignKey(VolunteerApplication, on_delete=models.CASCADE, related_name="certificates",
                                    verbose_name=_("报名"))
    kind = models.CharField(_("证书类型"), max_length=20, choices=CertificateKind.choices)
    number = EncryptedCharField(_("证书编号"), max_length=60, blank=True, null=True)
    file = models.FileField(_("文件"), storage=private_storage, upload_to=certificate_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    check_status = models.CharField(_("核验结果"), max_length=16, choices=CertificateCheck.choices,
                                    default=CertificateCheck.PENDING)
    check_note = models.CharField(_("核验说明"), max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("核验人"))
    checked_at = models.DateTimeField(_("核验时间"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("资质证明")
        verbose_name_plural = _("资质证明")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class TrainingModule(TimeStampedModel):
    """Training for one role: materials to read and a confirmation or a short quiz. Global when no organisation."""

    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="training_modules", verbose_name=_("机构"))
    role = models.CharField(_("岗位"), max_length=32, choices=[(r, Role(r).label) for r in VOLUNTEER_ROLES])
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("培训材料"))
    # [{"question": str, "options": [str, ...], "answer": int}], empty = confirmation only.
    quiz = models.JSONField(_("测验题"), default=list, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_active = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    objects = TrainingModuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")
        ordering = ["role", "position", "id"]

    def __str__(self) -> str:
        return self.title


class TrainingCompletion(models.Model):
    """A volunteer finished one version of a training module (confirmed, or passed its quiz)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_completions")
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="completions")
    version = models.PositiveIntegerField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("培训完成记录")
        verbose_name_plural = _("培训完成记录")
        constraints = [models.UniqueConstraint(fields=["user", "module", "version"],
                                               name="training_completion_once_per_version")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class AgreementVersion(models.Model):
    """志愿服务保密协议 (tool 2), versioned. Global when no organisation; an organisation's own version wins."""

    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="agreement_versions", verbose_name=_("机构"))
    version = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("协议正文"))
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("发布人"))

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("保密协议版本")
        verbose_name_plural = _("保密协议版本")
        ordering = ["-published_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "version"], name="agreement_version_unique"),
                       models.UniqueConstraint(fields=["version"], condition=models.Q(organisation__isnull=True),
                                               name="agreement_global_version_unique")]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"


class AgreementSignature(models.Model):
    """乙方 signed one agreement version on their phone: name typed, signature drawn, text fingerprinted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_signatures",
                             verbose_name=_("签署人"))
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("甲方"))
    agreement = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures",
                                  verbose_name=_("协议版本"))
    signer_name = models.CharField(_("乙方签名"), max_length=50)
    signature_png = models.BinaryField(_("手写签名"))
    # SHA-256 over the agreement text, the parties and the time: shows later that nothing was changed.
    fingerprint = models.CharField(_("文本指纹"), max_length=64)
    signed_at = models.DateTimeField(_("签订时间"), auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AgreementSignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("保密协议签署")
        verbose_name_plural = _("保密协议签署")
        ordering = ["-signed_at"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "agreement"],
                                               name="agreement_signed_once")]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"
