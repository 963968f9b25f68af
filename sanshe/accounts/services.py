"""Writes to accounts: residents' one-time codes, users, roles, passwords, lockouts, API tokens. Each one is
audited."""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanshe.core.audit import audit_record
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.identity import IdentityError, normalize_phone
from sanshe.core.models import AuditOutcome
from sanshe.core.pii import blind_index, mask_phone
from sanshe.core.realtime import sockets_recheck

from . import lockout
from .models import ApiToken, Membership, OneTimeCode, Organisation, User
from .otp import otp_clean_code, otp_generate, otp_hash, otp_matches
from .policies import forget_scope, require, scope_for
from .resident_link import link_user, people_for_phone
from .responsible import holds_role, other_organisation_records
from .roles import STAFF_ROLES, Role, WorkerKind
from .sms import get_sms_backend
from .validators import generate_password

# ---------------------------------------------------------------------------------------------------------
# Residents: phone + one-time code
# ---------------------------------------------------------------------------------------------------------


class OtpRefused(ValidationError):
    """A refused code request or check. The message is the Chinese text shown to the resident."""

    def __init__(self, message, *, error: str, retry_after: int = 0):
        super().__init__(message)
        self.error = error  # machine-readable cause, for the audit log and tests
        self.retry_after = retry_after  # seconds until a new request can succeed (rate limits)


@dataclass(frozen=True)
class OtpSent:
    resend_after: int
    ttl_minutes: int


def resend_seconds() -> int:
    """How long a phone waits between two code requests (OTP_RESEND_SECONDS, default 60)."""
    return int(getattr(settings, "OTP_RESEND_SECONDS", 60))


def _phone_or_error(raw: str) -> tuple[str, str]:
    try:
        phone = normalize_phone(raw)
    except IdentityError as exc:
        raise ValidationError({"phone": str(exc)}) from exc
    return phone, blind_index("phone", phone)


def _wait_minutes(oldest: datetime, now: datetime) -> int:
    return max(1, math.ceil((oldest + timedelta(hours=1) - now).total_seconds() / 60))


def _otp_rate_limit(*, phone_index: str, ip: str | None, now: datetime) -> OtpRefused | None:
    """The reason this request must wait, or None. Counts every issued code, registered phone or not."""
    hour_ago = now - timedelta(hours=1)
    recent = OneTimeCode.objects.filter(phone_index=phone_index, created_at__gte=hour_ago).order_by("created_at")
    latest = recent.last()
    if latest is not None:
        wait = resend_seconds() - int((now - latest.created_at).total_seconds())
        if wait > 0:
            return OtpRefused(_("请求过于频繁，请%(n)d秒后再试") % {"n": wait}, error="resend_too_soon",
                              retry_after=wait)
    if recent.count() >= settings.OTP_MAX_PER_PHONE_PER_HOUR:
        minutes = _wait_minutes(recent.first().created_at, now)
        return OtpRefused(_("请求过于频繁，请%(n)d分钟后再试") % {"n": minutes}, error="phone_rate_limit",
                          retry_after=minutes * 60)
    if ip:
        by_ip = OneTimeCode.objects.filter(ip=ip, created_at__gte=hour_ago).order_by("created_at")
        if by_ip.count() >= settings.OTP_MAX_PER_IP_PER_HOUR:
            minutes = _wait_minutes(by_ip.first().created_at, now)
            return OtpRefused(_("请求过于频繁，请%(n)d分钟后再试") % {"n": minutes}, error="ip_rate_limit",
                              retry_after=minutes * 60)
    return None


def _registered_people(phone_index: str) -> list:
    """Registered people with this phone, the household representative / head first (the people register's
    answer). Unscoped on purpose: nobody is logged in yet, and only the yes/no and the link are used."""
    return people_for_phone(phone_index)


def otp_request(*, phone: str, ip: str | None) -> OtpSent:
    """Issue a login code for a phone and text it if the phone belongs to a registered person.

    The answer is the same for a registered and an unregistered phone (a code row is stored for both,
    so rate limits behave the same); only a registered phone receives the SMS. Not wrapped in one
    transaction: a refused request is audited and must stay audited when the refusal is raised.
    """
    phone, index = _phone_or_error(phone)
    masked = mask_phone(phone)
    now = timezone.now()
    ttl = settings.OTP_TTL_SECONDS
    with transaction.atomic():
        refusal = _otp_rate_limit(phone_index=index, ip=ip, now=now)
        if refusal is not None:
            audit_record(actor=None, action="otp.request", outcome=AuditOutcome.DENIED, actor_label=masked,
                         detail={"phone": masked, "error": refusal.error})
        else:
            people = _registered_people(index)
            # A placeholder nobody knows: the task draws the real code (otp_deliver), so neither the code
            # nor the phone passes through the task queue.
            record = OneTimeCode.objects.create(
                phone_index=index, code_hash=otp_hash(phone_index=index, code=otp_generate()), ip=ip,
                expires_at=now + timedelta(seconds=ttl))
            audit_record(actor=None, action="otp.request", actor_label=masked,
                         detail={"phone": masked, "registered": bool(people)},
                         community_id=people[0].community_id if people else None)
            # Queued the same way for every phone: answering at once only for registered phones would
            # tell by its timing who is registered.
            from .tasks import otp_deliver_task

            code_id = record.pk
            transaction.on_commit(lambda: otp_deliver_task(code_id))
    if refusal is not None:
        raise refusal
    return OtpSent(resend_after=resend_seconds(), ttl_minutes=max(1, ttl // 60))


def otp_deliver(*, code_id: int) -> bool:
    """Draw an issued code's digits and text them if its phone is a registered person's; True if a text was sent.

    A phone that is not registered gets the same work — a fresh code drawn, its hash written, the people register
    read — only without the SMS, so no branch is measurably slower than the other.
    """
    with transaction.atomic():
        record = OneTimeCode.objects.select_for_update().filter(pk=code_id, used_at__isnull=True).first()
        if record is None or record.expires_at <= timezone.now():
            return False
        code = otp_generate()
        record.code_hash = otp_hash(phone_index=record.phone_index, code=code)
        record.save(update_fields=["code_hash"])
        people = _registered_people(record.phone_index)
        phone = people[0].phone if people else ""
        ttl = settings.OTP_TTL_SECONDS
        message = _("【三社】您的登录验证码是%(code)s，%(minutes)d分钟内有效。请勿告诉他人。") % {
            "code": code, "minutes": max(1, ttl // 60)}
    if not phone:
        return False
    get_sms_backend().send(phone, message)
    return True


def _resident_username(person) -> str:
    base = f"resident{person.pk}"
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def _resident_account(phone_index: str) -> tuple[User | None, str, int | None]:
    """The resident account for a registered person's phone, created and linked on first login.

    Returns (user, error, community_id); error is "" on success.
    """
    people = _registered_people(phone_index)
    if not people:
        return None, "not_registered", None
    linked = next((p for p in people if p.user_id), None)
    if linked is not None:
        user, person = linked.user, linked
    else:
        person = people[0]
        user = User(username=_resident_username(person), display_name=person.name[:50])
        user.set_unusable_password()
        user.save()
        link_user(person, user)
        audit_record(actor=None, action="user.create_resident", obj=user, actor_label=user.username,
                     community_id=person.community_id)
    if not user.is_active:
        return user, "inactive", person.community_id
    # A code must never open an account that a password protects with staff powers.
    if user.is_staff or user.is_superuser or holds_role(user, STAFF_ROLES):
        return user, "staff_account", person.community_id
    return user, "", person.community_id


_OTP_MESSAGES = {
    "no_code": gettext_lazy("验证码错误或已失效，请重新获取"),
    "used": gettext_lazy("验证码已使用，请重新获取"),
    "expired": gettext_lazy("验证码已过期，请重新获取"),
    "too_many_attempts": gettext_lazy("验证码错误次数过多，请重新获取"),
    "not_registered": gettext_lazy("该手机号暂不能登录，请联系社区工作人员核实登记信息"),
    "inactive": gettext_lazy("该账号已停用，请联系社区工作人员"),
    "staff_account": gettext_lazy("工作人员账号请使用用户名（或手机号）和密码登录"),
}


def otp_record_check(record, *, used: bool, key: str, code: str, now: datetime) -> tuple[str, str]:
    """Check a typed code against the latest code row for a phone (a login code or a sign-up code).

    Returns ("", "") when it matches, else (error, message): no_code, used, expired, too_many_attempts or
    wrong_code (the message then says how many tries are left). A wrong try is counted on the row at once.
    Call it inside the transaction that locked the row.
    """
    if record is None:
        return "no_code", ""
    if used:
        return "used", ""
    if record.expires_at <= now:
        return "expired", ""
    if record.attempts >= settings.OTP_MAX_ATTEMPTS:
        return "too_many_attempts", ""
    if otp_matches(phone_index=key, code=code, code_hash=record.code_hash):
        return "", ""
    record.attempts += 1
    record.save(update_fields=["attempts"])
    left = settings.OTP_MAX_ATTEMPTS - record.attempts
    if left <= 0:
        return "too_many_attempts", ""
    return "wrong_code", _("验证码错误，还可尝试%(n)d次") % {"n": left}


def otp_verify(*, phone: str, code: str, ip: str | None) -> User:
    """Check a login code and return the resident's account; OtpRefused (Chinese message) otherwise.

    Only the latest code for the phone counts; it is single-use, expires, and allows OTP_MAX_ATTEMPTS
    wrong tries. Not wrapped in one transaction: a wrong try must stay counted and audited when the
    refusal is raised.
    """
    phone, index = _phone_or_error(phone)
    clean = otp_clean_code(code)
    if clean is None:
        raise ValidationError({"code": _("验证码应为6位数字")})
    masked = mask_phone(phone)
    now = timezone.now()
    error, message, user, community_id = "", "", None, None
    with transaction.atomic():
        record = (OneTimeCode.objects.select_for_update().filter(phone_index=index)
                  .order_by("-created_at", "-id").first())
        error, message = otp_record_check(record, used=record is not None and record.used_at is not None,
                                          key=index, code=clean, now=now)
        if not error:
            record.used_at = now
            record.save(update_fields=["used_at"])
            user, error, community_id = _resident_account(index)
        if error:
            audit_record(actor=None, action="otp.verify", outcome=AuditOutcome.FAILURE, actor_label=masked,
                         detail={"phone": masked, "error": error}, community_id=community_id)
        else:
            audit_record(actor=user, action="otp.verify", obj=user, detail={"phone": masked},
                         community_id=community_id)
    if error:
        raise OtpRefused(message or str(_OTP_MESSAGES[error]), error=error)
    return user


# ---------------------------------------------------------------------------------------------------------
# Users and roles, managed by organisation admins
# ---------------------------------------------------------------------------------------------------------

# Roles that only make sense within named communities.
_NEEDS_COMMUNITY = {Role.SOCIAL_WORKER, Role.COMMUNITY_WORKER}


@dataclass(frozen=True)
class RoleChoice:
    """A validated role grant: everything needed to write one Membership."""

    role: str
    worker_kind: str
    community_ids: frozenset[int]
    building_ids: frozenset[int]


@dataclass(frozen=True)
class UserCreated:
    user: User
    generated_password: str | None


def _managed_organisation(actor, organisation_id: int | None) -> Organisation:
    """An organisation whose users the actor manages: 403 if they manage none, 404 if not this one."""
    scope = require(actor, "users.manage")
    if organisation_id not in scope.organisation_ids_for("users.manage"):
        raise ObjectNotFound()
    return Organisation.objects.get(pk=organisation_id)


def _managed_user(actor, user_id: int, *, lock: bool = False) -> User:
    require(actor, "users.manage")
    users = User.objects.for_actor(actor, "manage")
    if lock:
        users = users.select_for_update()
    user = users.filter(pk=user_id).first()
    if user is None:
        raise ObjectNotFound()
    return user


def _require_whole_account(actor, user: User) -> None:
    """Account-wide changes (password, phone, deactivation) only when the actor manages all of the user."""
    if user.is_superuser:
        raise ValidationError(_("系统管理员账号只能由系统管理员修改"))
    managed = scope_for(actor).organisation_ids_for("users.manage")
    elsewhere = other_organisation_records(user, managed)
    if elsewhere.exists():
        raise ValidationError(_("该用户还在其他机构担任角色，此项须由系统管理员处理；您可以撤销其在本机构的角色"))


def _clean_phone(user: User, raw: str, errors: dict) -> None:
    raw = (raw or "").strip()
    if not raw:
        user.phone, user.phone_index = None, None
        return
    try:
        phone = normalize_phone(raw)
    except IdentityError as exc:
        errors["phone"] = str(exc)
        return
    index = blind_index("phone", phone)
    if User.objects.filter(phone_index=index).exclude(pk=user.pk).exists():
        errors["phone"] = _("该手机号已被其他账号使用")
        return
    user.phone, user.phone_index = phone, index


def _clean_username(user: User, raw: str, errors: dict) -> None:
    user.username = (raw or "").strip()
    if not user.username:
        errors["username"] = _("请填写用户名")
        return
    try:
        normalize_phone(user.username)
    except IdentityError:
        return
    # Login accepts a username or a phone: a username that is a phone number would be ambiguous.
    errors["username"] = _("用户名不能是手机号（手机号请填在“手机号”一栏）")


def _clean_password(user: User, password: str, errors: dict, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors[field] = exc.messages


def _merge(errors: dict, exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        errors.setdefault(field, [])
        if isinstance(errors[field], str):
            errors[field] = [errors[field]]
        errors[field].extend(messages)


def role_clean(*, organisation: Organisation, role: str, worker_kind: str = "",
               community_ids: Iterable[int] = (), building_ids: Iterable[int] = ()) -> RoleChoice:
    """Check a role grant against the organisation's communities; ValidationError by field, in Chinese."""
    errors: dict[str, str] = {}
    community_ids = frozenset(int(pk) for pk in community_ids)
    building_ids = frozenset(int(pk) for pk in building_ids)
    if role == Role.RESIDENT:
        errors["role"] = _("居民账号在居民用手机验证码首次登录时自动建立，无需分配")
    elif role not in Role.values:
        errors["role"] = _("请选择角色")
    if role == Role.COMMUNITY_WORKER:
        if worker_kind not in WorkerKind.values:
            errors["worker_kind"] = _("请选择社区工作者类别")
    else:
        worker_kind = ""
    served = set(organisation.communities.values_list("pk", flat=True))
    if role == Role.ORG_ADMIN:
        community_ids = frozenset()  # an organisation admin covers every community the organisation serves
    elif community_ids - served:
        errors["communities"] = _("所选社区不在本机构的服务范围内")
    if building_ids:
        if role != Role.COMMUNITY_WORKER:
            errors["buildings"] = _("只有社区工作者（如楼门栋长）可以负责具体楼栋")
        # Through the served communities' compounds (a building's community is its compound's).
        elif set(organisation.communities.filter(compounds__buildings__in=building_ids)
                 .values_list("compounds__buildings", flat=True)) != building_ids:
            errors["buildings"] = _("所选楼栋不在本机构服务的社区内")
    if worker_kind == WorkerKind.BUILDING_STEWARD:
        if not building_ids and "buildings" not in errors:
            errors["buildings"] = _("楼门栋长请至少选择一个负责楼栋")
    elif role in _NEEDS_COMMUNITY and not community_ids and "communities" not in errors:
        errors["communities"] = _("请至少选择一个负责社区")
    if errors:
        raise ValidationError(errors)
    return RoleChoice(role=role, worker_kind=worker_kind, community_ids=community_ids, building_ids=building_ids)


def _sync_admin_site_access(user: User) -> None:
    """Organisation admins may open the (scoped) Django admin; nobody else without being a superuser."""
    is_admin = holds_role(user, [Role.ORG_ADMIN], any_account_state=True)
    wanted = is_admin or user.is_superuser
    if user.is_staff != wanted:
        user.is_staff = wanted
        user.save(update_fields=["is_staff"])


def _membership_write(*, user: User, organisation: Organisation, choice: RoleChoice) -> tuple[Membership, bool]:
    """Create or re-activate the user's membership for this role; returns (membership, created)."""
    membership = (Membership.objects.select_for_update()
                  .filter(user=user, organisation=organisation, role=choice.role).first())
    created = membership is None
    if created:
        membership = Membership(user=user, organisation=organisation, role=choice.role)
    membership.worker_kind = choice.worker_kind
    membership.is_active = True
    membership.full_clean(exclude=["user", "organisation"])
    membership.save()
    membership.communities.set(choice.community_ids)
    membership.buildings.set(choice.building_ids)
    _sync_admin_site_access(user)
    forget_scope(user)
    return membership, created


def _role_detail(user: User, choice: RoleChoice) -> dict:
    return {"user_id": user.pk, "role": choice.role, "worker_kind": choice.worker_kind,
            "community_ids": sorted(choice.community_ids), "building_ids": sorted(choice.building_ids)}


@transaction.atomic
def user_create(*, actor, organisation_id: int, username: str, display_name: str, phone: str = "",
                password: str = "", role: str, worker_kind: str = "", community_ids: Iterable[int] = (),
                building_ids: Iterable[int] = ()) -> UserCreated:
    """Create a staff account in the actor's organisation with its first role.

    With no password given, one meeting the policy is generated and returned (shown once). Either way
    the user must choose their own password at first login.
    """
    organisation = _managed_organisation(actor, organisation_id)
    user = User(display_name=(display_name or "").strip())
    errors: dict = {}
    _clean_username(user, username, errors)
    if not user.display_name:
        errors["display_name"] = _("请填写姓名")
    _clean_phone(user, phone, errors)
    generated = None
    if password:
        _clean_password(user, password, errors)
    else:
        password = generated = generate_password()
    try:
        user.full_clean(exclude=["password", "phone_index", *errors.keys()])
    except ValidationError as exc:
        _merge(errors, exc)
    choice = None
    try:
        choice = role_clean(organisation=organisation, role=role, worker_kind=worker_kind,
                            community_ids=community_ids, building_ids=building_ids)
    except ValidationError as exc:
        _merge(errors, exc)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.password_must_change = True
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent create took the username or phone
        raise ValidationError({"username": _("该用户名或手机号已被使用，请换一个")}) from exc
    membership, _created = _membership_write(user=user, organisation=organisation, choice=choice)
    audit_record(actor=actor, action="user.create", obj=user, organisation_id=organisation.pk,
                 detail={"generated_password": generated is not None})
    audit_record(actor=actor, action="membership.grant", obj=membership, organisation_id=organisation.pk,
                 detail=_role_detail(user, choice))
    return UserCreated(user=user, generated_password=generated)


@transaction.atomic
def account_open(*, username_base: str, display_name: str, phone: str, phone_index: str) -> User:
    """An account without a password yet, for someone another feature has vetted (an approved volunteer): the
    first free username of `username_base`, `-2`, `-3`…; the person chooses the password later
    (`account_first_password_set`). The calling feature audits its own decision."""
    username, n = username_base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{username_base}-{n}"
    user = User(username=username, display_name=display_name[:50], phone=phone, phone_index=phone_index)
    user.set_unusable_password()
    user.save()
    return user


def account_first_password_set(*, user: User, password1: str, password2: str) -> User:
    """The first password of an account opened without one (`account_open`); the caller has checked that this
    person may set it. Refused if a password was set already."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_usable_password():
        raise ValidationError(_("登录密码已设置过，请直接登录；忘记密码请联系机构管理员重置"))
    if password1 != password2:
        raise ValidationError({"password2": _("两次输入的密码不一致")})
    try:
        validate_password(password1, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc
    user.set_password(password1)
    user.password_must_change = False
    user.save(update_fields=["password", "password_must_change"])
    return user


def user_update(*, actor, user_id: int, display_name: str, phone: str | None = None) -> User:
    """Change a user's name and login phone (None keeps it, "" removes it); changed field names are audited."""
    user = _managed_user(actor, user_id, lock=True)
    _require_whole_account(actor, user)
    errors: dict = {}
    old = (user.display_name, user.phone_index)
    user.display_name = (display_name or "").strip()
    if not user.display_name:
        errors["display_name"] = _("请填写姓名")
    if phone is not None:
        _clean_phone(user, phone, errors)
    if errors:
        raise ValidationError(errors)
    user.full_clean(exclude=["password", "phone_index"])
    user.save()
    changed = [name for name, before, after in (("display_name", old[0], user.display_name),
                                                  ("phone", old[1], user.phone_index)) if before != after]
    audit_record(actor=actor, action="user.update", obj=user, detail={"fields": changed})
    return user


@transaction.atomic
def membership_grant(*, actor, user_id: int, organisation_id: int, role: str, worker_kind: str = "",
                     community_ids: Iterable[int] = (), building_ids: Iterable[int] = ()) -> Membership:
    """Give a managed user a role in one of the actor's organisations (or change its communities/buildings)."""
    organisation = _managed_organisation(actor, organisation_id)
    user = _managed_user(actor, user_id, lock=True)
    if not user.is_active:
        raise ValidationError(_("该账号已停用，请先启用再分配角色"))
    choice = role_clean(organisation=organisation, role=role, worker_kind=worker_kind,
                        community_ids=community_ids, building_ids=building_ids)
    membership, created = _membership_write(user=user, organisation=organisation, choice=choice)
    audit_record(actor=actor, action="membership.grant", obj=membership, organisation_id=organisation.pk,
                 detail={**_role_detail(user, choice), "created": created})
    if user.pk == actor.pk:
        forget_scope(actor)
    sockets_recheck(user.pk)  # fewer communities or buildings: open sockets follow at once
    return membership


@transaction.atomic
def membership_extend(*, user: User, organisation: Organisation, role: str, worker_kind: str = "",
                      community_ids: Iterable[int] = (), building_ids: Iterable[int] = ()) -> Membership:
    """Give a role on the system's behalf (an approved volunteer application, the demo loader; the caller
    audits): create it, or add places to the active one; a revoked role comes back with these places only."""
    community_ids, building_ids = list(community_ids), list(building_ids)
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role,
                                                           defaults={"worker_kind": worker_kind})
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
        membership.communities.set(community_ids)
        membership.buildings.set(building_ids)
    else:
        membership.communities.add(*community_ids)
        membership.buildings.add(*building_ids)
    forget_scope(user)
    return membership


@transaction.atomic
def membership_revoke(*, actor, membership_id: int) -> Membership:
    """Withdraw a role; the membership is kept inactive so the history stays readable."""
    require(actor, "users.manage")
    membership = (Membership.objects.for_actor(actor, "manage").select_for_update()
                  .select_related("user").filter(pk=membership_id).first())
    if membership is None:
        raise ObjectNotFound()
    if not membership.is_active:
        raise ValidationError(_("该角色已撤销"))
    if membership.user_id == actor.pk and membership.role == Role.ORG_ADMIN:
        raise ValidationError(_("不能撤销自己的机构管理员角色，请由本机构另一位管理员操作"))
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    _sync_admin_site_access(membership.user)
    audit_record(actor=actor, action="membership.revoke", obj=membership,
                 organisation_id=membership.organisation_id,
                 detail={"user_id": membership.user_id, "role": membership.role})
    forget_scope(membership.user)
    sockets_recheck(membership.user_id)
    return membership


@transaction.atomic
def user_deactivate(*, actor, user_id: int) -> User:
    """Stop an account from logging in; its open sessions end and its API tokens are revoked."""
    user = _managed_user(actor, user_id, lock=True)
    if user.pk == actor.pk:
        raise ValidationError(_("不能停用自己的账号"))
    _require_whole_account(actor, user)
    if not user.is_active:
        raise ValidationError(_("该账号已是停用状态"))
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(actor=actor, action="user.deactivate", obj=user, detail={"api_tokens_revoked": revoked})
    sockets_recheck(user.pk)
    return user


@transaction.atomic
def user_activate(*, actor, user_id: int) -> User:
    """Let a deactivated account log in again."""
    user = _managed_user(actor, user_id, lock=True)
    _require_whole_account(actor, user)
    if user.is_active:
        raise ValidationError(_("该账号已是启用状态"))
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, action="user.activate", obj=user)
    return user


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every active API token of a user whose password someone else has set; returns how many.

    A token minted by whoever knew the old (or the administrator's) password must not outlive it. Called
    inside the caller's transaction, which writes the audit event.
    """
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now(),
                                                                               updated_at=timezone.now())


@transaction.atomic
def user_password_reset(*, actor, user_id: int, password: str = "") -> str | None:
    """Set a new password for a managed user (generated when none is given; returned to show once).

    The account is unlocked too, and the user must choose their own password at next login; their open
    sessions end because the password changed.
    """
    user = _managed_user(actor, user_id, lock=True)
    _require_whole_account(actor, user)
    errors: dict = {}
    generated = None
    if password:
        _clean_password(user, password, errors)
    else:
        password = generated = generate_password()
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.password_must_change = True
    user.save(update_fields=["password", "password_must_change"])
    sockets_recheck(user.pk)  # the sessions' password hash no longer matches: their sockets close too
    cleared = lockout.unlock(user.username)
    revoked = api_tokens_revoke_all(user=user)
    audit_record(actor=actor, action="user.password_reset", obj=user,
                 detail={"generated_password": generated is not None, "unlocked": cleared > 0,
                         "api_tokens_revoked": revoked})
    return generated


@transaction.atomic
def user_unlock(*, actor, user_id: int) -> int:
    """Lift a login lockout before its 30 minutes are over; returns the cleared attempt records."""
    user = _managed_user(actor, user_id)
    cleared = lockout.unlock(user.username)
    audit_record(actor=actor, action="user.unlock", obj=user, detail={"attempts_cleared": cleared})
    return cleared


def user_password_change(*, actor, old_password: str, new_password: str) -> User:
    """A user changes their own password (policy enforced); clears a forced-change flag.

    Not wrapped in one transaction: a failed attempt (wrong current password) stays audited.
    """
    if not actor.is_authenticated:
        raise ObjectNotFound()
    errors: dict = {}
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if not user.check_password(old_password or ""):
            errors["old_password"] = _("原密码不正确")
        elif old_password and old_password == new_password:
            errors["new_password1"] = _("新密码不能与原密码相同")
        else:
            _clean_password(user, new_password or "", errors, field="new_password1")
        if errors:
            audit_record(actor=actor, action="user.password_change", obj=user, outcome=AuditOutcome.FAILURE,
                         detail={"error": sorted(errors)})
        else:
            user.set_password(new_password)
            user.password_must_change = False
            user.save(update_fields=["password", "password_must_change"])
            audit_record(actor=actor, action="user.password_change", obj=user)
    if errors:
        raise ValidationError(errors)
    return user


# ---------------------------------------------------------------------------------------------------------
# API tokens (the API's bearer tokens): create, revoke, authenticate. Only a SHA-256 hash is ever stored.
# ---------------------------------------------------------------------------------------------------------

TOKEN_PREFIX = "ssk_"
# The first characters of a token, kept in clear so a user can tell their tokens apart.
PREFIX_LENGTH = 8
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often per token, to keep writes off the request path.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(plaintext: str) -> str:
    """The stored form of a token: hex SHA-256 (tokens carry 256 random bits, so no salt is needed)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _active_tokens():
    return ApiToken.objects.filter(revoked_at__isnull=True)


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Make a new token for the actor; the plaintext is returned once and never stored."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ActionForbidden("api.token")
    if not scope_for(actor).is_staff_member:
        raise ActionForbidden("api.token")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌用途，例如“区疫情平台对接”")})
    if _active_tokens().filter(user=actor).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError({"name": _("有效令牌已达%(n)s个，请先撤销不再使用的令牌") % {"n": MAX_ACTIVE_TOKENS}})
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=actor, name=name, prefix=plaintext[:PREFIX_LENGTH], token_hash=token_hash(plaintext))
    token.full_clean()
    token.save()
    audit_record(actor=actor, action="api_token.create", obj=token, detail={"prefix": token.prefix})
    return token, plaintext


def _revocable_tokens(actor: User):
    """The actor's own tokens, and for organisation admins the tokens of their organisation's users."""
    condition = Q(user=actor)
    if scope_for(actor).can("users.manage"):
        condition |= Q(user__in=User.objects.for_actor(actor, "manage").values("pk"))
    return ApiToken.objects.filter(condition)


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke a token at once; revoking an already revoked token changes nothing."""
    if not getattr(actor, "is_authenticated", False):
        raise ActionForbidden("api.token")
    token = _revocable_tokens(actor).select_for_update().filter(pk=token_id).first()
    if token is None:
        raise ObjectNotFound()
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=actor, action="api_token.revoke", obj=token,
                 detail={"prefix": token.prefix, "owner_id": token.user_id})
    return token


def api_token_authenticate(*, plaintext: str) -> User | None:
    """The active user a presented token belongs to, or None; notes the time of use (once a minute)."""
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    token = (
        _active_tokens().select_related("user").filter(token_hash=token_hash(plaintext), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A plain UPDATE: bookkeeping, not a change anyone acts on, so it is not audited.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
