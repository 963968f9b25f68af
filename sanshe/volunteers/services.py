"""Writes of the volunteer lifecycle: sign-up, review, account, training, confidentiality agreement. All audited."""

from __future__ import annotations

import base64
import hashlib
import math
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sanshe.accounts.models import Organisation, User
from sanshe.accounts.otp import otp_clean_code, otp_generate, otp_hash
from sanshe.accounts.policies import forget_scope, scope_for
from sanshe.accounts.responsible import holds_role, organisation_member_ids
from sanshe.accounts.roles import OrganisationKind, Role
from sanshe.accounts.services import (
    OtpRefused,
    account_first_password_set,
    account_open,
    membership_extend,
    otp_record_check,
    resend_seconds,
)
from sanshe.accounts.sms import get_sms_backend
from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound
from sanshe.core.identity import IdentityError, normalize_phone, parse_resident_id
from sanshe.core.models import AuditOutcome
from sanshe.core.notify.services import notify_sms
from sanshe.core.pii import blind_index, mask_phone
from sanshe.people.choices import DocumentType

from .clearance import current_agreements
from .models import (
    POST_ROLES,
    VOLUNTEER_ROLES,
    AgreementSignature,
    AgreementVersion,
    ApplicationStatus,
    Certificate,
    CertificateCheck,
    CertificateKind,
    PhoneVerification,
    Post,
    Recruitment,
    TimeSlot,
    TrainingCompletion,
    TrainingModule,
    VolunteerApplication,
)
from .policies import require_org_admin, require_reviewer, reviewable_organisations_q, reviewer_community_ids
from .rules import (
    UploadRejected,
    agreement_fingerprint,
    certificate_content_type,
    quiz_problems,
    quiz_score,
    signature_png_ok,
)
from .storage import certificate_photo_clean

MAX_CERTIFICATES = 10
# The certificates that qualify a volunteer for a role; general volunteers need none.
ROLE_CERTIFICATES: dict[str, frozenset[str]] = {
    Role.MEDICAL_VOLUNTEER: frozenset({CertificateKind.PHYSICIAN, CertificateKind.NURSE}),
    Role.COUNSELLOR: frozenset({CertificateKind.COUNSELLOR}),
}
RECRUITING_KINDS = (OrganisationKind.VOLUNTEER, OrganisationKind.SOCIAL_WORK)


def certificate_max_bytes() -> int:
    return int(getattr(settings, "VOLUNTEER_CERTIFICATE_MAX_MB", 10)) * 1024 * 1024


def token_hash(token: str) -> str:
    return hashlib.sha256(f"volunteer-status:{token}".encode()).hexdigest()


@dataclass(frozen=True)
class CertificateUpload:
    kind: str
    number: str
    file: UploadedFile


# ---------------------------------------------------------------------------------------------------------
# Recruitment links
# ---------------------------------------------------------------------------------------------------------


def _reviewable(actor, queryset, pk: int, *, lock: bool = False):
    require_reviewer(actor)
    rows = queryset.for_actor(actor, "review")
    if lock:
        rows = rows.select_for_update()
    obj = rows.filter(pk=pk).first()
    if obj is None:
        raise ObjectNotFound()
    return obj


@transaction.atomic
def recruitment_create(*, actor, organisation_id: int, title: str, intro: str = "") -> Recruitment:
    """Open a public sign-up link for an organisation the actor reviews volunteers for."""
    scope = require_reviewer(actor)
    organisation = (Organisation.objects.filter(_reviewable_org_filter(scope), pk=organisation_id,
                                                kind__in=RECRUITING_KINDS).first())
    if organisation is None:
        raise ObjectNotFound()
    recruitment = Recruitment(organisation=organisation, title=(title or "").strip(), intro=(intro or "").strip(),
                              token=secrets.token_urlsafe(16)[:22], created_by=actor)
    if not recruitment.title:
        raise ValidationError({"title": _("请填写招募标题")})
    recruitment.full_clean()
    recruitment.save()
    audit_record(actor=actor, action="volunteer.recruitment_create", obj=recruitment, organisation_id=organisation.pk)
    return recruitment


def _reviewable_org_filter(scope):
    """Organisations (as rows of Organisation) the scope reviews for."""
    return reviewable_organisations_q(scope, field="pk")


def reviewable_organisations(actor):
    """The organisations (that recruit volunteers) the actor reviews for, by name."""
    scope = require_reviewer(actor)
    return Organisation.objects.filter(_reviewable_org_filter(scope), kind__in=RECRUITING_KINDS).order_by("name")


@transaction.atomic
def recruitment_set_open(*, actor, recruitment_id: int, is_open: bool) -> Recruitment:
    """Open or close a sign-up link."""
    recruitment = _reviewable(actor, Recruitment.objects, recruitment_id, lock=True)
    recruitment.is_open = is_open
    recruitment.save(update_fields=["is_open", "updated_at"])
    audit_record(actor=actor, action="volunteer.recruitment_open" if is_open else "volunteer.recruitment_close",
                 obj=recruitment, organisation_id=recruitment.organisation_id)
    return recruitment


# ---------------------------------------------------------------------------------------------------------
# Sign-up (public) and the applicant's own status link
# ---------------------------------------------------------------------------------------------------------


def _clean_uploads(uploads: Sequence[CertificateUpload], errors: dict, *, already: int = 0,
                   field: str = "certificates") -> list[tuple[CertificateUpload, str]]:
    """Check every file before anything is stored; all or nothing."""
    accepted: list[tuple[CertificateUpload, str]] = []
    problems: list[str] = []
    if already + len(uploads) > MAX_CERTIFICATES:
        problems.append(_("每份报名最多上传%(n)d份证明材料") % {"n": MAX_CERTIFICATES})
    for upload in uploads:
        if upload.kind not in CertificateKind.values:
            problems.append(_("请为每份证明材料选择证书类型"))
            continue
        head = upload.file.read(16)
        upload.file.seek(0)
        try:
            content_type = certificate_content_type(head, upload.file.size or 0, max_bytes=certificate_max_bytes(),
                                                    name=(upload.file.name or "")[:60])
            if content_type.startswith("image/"):  # re-encoded without EXIF (GPS), like chat pictures
                upload = replace(upload, file=certificate_photo_clean(upload.file))
        except UploadRejected as exc:
            problems.append(str(exc))
            continue
        accepted.append((upload, content_type))
    if problems:
        errors[field] = problems
    return accepted


# How long a verified phone may be used to submit an application (the form is long; a phone is slow).
PHONE_PROOF_TTL = timedelta(hours=2)
_PHONE_CODE_MESSAGES = {
    "no_code": _lazy("请先获取验证码"),
    "used": _lazy("验证码已使用，请重新获取"),
    "expired": _lazy("验证码已过期，请重新获取"),
    "too_many_attempts": _lazy("验证码错误次数过多，请重新获取"),
    "wrong_code": _lazy("验证码错误，请核对短信中的6位数字"),
}


@dataclass(frozen=True)
class PhoneCodeSent:
    resend_after: int
    ttl_minutes: int


def _phone_index_or_error(raw: str) -> tuple[str, str]:
    try:
        phone = normalize_phone(raw or "")
    except IdentityError as exc:
        raise ValidationError({"phone": str(exc)}) from exc
    return phone, blind_index("phone", phone)


def _code_key(phone_index: str) -> str:
    """The key codes are hashed under: bound to the phone, and never valid as a login code."""
    return f"volunteer-apply:{phone_index}"


def proof_hash(proof: str) -> str:
    return hashlib.sha256(f"volunteer-phone-proof:{proof}".encode()).hexdigest()


def _phone_code_wait(*, phone_index: str, ip: str | None, now: datetime) -> OtpRefused | None:
    """The reason this code request must wait, or None: the login code's limits, per phone and per address."""
    hour_ago = now - timedelta(hours=1)
    recent = PhoneVerification.objects.filter(phone_index=phone_index, created_at__gte=hour_ago).order_by("created_at")
    latest = recent.last()
    if latest is not None:
        wait = resend_seconds() - int((now - latest.created_at).total_seconds())
        if wait > 0:
            return OtpRefused(_("请求过于频繁，请%(n)d秒后再试") % {"n": wait}, error="resend_too_soon", retry_after=wait)
    if recent.count() >= settings.OTP_MAX_PER_PHONE_PER_HOUR:
        minutes = max(1, math.ceil((recent.first().created_at + timedelta(hours=1) - now).total_seconds() / 60))
        return OtpRefused(_("请求过于频繁，请%(n)d分钟后再试") % {"n": minutes}, error="phone_rate_limit",
                          retry_after=minutes * 60)
    if ip:
        by_ip = PhoneVerification.objects.filter(ip=ip, created_at__gte=hour_ago).order_by("created_at")
        if by_ip.count() >= settings.OTP_MAX_PER_IP_PER_HOUR:
            minutes = max(1, math.ceil((by_ip.first().created_at + timedelta(hours=1) - now).total_seconds() / 60))
            return OtpRefused(_("请求过于频繁，请%(n)d分钟后再试") % {"n": minutes}, error="ip_rate_limit",
                              retry_after=minutes * 60)
    return None


def _open_recruitment(recruitment_token: str) -> Recruitment:
    recruitment = Recruitment.objects.select_related("organisation").filter(token=recruitment_token).first()
    if recruitment is None:
        raise ObjectNotFound()
    if not recruitment.is_open:
        raise ValidationError(_("该招募已结束，暂不接受报名"))
    return recruitment


def application_phone_code_send(*, recruitment_token: str, phone: str, ip: str | None) -> PhoneCodeSent:
    """Text a one-time code to the phone an applicant is about to sign up with (same limits as the login code).

    Not wrapped in one transaction: a refused request is audited and stays audited when the refusal is raised.
    """
    recruitment = _open_recruitment(recruitment_token)
    phone, index = _phone_index_or_error(phone)
    masked = mask_phone(phone)
    now = timezone.now()
    ttl = settings.OTP_TTL_SECONDS
    with transaction.atomic():
        refusal = _phone_code_wait(phone_index=index, ip=ip, now=now)
        if refusal is not None:
            audit_record(actor=None, action="volunteer.phone_code", outcome=AuditOutcome.DENIED, actor_label=masked,
                         organisation_id=recruitment.organisation_id, detail={"phone": masked, "error": refusal.error})
        else:
            code = otp_generate()
            PhoneVerification.objects.create(phone_index=index, code_hash=otp_hash(phone_index=_code_key(index),
                                                                                   code=code),
                                             ip=ip, expires_at=now + timedelta(seconds=ttl))
            audit_record(actor=None, action="volunteer.phone_code", actor_label=masked,
                         organisation_id=recruitment.organisation_id, detail={"phone": masked})
            message = _("【三社】您正在报名%(org)s志愿者，验证码%(code)s，%(minutes)d分钟内有效。如非本人操作请忽略。") % {
                "org": recruitment.organisation.name, "code": code, "minutes": max(1, ttl // 60)}
            transaction.on_commit(lambda: get_sms_backend().send(phone, message))
    if refusal is not None:
        raise refusal
    return PhoneCodeSent(resend_after=resend_seconds(), ttl_minutes=max(1, ttl // 60))


@dataclass(frozen=True)
class PhoneVerified:
    phone: str  # normalised
    proof: str  # handed to the applicant's browser session; only its hash is stored


def application_phone_verify(*, recruitment_token: str, phone: str, code: str, ip: str | None) -> PhoneVerified:
    """Check the code texted to the phone; return the proof token that lets one application use this phone.

    Only the latest code counts; single use; it expires; OTP_MAX_ATTEMPTS wrong tries. Not one transaction:
    a wrong try stays counted and audited when the refusal is raised.
    """
    recruitment = _open_recruitment(recruitment_token)
    phone, index = _phone_index_or_error(phone)
    clean = otp_clean_code(code)
    if clean is None:
        raise ValidationError({"code": _("验证码应为6位数字")})
    masked = mask_phone(phone)
    now = timezone.now()
    error, message, proof = "", "", ""
    with transaction.atomic():
        record = (PhoneVerification.objects.select_for_update().filter(phone_index=index)
                  .order_by("-created_at", "-id").first())
        error, message = otp_record_check(record, used=record is not None and record.verified_at is not None,
                                          key=_code_key(index), code=clean, now=now)
        if not error:
            proof = secrets.token_urlsafe(24)
            record.verified_at, record.proof_hash = now, proof_hash(proof)
            record.save(update_fields=["verified_at", "proof_hash"])
        audit_record(actor=None, action="volunteer.phone_verify",
                     outcome=AuditOutcome.FAILURE if error else AuditOutcome.SUCCESS, actor_label=masked,
                     organisation_id=recruitment.organisation_id, detail={"phone": masked, "error": error})
    if error:
        raise OtpRefused({"code": [message or str(_PHONE_CODE_MESSAGES[error])]}, error=error)
    return PhoneVerified(phone=phone, proof=proof)


def _verified_phone(proof: str, phone_index: str, now: datetime) -> PhoneVerification | None:
    """The unused verification the proof token stands for, if it is for this phone and still fresh."""
    if not proof or not phone_index:
        return None
    return (PhoneVerification.objects.select_for_update()
            .filter(proof_hash=proof_hash(proof), phone_index=phone_index, used_at__isnull=True,
                    verified_at__gte=now - PHONE_PROOF_TTL).first())


@dataclass(frozen=True)
class Submitted:
    application: VolunteerApplication
    token: str


def application_submit(*, recruitment_token: str, data: dict, uploads: Sequence[CertificateUpload],
                       phone_proof: str = "", applicant=None, status_url_base: str = "") -> Submitted:
    """Store a sign-up (tool 1) with its certificates; text the applicant their private status link.

    The phone must have been verified by a one-time code (`phone_proof`, from application_phone_verify).
    An applicant logged in while applying (`applicant`) has confirmed that this application is theirs: approval
    gives the roles to that account. Nobody else's account is ever attached without its own confirmation.
    Everything is checked first, and nothing is stored unless everything is right.
    """
    recruitment = _open_recruitment(recruitment_token)
    if applicant is not None and not (getattr(applicant, "is_authenticated", False) and applicant.is_active):
        applicant = None
    errors: dict = {}
    application = VolunteerApplication(recruitment=recruitment, organisation=recruitment.organisation)
    text_fields = ["name", "political_status", "sex", "school", "major", "education", "skills", "region",
                   "employer", "experience", "qualifications", "availability_note", "other_post", "wechat_id"]
    for name in text_fields:
        setattr(application, name, (data.get(name) or "").strip())
    application.doc_type = data.get("doc_type") or DocumentType.RESIDENT_ID
    application.years_of_work = data.get("years_of_work")
    application.hours_per_week = data.get("hours_per_week")
    application.time_slots = [s for s in data.get("time_slots") or [] if s in TimeSlot.values]
    application.posts = [p for p in data.get("posts") or [] if p in Post.values]
    number = (data.get("doc_number") or "").strip().replace(" ", "").upper()
    if application.doc_type == DocumentType.RESIDENT_ID:
        try:
            number = parse_resident_id(number).number
        except IdentityError as exc:
            errors["doc_number"] = str(exc)
    elif not number:
        errors["doc_number"] = _("请填写证件号码")
    application.doc_number = number
    application.doc_index = blind_index(f"doc:{application.doc_type}", number) or ""
    try:
        application.phone = normalize_phone(data.get("phone") or "")
        application.phone_index = blind_index("phone", application.phone)
    except IdentityError as exc:
        errors["phone"] = str(exc)
    if not application.posts:
        errors["posts"] = _("请至少选择一个可胜任的志愿服务岗位")
    elif Post.OTHER in application.posts and not application.other_post:
        errors["other_post"] = _("选择“其他”时请填写具体岗位")
    if not application.time_slots and not application.availability_note:
        errors["time_slots"] = _("请选择可参与的时段，或在补充说明中填写")
    if not data.get("consent"):
        errors["consent"] = _("请阅读并同意个人信息处理说明后再提交")
    application.consent_at = timezone.now()
    token = secrets.token_urlsafe(24)
    application.status_token_hash = token_hash(token)
    try:
        application.full_clean(exclude=["recruitment", "organisation", "doc_index", "phone_index",
                                        "status_token_hash", *errors.keys()])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    accepted = _clean_uploads(uploads, errors)
    if not errors and application.doc_index and VolunteerApplication.objects.filter(
            organisation=recruitment.organisation, doc_index=application.doc_index,
            status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO]).exists():
        errors["doc_number"] = _("该证件号已有一份待审核的报名，请通过报名时短信里的进度链接查看或补充材料")
    now = timezone.now()
    if "phone" not in errors and not PhoneVerification.objects.filter(
            proof_hash=proof_hash(phone_proof or ""), phone_index=application.phone_index, used_at__isnull=True,
            verified_at__gte=now - PHONE_PROOF_TTL).exists():
        errors["phone"] = _("请先验证手机号：获取短信验证码并填写后再提交（验证有效期2小时）")
    if errors:
        raise ValidationError(errors)
    with _files_removed_on_failure() as stored:
        with transaction.atomic():
            verification = _verified_phone(phone_proof, application.phone_index, now)
            if verification is None:  # used by a simultaneous submission in the meantime
                raise ValidationError({"phone": _("请先验证手机号：获取短信验证码并填写后再提交（验证有效期2小时）")})
            verification.used_at = now
            verification.save(update_fields=["used_at"])
            application.phone_verified_at = verification.verified_at
            application.user = applicant
            application.save()
            for upload, content_type in accepted:
                stored.append(_save_certificate(application, upload, content_type))
            audit_record(actor=applicant, action="volunteer.apply", obj=application,
                         actor_label="" if applicant else mask_phone(application.phone),
                         organisation_id=recruitment.organisation_id,
                         detail={"posts": application.posts, "certificates": len(accepted),
                                 "logged_in": applicant is not None})
            if status_url_base:
                message = _("【三社】%(org)s已收到您的志愿者报名。查看审核进度、补充材料：%(url)s （请勿转发）") % {
                    "org": recruitment.organisation.name, "url": f"{status_url_base}{token}/"}
                notify_sms(phone=application.phone, text=message, kind="volunteers.application",
                           organisation_id=recruitment.organisation_id)
    return Submitted(application=application, token=token)


class _files_removed_on_failure:
    """Collect stored file names; delete them again if the block raises (the rows were rolled back)."""

    def __enter__(self) -> list[str]:
        self.names: list[str] = []
        return self.names

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            from .storage import private_storage

            for name in self.names:
                private_storage().delete(name)
        return False


def _save_certificate(application: VolunteerApplication, upload: CertificateUpload, content_type: str) -> str:
    certificate = Certificate(application=application, kind=upload.kind, number=(upload.number or "").strip()[:60],
                              original_name=(upload.file.name or "")[-200:], content_type=content_type,
                              size=upload.file.size)
    certificate.file.save("upload", upload.file, save=False)
    certificate.save()
    return certificate.file.name


def application_by_token(token: str) -> VolunteerApplication:
    """The application a private status link opens; 404 for anything else."""
    if not token or len(token) > 64:
        raise ObjectNotFound()
    application = (VolunteerApplication.objects.select_related("organisation", "user")
                   .filter(status_token_hash=token_hash(token)).first())
    if application is None:
        raise ObjectNotFound()
    return application


def application_add_documents(*, token: str, uploads: Sequence[CertificateUpload], note: str = "") -> int:
    """The applicant adds certificates through their status link; a request for more documents goes back to review."""
    application = application_by_token(token)
    errors: dict = {}
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO):
        raise ValidationError(_("报名已审核完毕，不能再补充材料"))
    if not uploads:
        raise ValidationError({"certificates": _("请选择要上传的证明材料")})
    accepted = _clean_uploads(uploads, errors, already=application.certificates.count())
    if errors:
        raise ValidationError(errors)
    with _files_removed_on_failure() as stored:
        with transaction.atomic():
            locked = VolunteerApplication.objects.select_for_update().get(pk=application.pk)
            for upload, content_type in accepted:
                stored.append(_save_certificate(locked, upload, content_type))
            previous = locked.status
            if locked.status == ApplicationStatus.MORE_INFO:
                locked.status = ApplicationStatus.SUBMITTED
                locked.save(update_fields=["status", "updated_at"])
            audit_record(actor=None, action="volunteer.add_documents", obj=locked,
                         actor_label=mask_phone(locked.phone), organisation_id=locked.organisation_id,
                         detail={"certificates": len(accepted), "status_from": previous, "status_to": locked.status,
                                 "note_given": bool((note or "").strip())})
    return len(accepted)


@transaction.atomic
def application_account_activate(*, token: str, password1: str, password2: str) -> User:
    """An approved applicant chooses the first password of their account (one without a password yet).

    Only the applicant's own account (created for them, or confirmed by them logged in); the status link
    reached only the verified phone (texted at sign-up) and the browser that verified it.
    """
    application = application_by_token(token)
    if application.status != ApplicationStatus.APPROVED or application.user_id is None:
        raise ValidationError(_("报名通过审核后才能设置登录密码"))
    user = User.objects.select_for_update().get(pk=application.user_id)
    # Never an account attached by phone number alone (as approval did before issue 11).
    if not application.account_is_applicants:
        raise ValidationError(_("该账号不是由本次报名开通的，请用原有方式登录；忘记密码请联系机构管理员重置"))
    user = account_first_password_set(user=user, password1=password1, password2=password2)
    audit_record(actor=user, action="volunteer.account_activate", obj=user, organisation_id=application.organisation_id)
    return user


# ---------------------------------------------------------------------------------------------------------
# Review by social workers
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def certificate_check(*, actor, certificate_id: int, result: str, note: str = "") -> Certificate:
    """Record the check of one certificate: verified, or not (with the reason the applicant sees)."""
    require_reviewer(actor)
    certificate = (Certificate.objects.for_actor(actor, "review").select_for_update()
                   .select_related("application").filter(pk=certificate_id).first())
    if certificate is None:
        raise ObjectNotFound()
    if result not in (CertificateCheck.VERIFIED, CertificateCheck.REJECTED):
        raise ValidationError({"result": _("请选择核验结果")})
    note = (note or "").strip()
    if result == CertificateCheck.REJECTED and not note:
        raise ValidationError({"note": _("核验不通过时请写明原因，申请人会看到")})
    if certificate.application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO):
        raise ValidationError(_("报名已审核完毕，证书核验结果不能再修改"))
    certificate.check_status, certificate.check_note = result, note[:300]
    certificate.checked_by, certificate.checked_at = actor, timezone.now()
    certificate.full_clean(exclude=["file"])
    certificate.save()
    audit_record(actor=actor, action="volunteer.certificate_check", obj=certificate,
                 organisation_id=certificate.application.organisation_id, detail={"result": result})
    return certificate


def _open_application(actor, application_id: int) -> VolunteerApplication:
    application = _reviewable(actor, VolunteerApplication.objects.select_related("organisation"), application_id,
                              lock=True)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO):
        raise ValidationError(_("这份报名已经审核完毕"))
    return application


def _notify_applicant(application: VolunteerApplication, message: str) -> None:
    """Through the notify layer's outbox (sent after commit, retried, logged)."""
    notify_sms(phone=application.phone, text=message, kind="volunteers.application")


@transaction.atomic
def application_request_more(*, actor, application_id: int, note: str) -> VolunteerApplication:
    """Ask the applicant for more documents; they see the note on their status page."""
    application = _open_application(actor, application_id)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请写明需要补充哪些材料")})
    application.status, application.decision_note = ApplicationStatus.MORE_INFO, note
    application.reviewed_by, application.reviewed_at = actor, timezone.now()
    application.save(update_fields=["status", "decision_note", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(actor=actor, action="volunteer.request_more", obj=application,
                 organisation_id=application.organisation_id)
    _notify_applicant(application, _("【三社】您的志愿者报名需要补充材料，请打开报名时收到的进度链接查看并上传。"))
    return application


@transaction.atomic
def application_reject(*, actor, application_id: int, reason: str) -> VolunteerApplication:
    """Decline an application with the reason the applicant sees."""
    application = _open_application(actor, application_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"note": _("请写明未通过的原因，申请人会看到")})
    application.status, application.decision_note = ApplicationStatus.REJECTED, reason
    application.reviewed_by, application.reviewed_at = actor, timezone.now()
    application.save(update_fields=["status", "decision_note", "reviewed_by", "reviewed_at", "updated_at"])
    audit_record(actor=actor, action="volunteer.reject", obj=application, organisation_id=application.organisation_id)
    _notify_applicant(application, _("【三社】您的志愿者报名审核结果已出，请打开报名时收到的进度链接查看。"))
    return application


def _grant_volunteer_roles(application: VolunteerApplication, user: User) -> None:
    """Give the account the approved roles in the organisation, over the approved communities only."""
    organisation = application.organisation
    community_ids = set(application.approved_community_ids) & set(
        organisation.communities.values_list("pk", flat=True))
    for role in application.approved_roles:
        # A revoked role comes back with this approval's communities only, not its old ones.
        membership_extend(user=user, organisation=organisation, role=role, community_ids=community_ids)
    forget_scope(user)


def _approval_communities(actor, application: VolunteerApplication, community_ids: Iterable[int] | None) -> list[int]:
    """The communities the roles cover: the reviewer's own communities in the organisation, or fewer of them."""
    organisation = application.organisation
    allowed = reviewer_community_ids(scope_for(actor), organisation.pk) & set(
        organisation.communities.values_list("pk", flat=True))
    if not allowed:
        raise ValidationError({"communities": _("您在该机构没有负责的社区，不能授予志愿者岗位")})
    if community_ids is None:
        return sorted(allowed)
    wanted = {int(c) for c in community_ids}
    if not wanted:
        raise ValidationError({"communities": _("请选择志愿者服务的社区")})
    if wanted - allowed:
        raise ValidationError({"communities": _("只能授予您负责的社区")})
    return sorted(wanted)


@transaction.atomic
def application_approve(*, actor, application_id: int, roles: Iterable[str], note: str = "",
                        community_ids: Iterable[int] | None = None) -> VolunteerApplication:
    """Admit the applicant: give their account the volunteer roles in the organisation, in the reviewer's
    communities (all of them, or the ones chosen).

    Every certificate must have been checked; medical and counselling roles need a verified certificate of
    the matching kind. The account is the one the applicant was logged in as when applying; else a new one
    for the verified phone. When an existing account already holds that phone, nothing is attached to it
    until that account confirms on the status page (application_account_link). The volunteer still has
    training and the confidentiality agreement ahead.
    """
    application = _open_application(actor, application_id)
    if application.user_id is not None and application.user_id == actor.pk:
        raise ValidationError({"roles": _("不能审核自己的报名，请由本机构其他审核人员审批")})
    roles = sorted({r for r in roles})
    errors: list[str] = []
    if not roles:
        raise ValidationError({"roles": _("请选择通过的岗位")})
    if any(r not in VOLUNTEER_ROLES for r in roles):
        raise ValidationError({"roles": _("只能授予志愿者岗位")})
    wanted = {POST_ROLES[p] for p in application.posts if p in POST_ROLES}
    if Post.OTHER not in application.posts and set(roles) - wanted:
        errors.append(_("只能授予申请人报名的岗位"))
    certificates = list(application.certificates.all())
    if any(c.check_status == CertificateCheck.PENDING for c in certificates):
        errors.append(_("还有证明材料未核验，请逐一核验后再审批"))
    verified = {c.kind for c in certificates if c.check_status == CertificateCheck.VERIFIED}
    for role in roles:
        needed = ROLE_CERTIFICATES.get(role)
        if needed and not verified & needed:
            kinds = "、".join(str(CertificateKind(k).label) for k in sorted(needed))
            errors.append(_("授予“%(role)s”岗位需要一份核验通过的%(kinds)s") % {"role": Role(role).label, "kinds": kinds})
    if errors:
        raise ValidationError({"roles": errors})
    communities = _approval_communities(actor, application, community_ids)

    created, waiting_for_link = False, False
    if application.user_id is not None:  # logged in as this account when applying
        user = User.objects.select_for_update().get(pk=application.user_id)
        if not user.is_active:
            raise ValidationError({"roles": _("申请人的账号已停用，请联系机构管理员处理后再审批")})
    elif User.objects.filter(phone_index=application.phone_index).exists():
        user, waiting_for_link = None, True
    else:
        user = account_open(username_base=f"zyz{application.pk:05d}", display_name=application.name,
                            phone=application.phone, phone_index=application.phone_index)
        created = True
    application.status = ApplicationStatus.APPROVED
    application.approved_roles = roles
    application.approved_community_ids = communities
    application.decision_note = (note or "").strip()
    application.user = user
    application.account_created = created
    application.reviewed_by, application.reviewed_at = actor, timezone.now()
    application.save()
    if user is not None:
        _grant_volunteer_roles(application, user)
    audit_record(actor=actor, action="volunteer.approve", obj=application, organisation_id=application.organisation_id,
                 detail={"roles": roles, "communities": communities, "user_id": user.pk if user else None,
                         "account_created": created, "waiting_for_link": waiting_for_link})
    if waiting_for_link:
        _notify_applicant(application, _(
            "【三社】恭喜，您的志愿者报名已通过审核！该手机号已有三社账号：请用该账号登录，再打开报名时收到的进度链接确认关联。"))
    elif created:
        _notify_applicant(application, _(
            "【三社】恭喜，您的志愿者报名已通过审核！请打开报名时收到的进度链接设置登录密码，登录后完成岗前培训并签署保密协议。"))
    else:
        _notify_applicant(application, _(
            "【三社】恭喜，您的志愿者报名已通过审核！请登录三社，完成岗前培训并签署保密协议。"))
    return application


@transaction.atomic
def application_account_link(*, token: str, actor) -> VolunteerApplication:
    """The account holding the application's phone confirms, logged in, that the approved application is its own.

    Only that account may: being logged in as it is its confirmation; the status link alone is not.
    """
    application = application_by_token(token)
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        raise ValidationError(_("请先登录"))
    locked = VolunteerApplication.objects.select_for_update().select_related("organisation").get(pk=application.pk)
    if locked.status != ApplicationStatus.APPROVED or locked.user_id is not None:
        raise ValidationError(_("这份报名不需要关联账号"))
    if not actor.phone_index or actor.phone_index != locked.phone_index:
        raise ValidationError(_("请用手机号为%(phone)s的账号登录后再确认关联") % {"phone": locked.phone_masked})
    locked.user = actor
    locked.save(update_fields=["user", "updated_at"])
    _grant_volunteer_roles(locked, actor)
    audit_record(actor=actor, action="volunteer.account_link", obj=locked, organisation_id=locked.organisation_id,
                 detail={"roles": locked.approved_roles, "communities": locked.approved_community_ids})
    return locked


# ---------------------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def training_complete(*, actor, module_id: int, confirmed: bool = False,
                      answers: Sequence[int | None] = ()) -> TrainingCompletion:
    """Record that the volunteer read a module (and passed its quiz, when it has one: every answer right)."""
    module = TrainingModule.objects.for_actor(actor, "view").filter(pk=module_id, is_active=True).first()
    if module is None:
        raise ObjectNotFound()
    if module.role not in scope_for(actor).roles:
        raise ValidationError(_("这门培训属于其他岗位"))
    if TrainingCompletion.objects.filter(user=actor, module=module, version=module.version).exists():
        raise ValidationError(_("您已完成这门培训的当前版本"))
    score = None
    if module.quiz:
        correct, total = quiz_score(module.quiz, list(answers))
        if correct < total:
            audit_record(actor=actor, action="volunteer.training_quiz_failed", obj=module,
                         detail={"correct": correct, "total": total})
            raise ValidationError(_("答对%(c)d题，共%(t)d题。请再阅读一遍材料，全部答对才算完成。") % {"c": correct, "t": total})
        score = correct
    elif not confirmed:
        raise ValidationError({"confirmed": _("请勾选“我已认真阅读并理解以上内容”")})
    completion = TrainingCompletion.objects.create(user=actor, module=module, version=module.version, score=score)
    audit_record(actor=actor, action="volunteer.training_complete", obj=module,
                 organisation_id=module.organisation_id, detail={"version": module.version, "score": score})
    return completion


@transaction.atomic
def training_module_save(*, actor, organisation_id: int, role: str, title: str, body: str, quiz: list,
                         is_active: bool = True, module_id: int | None = None) -> TrainingModule:
    """Create or change an organisation's training module; a change of content is a new version to redo."""
    scope = require_reviewer(actor)
    if module_id is not None:
        module = _reviewable(actor, TrainingModule.objects, module_id, lock=True)
        if module.organisation_id is None:
            raise ObjectNotFound()
    else:
        if not Organisation.objects.filter(_reviewable_org_filter(scope), pk=organisation_id).exists():
            raise ObjectNotFound()
        module = TrainingModule(organisation_id=organisation_id)
    errors: dict = {}
    problems = quiz_problems(quiz)
    if problems:
        errors["quiz"] = problems
    if role not in VOLUNTEER_ROLES:
        errors["role"] = _("请选择岗位")
    changed = module.pk is None or (module.title, module.body, module.quiz, module.role) != (title, body, quiz, role)
    module.role, module.title, module.body, module.quiz = role, (title or "").strip(), (body or "").strip(), quiz
    module.is_active = is_active
    try:
        module.full_clean(exclude=list(errors))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if module.pk is not None and changed:
        module.version += 1
    module.save()
    audit_record(actor=actor, action="volunteer.training_save", obj=module, organisation_id=module.organisation_id,
                 detail={"version": module.version, "role": role, "active": is_active})
    if changed:
        _volunteer_sockets_recheck(module.organisation_id)
    return module


def _volunteer_sockets_recheck(organisation_id: int) -> None:
    """Clearance may just have lapsed for the organisation's volunteers: their open sockets re-check after commit."""
    from sanshe.core.realtime import sockets_recheck

    for user_id in organisation_member_ids(organisation_id, roles=VOLUNTEER_ROLES).values_list("user_id", flat=True):
        sockets_recheck(user_id)


# ---------------------------------------------------------------------------------------------------------
# Confidentiality agreement (tool 2)
# ---------------------------------------------------------------------------------------------------------


def _decode_signature(data_url: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        return b""
    try:
        return base64.b64decode(data_url[len(prefix):], validate=True)
    except ValueError:
        return b""


@transaction.atomic
def agreement_sign(*, actor, organisation_id: int, signer_name: str, signature_data_url: str,
                   agreement_id: int, ip: str | None = None) -> AgreementSignature:
    """乙方 signs the agreement in force for an organisation they volunteer with (typed name + drawn signature)."""
    if not holds_role(actor, VOLUNTEER_ROLES, organisation_id=organisation_id):
        raise ObjectNotFound()
    organisation = Organisation.objects.get(pk=organisation_id)
    current = current_agreements([organisation_id]).get(organisation_id)
    if current is None:
        raise ValidationError(_("尚未发布保密协议，请联系机构"))
    if current.pk != agreement_id:
        raise ValidationError(_("保密协议已更新为第%(v)d版，请阅读新版本后再签署") % {"v": current.version})
    errors: dict = {}
    signer_name = (signer_name or "").strip()
    expected = (actor.display_name or "").strip()
    if not signer_name:
        errors["signer_name"] = _("请填写乙方签名（您的姓名）")
    elif expected and signer_name != expected:
        errors["signer_name"] = _("签名须与您登记的姓名“%(name)s”一致") % {"name": expected}
    png = _decode_signature(signature_data_url)
    problem = signature_png_ok(png)
    if problem:
        errors["signature"] = problem
    if AgreementSignature.objects.filter(user=actor, organisation_id=organisation_id, agreement=current).exists():
        raise ValidationError(_("您已签署过第%(v)d版保密协议，无需重复签署") % {"v": current.version})
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    signature = AgreementSignature(
        user=actor, organisation=organisation, agreement=current, signer_name=signer_name, signature_png=png, ip=ip,
        fingerprint=agreement_fingerprint(body=current.body, version=current.version, organisation=organisation.name,
                                          signer_name=signer_name, user_id=actor.pk,
                                          signed_on=timezone.localdate(now).isoformat()),
    )
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError as exc:  # the same version signed twice at once (double tap)
        raise ValidationError(_("您已签署过第%(v)d版保密协议，无需重复签署") % {"v": current.version}) from exc
    audit_record(actor=actor, action="volunteer.agreement_sign", obj=signature, organisation_id=organisation_id,
                 detail={"agreement_id": current.pk, "version": current.version})
    return signature


@transaction.atomic
def agreement_publish(*, actor, organisation_id: int, title: str, body: str) -> AgreementVersion:
    """An organisation admin publishes a new version; every volunteer of the organisation must sign it again."""
    scope = require_org_admin(actor)
    if organisation_id not in scope.organisation_ids_for("users.manage"):
        raise ObjectNotFound()
    current = current_agreements([organisation_id]).get(organisation_id)
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("请填写协议标题")
    if not body:
        errors["body"] = _("请填写协议正文")
    elif current is not None and current.body.strip() == body and current.title == title:
        errors["body"] = _("协议内容没有变化，无需发布新版本")
    if errors:
        raise ValidationError(errors)
    latest = (AgreementVersion.objects.filter(organisation_id=organisation_id).order_by("-version")
              .values_list("version", flat=True).first())
    number = max(latest or 0, current.version if current else 0) + 1
    version = AgreementVersion.objects.create(organisation_id=organisation_id, version=number, title=title, body=body,
                                              published_by=actor)
    audit_record(actor=actor, action="volunteer.agreement_publish", obj=version, organisation_id=organisation_id,
                 detail={"version": number})
    _volunteer_sockets_recheck(organisation_id)
    return version


# The applicant's protected fields a reviewer may see in full, with a written reason that is audited.
APPLICATION_REVEALABLE = {"doc_number": _lazy("证件号码"), "phone": _lazy("联系电话"), "wechat_id": _lazy("微信号")}


def application_reveal(*, actor, application_id: int, field: str, reason: str):
    """Show one protected field of an application in full to a reviewer in scope; audited with the reason.

    Not atomic on purpose (like person_reveal): a denied attempt is audited and stays audited with the 404.
    """
    from sanshe.core.models import AuditOutcome
    from sanshe.people.services import Revealed

    if field not in APPLICATION_REVEALABLE:
        raise ValidationError({"field": _("该字段不能查看")})
    application = VolunteerApplication.objects.for_actor(actor, "review").filter(pk=application_id).first()
    if application is None:
        audit_record(actor=actor, action="volunteer.application_reveal", outcome=AuditOutcome.DENIED,
                     detail={"field": field, "application_id": application_id})
        raise ObjectNotFound()
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("请填写查看事由（至少4个字）")})
    audit_record(actor=actor, action="volunteer.application_reveal", obj=application, reason=reason,
                 detail={"field": field}, organisation_id=application.organisation_id)
    return Revealed(field=field, label=str(APPLICATION_REVEALABLE[field]), value=getattr(application, field) or "")


def applications_purge_rejected(*, now=None) -> int:
    """Delete rejected applications (with their certificate files) whose retention period has passed.

    Audit events keep the decision's trace (who, when, which id), never the personal data.
    """
    from datetime import timedelta

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.VOLUNTEER_REJECTED_RETENTION_DAYS)
    expired = list(VolunteerApplication.objects.filter(status=ApplicationStatus.REJECTED, reviewed_at__lt=cutoff)
                   .values_list("pk", "organisation_id"))
    for application_id, organisation_id in expired:
        with transaction.atomic():
            files = [c.file for c in Certificate.objects.filter(application_id=application_id)]
            VolunteerApplication.objects.filter(pk=application_id).delete()
            audit_record(actor=None, action="volunteer.application_purge", actor_label="system",
                         organisation_id=organisation_id, detail={"application_id": application_id})
            # Files go only once the rows are gone for good.
            transaction.on_commit(lambda files=files: [f.delete(save=False) for f in files if f])
    return len(expired)
