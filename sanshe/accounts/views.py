"""Login (staff password, residents' one-time code), my account, and user management for org admins.

Views parse input, call a service or selector, and render. Access: anonymous → login page; a role
without `users.manage` → 403 (from `require`); a user outside the admin's organisations → 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from sanshe.core.context import client_ip
from sanshe.core.gate import page
from sanshe.core.redirects import safe_next

from . import selectors, services
from .forms import (
    MembershipForm,
    OtpLoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    StaffLoginForm,
    UserCreateForm,
    UserEditForm,
    apply_errors,
)
from .lockout import lockout_minutes
from .place_link import assignable_places

PASSWORD_BACKEND = "sanshe.accounts.backends.UsernameOrPhoneBackend"
USERS_PER_PAGE = 30


# --- Login -----------------------------------------------------------------------------------------------


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs) -> HttpResponse:
    """What django-axes shows after too many failures: the login page again, HTTP 429, in Chinese."""
    typed = request.POST.get("username", "") if request.method == "POST" else ""
    # Unbound on purpose: rendering a bound login form would try to authenticate again.
    form = StaffLoginForm(request, initial={"username": typed})
    return render(request, "accounts/login.html", {
        "form": form,
        "next": request.POST.get("next", ""),
        "lockout_message": _("登录失败次数过多，账号已锁定%(m)d分钟。请稍后再试，或联系机构管理员解锁。") % {
            "m": lockout_minutes()},
    }, status=429)


def ip_throttled_response(request, minutes: int) -> HttpResponse:
    """Too many failed logins from this address, whatever the accounts: the login page, HTTP 429."""
    form = StaffLoginForm(request, initial={"username": request.POST.get("username", "")})
    return render(request, "accounts/login.html", {
        "form": form,
        "next": request.POST.get("next", ""),
        "lockout_message": _("此网络地址登录失败次数过多，请%(m)d分钟后再试。"
                             "如多人共用网络，请联系机构管理员。") % {"m": minutes},
    }, status=429)


def _safe_next(request: HttpRequest, url: str) -> str:
    return safe_next(request, reverse(settings.LOGIN_REDIRECT_URL), value=url)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def otp_login(request: HttpRequest) -> HttpResponse:
    """Residents: phone → code by SMS → code. Works without JavaScript (the countdown is an extra)."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated:
        return redirect(_safe_next(request, next_url))
    form = OtpLoginForm(request.POST or None)
    stage, notice, resend_wait = "phone", "", 0
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if request.POST.get("action") == "verify":
            stage = "code"
            code = form.cleaned_data.get("code", "")
            if not code.strip():
                form.add_error("code", _("请填写短信验证码"))
            else:
                try:
                    user = services.otp_verify(phone=phone, code=code, ip=client_ip(request))
                except services.OtpRefused as exc:
                    form.add_error("code", exc.messages)
                except ValidationError as exc:
                    apply_errors(form, exc)
                    if "phone" in form.errors:
                        stage = "phone"
                else:
                    request.sanshe_login_method = "otp"
                    login(request, user, backend=PASSWORD_BACKEND)
                    return redirect(_safe_next(request, next_url))
        else:
            try:
                sent = services.otp_request(phone=phone, ip=client_ip(request))
            except services.OtpRefused as exc:
                form.add_error(None, exc.messages)
                stage = "code"
                resend_wait = exc.retry_after if exc.error == "resend_too_soon" else 0
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                stage = "code"
                resend_wait = sent.resend_after
                notice = _("如该手机号已在社区登记，验证码短信已发出，%(m)d分钟内有效。"
                           "未收到请核对手机号，或联系社区工作人员。") % {"m": sent.ttl_minutes}
    elif request.method == "POST":
        stage = "code" if request.POST.get("action") == "verify" else "phone"
    form.fields["code" if stage == "code" else "phone"].widget.attrs["autofocus"] = True
    return render(request, "accounts/otp_login.html", {
        "form": form, "stage": stage, "notice": notice, "resend_wait": resend_wait, "next": next_url,
        "console_sms": settings.SMS_BACKEND.endswith("ConsoleSmsBackend") and settings.SMS_CONSOLE_SHOW_CODES,
        "ttl_minutes": max(1, settings.OTP_TTL_SECONDS // 60), "resend_seconds": services.resend_seconds(),
    })


# --- My account ------------------------------------------------------------------------------------------


@page()
def my_account(request: HttpRequest) -> HttpResponse:
    """Who I am, which roles I hold where, and a way to change my password."""
    return render(request, "accounts/my_account.html", {
        "memberships": selectors.my_memberships(actor=request.user),
        "person": selectors.my_person(actor=request.user),
    })


@never_cache
@sensitive_post_parameters()
@page()
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    if not request.user.has_usable_password():
        messages.info(request, _("您使用手机验证码登录，无需密码"))
        return redirect("accounts:my_account")
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_change(actor=request.user,
                                                 old_password=form.cleaned_data["old_password"],
                                                 new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改"))
            return redirect("accounts:my_account")
    return render(request, "accounts/password_change.html", {"form": form})


# --- Users and roles (organisation admins) ---------------------------------------------------------------


@page()
def user_list(request: HttpRequest) -> HttpResponse:
    """Everyone in the admin's scope; only their own organisations' users link to the managing pages."""
    query = request.GET.get("q", "")[:50]
    status = request.GET.get("status", "")
    organisations, roles = selectors.user_list_filters(actor=request.user)
    filter_errors = []
    organisation_id = None
    organisation_value = request.GET.get("organisation", "").strip()
    if organisation_value:
        if organisation_value.isdigit() and int(organisation_value) in {o.pk for o in organisations}:
            organisation_id = int(organisation_value)
        else:
            filter_errors.append(_("所选机构不在您的管理范围内，已显示全部机构"))
            organisation_value = ""
    role = request.GET.get("role", "").strip()
    if role and role not in dict(roles):
        filter_errors.append(_("没有这个角色，已显示全部角色"))
        role = ""
    users = selectors.user_list(actor=request.user, query=query, status=status,
                                organisation_id=organisation_id, role=role)
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    selectors.user_list_rows(actor=request.user, users=rows)
    keep = urlencode({"q": query, "status": status, "organisation": organisation_value, "role": role})
    return render(request, "accounts/user_list.html", {
        "page": page, "rows": rows, "query": query, "status": status, "organisations": organisations,
        "roles": roles, "organisation": organisation_value, "role": role, "filter_errors": filter_errors,
        "keep": keep, "filtered": bool(query or status or organisation_id or role),
    })


def _place_choices(request: HttpRequest, form) -> None:
    """Fill the organisation, community and building choices from what the admin manages."""
    organisations = selectors.managed_organisations(actor=request.user)
    form.set_organisations(organisations)
    form.set_places(assignable_places(actor=request.user, organisations=organisations))


@never_cache
@sensitive_post_parameters("password")
@page()
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    selectors.managed_organisation_ids(actor=request.user)
    form = UserCreateForm(request.POST or None)
    _place_choices(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.user_create(
                actor=request.user, organisation_id=data["organisation"], username=data["username"],
                display_name=data["display_name"], phone=data["phone"], password=form.chosen_password(),
                **form.role_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if created.generated_password:
                return _password_once(request, created.user, created.generated_password, created_now=True)
            messages.success(request, _("已创建账号 %(u)s，首次登录时须修改密码") % {"u": created.user.username})
            return redirect("accounts:user_detail", user_id=created.user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


def _password_once(request: HttpRequest, user, password: str, *, created_now: bool) -> HttpResponse:
    """The only place a generated password is ever shown: this response, never stored, never cached."""
    response = render(request, "accounts/user_password_once.html", {
        "managed": user, "password": password, "created_now": created_now})
    add_never_cache_headers(response)
    return response


@page()
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    managed = selectors.access_user(actor=request.user, user_id=user_id)
    return render(request, "accounts/user_detail.html", {"managed": managed})


@page()
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    managed = selectors.access_user(actor=request.user, user_id=user_id)
    form = UserEditForm(request.POST or None, initial={"display_name": managed.display_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        phone = "" if data.get("clear_phone") else (data["phone"] or None)
        try:
            services.user_update(actor=request.user, user_id=managed.pk, display_name=data["display_name"],
                                 phone=phone)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("accounts:user_detail", user_id=managed.pk)
    return render(request, "accounts/user_edit.html", {"managed": managed, "form": form})


@page()
@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, user_id: int, membership_id: int | None = None) -> HttpResponse:
    """Grant a role, or change the communities/buildings of one the user holds."""
    managed = selectors.access_user(actor=request.user, user_id=user_id)
    membership = None
    initial: dict = {}
    if membership_id is not None:
        membership = selectors.access_membership(actor=request.user, user_id=managed.pk,
                                                 membership_id=membership_id)
        initial = {"organisation": membership.organisation_id, "role": membership.role,
                   "worker_kind": membership.worker_kind,
                   "communities": [c.pk for c in membership.communities.all()],
                   "buildings": [b.pk for b in membership.buildings.all()]}
    form = MembershipForm(request.POST or None, initial=initial)
    _place_choices(request, form)
    if membership is not None:  # changing the scope of this role: role and organisation stay as they are
        form.fields["role"].disabled = True
        form.fields["organisation"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_grant(actor=request.user, user_id=managed.pk,
                                      organisation_id=form.cleaned_data["organisation"], **form.role_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("角色已保存"))
            return redirect("accounts:user_detail", user_id=managed.pk)
    return render(request, "accounts/membership_form.html", {
        "managed": managed, "form": form, "membership": membership})


def _action(request: HttpRequest, user_id: int, call, success: str) -> HttpResponse:
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("accounts:user_detail", user_id=user_id)


@page()
@require_POST
def membership_revoke(request: HttpRequest, user_id: int, membership_id: int) -> HttpResponse:
    membership = selectors.access_membership(actor=request.user, user_id=user_id, membership_id=membership_id)
    return _action(request, user_id, lambda: services.membership_revoke(actor=request.user,
                                                                         membership_id=membership.pk),
                   _("已撤销角色：%(r)s") % {"r": membership.get_role_display()})


@page()
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    managed = selectors.access_user(actor=request.user, user_id=user_id)
    return _action(request, managed.pk, lambda: services.user_deactivate(actor=request.user, user_id=managed.pk),
                   _("账号已停用，该用户已无法登录"))


@page()
@require_POST
def user_activate(request: HttpRequest, user_id: int) -> HttpResponse:
    managed = selectors.access_user(actor=request.user, user_id=user_id)
    return _action(request, managed.pk, lambda: services.user_activate(actor=request.user, user_id=managed.pk),
                   _("账号已启用"))


@page()
@require_POST
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    managed = selectors.access_user(actor=request.user, user_id=user_id)
    return _action(request, managed.pk, lambda: services.user_unlock(actor=request.user, user_id=managed.pk),
                   _("已解除登录锁定"))


@never_cache
@sensitive_post_parameters("password")
@page()
@require_http_methods(["GET", "POST"])
def user_password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    managed = selectors.access_user(actor=request.user, user_id=user_id)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            generated = services.user_password_reset(actor=request.user, user_id=managed.pk,
                                                     password=form.chosen_password())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if generated:
                return _password_once(request, managed, generated, created_now=False)
            messages.success(request, _("密码已重置，该用户下次登录时须修改密码"))
            return redirect("accounts:user_detail", user_id=managed.pk)
    return render(request, "accounts/user_password_reset.html", {"managed": managed, "form": form})

