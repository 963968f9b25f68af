"""Volunteer pages: public sign-up and status link, review, the volunteer's own checklist, training, agreement."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanshe.accounts.models import Organisation
from sanshe.accounts.policies import scope_for
from sanshe.core.context import client_ip
from sanshe.core.errors import ObjectNotFound
from sanshe.core.gate import page
from sanshe.core.pages import apply_service_errors
from sanshe.people.forms import RevealForm

from . import selectors, services
from .forms import (
    ActivateForm,
    AddDocumentsForm,
    AgreementPublishForm,
    AgreementSignForm,
    ApplicationForm,
    CertificateCheckForm,
    DecisionForm,
    PhoneStepForm,
    RecruitmentForm,
    TrainingCompleteForm,
    TrainingModuleForm,
)
from .models import VOLUNTEER_ROLES, ApplicationStatus, CertificateCheck, Post
from .rules import quiz_as_text
from .services import POST_ROLES


def _status_base(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("volunteers:status", args=["TOKEN"])).removesuffix("TOKEN/")


# ---------------------------------------------------------------------------------------------------------
# Public: sign-up and the applicant's status link
# ---------------------------------------------------------------------------------------------------------


# The phones an anonymous browser verified, per recruitment: {recruitment token: {"phone", "proof"}}.
PHONE_SESSION_KEY = "volunteers.verified_phone"


def _verified_phone(request: HttpRequest, token: str) -> dict | None:
    entry = request.session.get(PHONE_SESSION_KEY, {}).get(token)
    return entry if isinstance(entry, dict) and entry.get("proof") else None


def _remember_phone(request: HttpRequest, token: str, verified: services.PhoneVerified | None) -> None:
    entries = dict(request.session.get(PHONE_SESSION_KEY, {}))
    if verified is None:
        entries.pop(token, None)
    else:
        entries[token] = {"phone": verified.phone, "proof": verified.proof}
    request.session[PHONE_SESSION_KEY] = entries


def _same_phone(raw: str, verified: dict | None) -> bool:
    from sanshe.core.identity import IdentityError, normalize_phone

    if verified is None:
        return False
    try:
        return normalize_phone(raw or "") == verified["phone"]
    except IdentityError:
        return False


def _phone_step(request: HttpRequest, recruitment, token: str) -> HttpResponse:
    """Sign-up starts with the phone: a code is texted to it and typed back before the form opens."""
    form = PhoneStepForm(request.POST or None)
    stage, notice, resend_wait = "phone", "", 0
    action = request.POST.get("action", "")
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if action == "step_verify":
            stage = "code"
            if not form.cleaned_data["code"].strip():
                form.add_error("code", _("请填写短信验证码"))
            else:
                try:
                    verified = services.application_phone_verify(recruitment_token=token, phone=phone,
                                                                 code=form.cleaned_data["code"], ip=client_ip(request))
                except ValidationError as error:
                    apply_service_errors(form, error)
                    if "phone" in form.errors:
                        stage = "phone"
                else:
                    _remember_phone(request, token, verified)
                    return redirect("volunteers:apply", token=token)
        else:
            try:
                sent = services.application_phone_code_send(recruitment_token=token, phone=phone, ip=client_ip(request))
            except services.OtpRefused as refusal:
                form.add_error(None, refusal.messages)
                stage = "code"
                resend_wait = refusal.retry_after if refusal.error == "resend_too_soon" else 0
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                stage, resend_wait = "code", sent.resend_after
                notice = _("验证码已发送，%(m)d分钟内有效。没收到请核对手机号，稍后可重新获取。") % {"m": sent.ttl_minutes}
    elif request.method == "POST":
        stage = "code" if action == "step_verify" else "phone"
    form.fields["code" if stage == "code" else "phone"].widget.attrs["autofocus"] = True
    return render(request, "volunteers/apply_form.html", {
        "recruitment": recruitment, "phone_form": form, "stage": stage, "notice": notice,
        "resend_wait": resend_wait, "resend_seconds": services.resend_seconds(),
        "ttl_minutes": max(1, settings.OTP_TTL_SECONDS // 60),
    })


@page(login=False)
def apply(request: HttpRequest, token: str) -> HttpResponse:
    """志愿者信息登记表 on a phone, with certificate photos or PDFs, after the phone is verified by a code.

    Whatever happens to the verification while the form is being filled in (expired, another phone typed),
    the form comes back with everything typed and a code field to verify again on the spot.
    """
    recruitment = selectors.recruitment_open(token)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    verified = _verified_phone(request, token)
    if recruitment.is_open and (action.startswith("step_") or (verified is None and request.method == "GET")):
        return _phone_step(request, recruitment, token)
    applicant = request.user if request.user.is_authenticated else None
    notice = ""
    if not recruitment.is_open or request.method == "GET":
        form = ApplicationForm(initial={"phone": verified["phone"]} if verified else None)
    elif action in ("send_code", "change_phone"):
        # Within the form: keep everything typed, (re)verify the phone on the spot.
        typed = ApplicationForm.typed(request.POST)
        if action == "change_phone":
            _remember_phone(request, token, None)
            verified = None
            typed.pop("phone", None)
        else:
            try:
                sent = services.application_phone_code_send(recruitment_token=token, phone=request.POST.get("phone", ""),
                                                            ip=client_ip(request))
            except services.OtpRefused as refusal:
                notice = " ".join(refusal.messages)
            except ValidationError as error:
                notice = " ".join(error.messages)
            else:
                notice = _("验证码已发送，%(m)d分钟内有效，请填入下方“短信验证码”后提交。") % {"m": sent.ttl_minutes}
        form = ApplicationForm(initial=typed)
    else:
        form = ApplicationForm(request.POST, request.FILES)
        if form.is_valid():
            proof = verified["proof"] if _same_phone(form.cleaned_data["phone"], verified) else ""
            if not proof and form.cleaned_data["phone_code"].strip():
                try:
                    fresh = services.application_phone_verify(
                        recruitment_token=token, phone=form.cleaned_data["phone"],
                        code=form.cleaned_data["phone_code"], ip=client_ip(request))
                except ValidationError as error:
                    apply_service_errors(form, error, aliases={"code": "phone_code"})
                    proof = None
                else:
                    _remember_phone(request, token, fresh)
                    verified, proof = _verified_phone(request, token), fresh.proof
            if proof is not None:
                try:
                    submitted = services.application_submit(
                        recruitment_token=token, data=form.service_data(), uploads=form.uploads(),
                        phone_proof=proof, applicant=applicant, status_url_base=_status_base(request))
                except ValidationError as error:
                    apply_service_errors(form, error, aliases={"certificates": "cert1_file"})
                    if hasattr(error, "error_dict") and "phone" in error.message_dict:
                        _remember_phone(request, token, None)
                        verified = None
                else:
                    _remember_phone(request, token, None)
                    request.session["volunteer_status_token"] = submitted.token
                    return redirect("volunteers:status", token=submitted.token)
    phone_value = form["phone"].value() or ""
    phone_verified = _same_phone(phone_value, verified)
    files_lost = request.method == "POST" and bool(request.FILES) and (form.errors or action)
    return render(request, "volunteers/apply_form.html", {
        "recruitment": recruitment, "form": form, "files_lost": files_lost, "stage": "form",
        "phone_verified": phone_verified, "notice": notice, "applicant": applicant,
    })


@page(login=False, private=True)
def status(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's own page: status, the reviewer's note, certificate checks, more documents, account."""
    application = services.application_by_token(token)
    add_form = AddDocumentsForm(prefix="add")
    activate_form = ActivateForm(prefix="act")
    if request.method == "POST" and request.POST.get("action") == "add":
        add_form = AddDocumentsForm(request.POST, request.FILES, prefix="add")
        if add_form.is_valid():
            try:
                n = services.application_add_documents(token=token, uploads=add_form.uploads(),
                                                       note=add_form.cleaned_data["note"])
            except ValidationError as error:
                apply_service_errors(add_form, error, aliases={"certificates": "cert1_file"})
            else:
                messages.success(request, _("已上传%(n)d份材料，等待审核") % {"n": n})
                return redirect("volunteers:status", token=token)
    elif request.method == "POST" and request.POST.get("action") == "activate":
        activate_form = ActivateForm(request.POST, prefix="act")
        if activate_form.is_valid():
            try:
                services.application_account_activate(token=token, **activate_form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(activate_form, error)
            else:
                messages.success(request, _("密码已设置，请用手机号和新密码登录"))
                return redirect("accounts:login")
    elif request.method == "POST" and request.POST.get("action") == "link":
        try:
            services.application_account_link(token=token, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已关联到当前账号，请完成岗前培训并签署保密协议"))
            return redirect("volunteers:me")
        return redirect("volunteers:status", token=token)
    user = application.user
    # Only the applicant's own account is shown and activated here (never one matched by phone number alone).
    own_account = user is not None and application.account_is_applicants
    return render(request, "volunteers/status.html", {
        "application": application, "certificates": application.certificates.all(),
        "add_form": add_form, "activate_form": activate_form, "token": token,
        "can_add": application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO),
        "needs_password": own_account and not user.has_usable_password(),
        "username": user.username if own_account else "",
        "needs_link": application.status == ApplicationStatus.APPROVED and user is None,
    })


# ---------------------------------------------------------------------------------------------------------
# Review (social workers, organisation admins)
# ---------------------------------------------------------------------------------------------------------


@page("volunteers.review")
def application_list(request: HttpRequest) -> HttpResponse:
    status_filter = request.GET.get("status", ApplicationStatus.SUBMITTED)
    if status_filter not in ApplicationStatus.values and status_filter != "all":
        status_filter = ApplicationStatus.SUBMITTED
    rows = selectors.application_list(actor=request.user, status="" if status_filter == "all" else status_filter)
    counts = selectors.application_counts(actor=request.user)
    return render(request, "volunteers/application_list.html", {
        "rows": rows[:200], "status_filter": status_filter,
        "tabs": [(value, label, counts[value]) for value, label in ApplicationStatus.choices],
    })


@page("volunteers.review")
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: every field of tool 1 (personal numbers masked), each certificate, the decision."""
    application = selectors.access_application(actor=request.user, id=pk)
    wanted = [POST_ROLES[p] for p in application.posts if p in POST_ROLES]
    if Post.OTHER in application.posts and not wanted:
        wanted = [VOLUNTEER_ROLES[-1]]
    communities = selectors.approval_communities(actor=request.user, application=application)
    decision_form = DecisionForm(prefix="d", communities=communities,
                                 initial={"roles": wanted, "communities": [c.pk for c in communities]})
    check_forms = {}
    if request.method == "POST" and request.POST.get("action") == "check":
        certificate_id = int(request.POST.get("certificate") or 0)
        form = CertificateCheckForm(request.POST, prefix=f"c{certificate_id}")
        if form.is_valid():
            try:
                services.certificate_check(actor=request.user, certificate_id=certificate_id, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("已记录核验结果"))
                return redirect("volunteers:application_detail", pk=pk)
        check_forms[certificate_id] = form
    elif request.method == "POST" and request.POST.get("action") == "decide":
        decision_form = DecisionForm(request.POST, prefix="d", communities=communities)
        if decision_form.is_valid():
            data = decision_form.cleaned_data
            try:
                if data["decision"] == "approve":
                    approved = services.application_approve(actor=request.user, application_id=pk,
                                                            roles=data["roles"], note=data["note"],
                                                            community_ids=data["communities"])
                    messages.success(request, _("已通过，申请人会收到短信通知，设置密码后即可登录")
                                     if approved.account_created else
                                     _("已通过，申请人会收到短信通知，登录其账号后即可上岗准备"))
                elif data["decision"] == "more":
                    services.application_request_more(actor=request.user, application_id=pk, note=data["note"])
                    messages.success(request, _("已请申请人补充材料"))
                else:
                    services.application_reject(actor=request.user, application_id=pk, reason=data["note"])
                    messages.success(request, _("已记录不通过及原因"))
            except ValidationError as error:
                apply_service_errors(decision_form, error)
            else:
                return redirect("volunteers:application_detail", pk=pk)
    certificates = list(application.certificates.select_related("checked_by"))
    for certificate in certificates:
        certificate.form = check_forms.get(certificate.pk) or CertificateCheckForm(
            prefix=f"c{certificate.pk}", initial={"result": certificate.check_status, "note": certificate.check_note}
            if certificate.check_status != CertificateCheck.PENDING else None)
    return render(request, "volunteers/application_detail.html", {
        "application": application, "certificates": certificates, "decision_form": decision_form,
        "protected": _reveal_rows(application), "reveal_form": RevealForm(),
        "is_open": application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO),
        "crumbs": [(_("志愿者报名"), reverse("volunteers:application_list"))],
    })


@page()
def certificate_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A certificate's file, for its reviewers and its own volunteer only; never cached, never guessed by type."""
    certificate = selectors.access_certificate(actor=request.user, id=pk)
    try:
        handle = certificate.file.open("rb")
    except FileNotFoundError as exc:
        raise ObjectNotFound() from exc
    response = FileResponse(handle, content_type=certificate.content_type)
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(certificate.content_type, "bin")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'self'; sandbox"
    return response


@page("volunteers.review")
def recruitment_list(request: HttpRequest) -> HttpResponse:
    organisations = services.reviewable_organisations(request.user)
    form = RecruitmentForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and request.POST.get("action") == "create" and form.is_valid():
        try:
            services.recruitment_create(actor=request.user, organisation_id=form.cleaned_data["organisation"].pk,
                                        title=form.cleaned_data["title"], intro=form.cleaned_data["intro"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已生成报名链接，可复制发给报名者"))
            return redirect("volunteers:recruitment_list")
    rows = list(selectors.recruitment_list(actor=request.user))
    for row in rows:
        row.link = request.build_absolute_uri(reverse("volunteers:apply", args=[row.token]))
    return render(request, "volunteers/recruitment_list.html", {"rows": rows, "form": form})


@require_POST
@page("volunteers.review")
def recruitment_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    services.recruitment_set_open(actor=request.user, recruitment_id=pk, is_open=request.POST.get("open") == "1")
    messages.success(request, _("已更新"))
    return redirect("volunteers:recruitment_list")


# ---------------------------------------------------------------------------------------------------------
# The volunteer's own checklist, training and agreement
# ---------------------------------------------------------------------------------------------------------


@page()
def my_volunteering(request: HttpRequest) -> HttpResponse:
    """What stands between the volunteer and duty: approval, each training, the agreement."""
    return render(request, "volunteers/me.html", {
        "progress": selectors.volunteer_progress(user=request.user),
        "applications": selectors.own_applications(user=request.user),
    })


@page()
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    module = selectors.access_training(actor=request.user, id=pk)
    form = TrainingCompleteForm(request.POST or None, quiz=module.quiz)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_complete(actor=request.user, module_id=module.pk, confirmed=form.cleaned_data["confirmed"],
                                       answers=form.answers())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已完成培训：%(title)s") % {"title": module.title})
            return redirect("volunteers:me")
    done = module.completions.filter(user=request.user, version=module.version).exists()
    return render(request, "volunteers/training_detail.html", {"module": module, "form": form, "done": done})


def _signable(request: HttpRequest, organisation_id: int):
    """The organisation a volunteer signs for, and the agreement in force there; 404 if not theirs."""
    progress = [p for p in selectors.volunteer_progress(user=request.user) if p.organisation.pk == organisation_id]
    if not progress:
        raise ObjectNotFound()
    return progress[0]


@page()
def agreement_sign(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Tool 2 on the phone: read the text in force, type the name, draw the signature."""
    progress = _signable(request, organisation_id)
    agreement = progress.agreement
    if agreement is None:
        raise ObjectNotFound()
    form = AgreementSignForm(request.POST or None, initial={
        "organisation": organisation_id, "agreement": agreement.pk, "signer_name": request.user.display_name})
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_sign(actor=request.user, organisation_id=organisation_id,
                                    agreement_id=form.cleaned_data["agreement"],
                                    signer_name=form.cleaned_data["signer_name"],
                                    signature_data_url=form.cleaned_data["signature"], ip=client_ip(request))
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"signature": "signer_name"})
        else:
            messages.success(request, _("已签署《%(title)s》第%(v)d版") % {"title": agreement.title, "v": agreement.version})
            return redirect("volunteers:me")
    return render(request, "volunteers/agreement_sign.html", {
        "progress": progress, "agreement": agreement, "form": form, "organisation": progress.organisation,
    })


@page()
def signature_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed agreement, printable on A4: the text, both parties, the drawn signature, the fingerprint."""
    signature = (selectors.AgreementSignature.objects.for_actor(request.user, "view")
                 .select_related("agreement", "organisation", "user").filter(pk=pk).first())
    if signature is None:
        raise ObjectNotFound()
    application = (selectors.VolunteerApplication.objects.filter(user=signature.user_id,
                                                                 organisation_id=signature.organisation_id)
                   .order_by("-created_at").first())
    return render(request, "volunteers/signature_detail.html", {"signature": signature, "application": application})


@page()
def signature_image(request: HttpRequest, pk: int) -> HttpResponse:
    signature = (selectors.AgreementSignature.objects.for_actor(request.user, "view").filter(pk=pk).first())
    if signature is None:
        raise ObjectNotFound()
    response = HttpResponse(bytes(signature.signature_png), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------------------------------
# Managing training and agreement versions
# ---------------------------------------------------------------------------------------------------------


@page("volunteers.review")
def training_manage(request: HttpRequest) -> HttpResponse:
    return render(request, "volunteers/training_manage.html", {
        "modules": selectors.training_list(actor=request.user),
        "signatures": selectors.signature_list(actor=request.user)[:50],
    })


@page("volunteers.review")
def training_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    organisations = services.reviewable_organisations(request.user)
    module = None
    initial = {}
    if pk is not None:
        module = selectors.TrainingModule.objects.for_actor(request.user, "change").filter(pk=pk).first()
        if module is None:
            raise ObjectNotFound()
        initial = {"organisation": module.organisation_id, "role": module.role, "title": module.title,
                   "body": module.body, "quiz_text": quiz_as_text(module.quiz), "is_active": module.is_active}
    form = TrainingModuleForm(request.POST or None, organisations=organisations, initial=initial or {"is_active": True})
    if request.method == "POST" and form.is_valid():
        from .rules import parse_quiz_text

        data = form.cleaned_data
        try:
            saved = services.training_module_save(
                actor=request.user, module_id=pk, organisation_id=data["organisation"].pk, role=data["role"],
                title=data["title"], body=data["body"], quiz=parse_quiz_text(data["quiz_text"]),
                is_active=data["is_active"])
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"quiz": "quiz_text"})
        else:
            messages.success(request, _("已保存（第%(v)d版）") % {"v": saved.version})
            return redirect("volunteers:training_manage")
    return render(request, "volunteers/training_edit.html", {"form": form, "module": module})


@page("volunteers.agreement_publish")
def agreement_publish(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    organisations = Organisation.objects.filter(pk__in=scope.organisation_ids_for("users.manage")).order_by("name")
    first = organisations.first()
    current = services.current_agreements([first.pk]).get(first.pk) if first else None
    form = AgreementPublishForm(request.POST or None, organisations=organisations, initial={
        "organisation": first.pk if first else None, "title": current.title if current else "",
        "body": current.body if current else ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.agreement_publish(actor=request.user, organisation_id=data["organisation"].pk,
                                                 title=data["title"], body=data["body"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已发布第%(v)d版，本机构志愿者需重新签署") % {"v": version.version})
            return redirect("volunteers:training_manage")
    return render(request, "volunteers/agreement_publish.html", {"form": form, "current": current})


def _reveal_rows(application) -> list[dict]:
    masked = {"doc_number": application.doc_masked, "phone": application.phone_masked,
              "wechat_id": application.wechat_masked or "—"}
    labels = {"doc_number": application.get_doc_type_display(), "phone": _("联系电话"), "wechat_id": _("微信号")}
    return [{"field": field, "label": labels[field], "masked": masked[field],
             "placeholder": _("例如：核对证书上的姓名与证件号"),
             "url": reverse("volunteers:application_reveal", args=[application.pk, field])}
            for field in ("doc_number", "phone", "wechat_id")]


@page("volunteers.review")
@require_POST
def application_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """A reviewer sees one of the applicant's protected fields in full, after a written reason (audited)."""
    form = RevealForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    revealed = None
    try:
        revealed = services.application_reveal(actor=request.user, application_id=pk, field=field, reason=reason)
    except ValidationError as error:
        if not form.errors:
            apply_service_errors(form, error)
    row = next(r for r in _reveal_rows(selectors.access_application(actor=request.user, id=pk)) if r["field"] == field)
    response = render(request, "core/_reveal.html", {"form": form, "row": row, "revealed": revealed})
    if revealed is not None and request.headers.get("HX-Request"):
        response["HX-Retarget"] = f"#reveal-{field}"
        response["HX-Reswap"] = "innerHTML"
    add_never_cache_headers(response)
    return response
