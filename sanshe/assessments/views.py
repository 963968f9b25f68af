"""Pages: give a scale, send a self-fill link, the client's own page, triage and its decision, placement."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanshe.cases.models import ReferralUrgency
from sanshe.cases.selectors import access_case
from sanshe.core.errors import ObjectNotFound
from sanshe.core.gate import page
from sanshe.groups.duty import COVER_HOURS
from sanshe.rules.triage import TIER_LABELS

from . import scales, selectors, services
from .models import AdministrationStatus, ScaleCode

SELF_FILL_DONE = "assessments:self_fill_done"


def case_url(case_id: int) -> str:
    """The case page (sanshe.cases) when it exists, else this feature's own page for the case."""
    try:
        return reverse("cases:case_detail", args=[case_id])
    except NoReverseMatch:
        return reverse("assessments:case", args=[case_id])


def _scale(code: str) -> str:
    if code not in ScaleCode.values:
        raise ObjectNotFound()
    return code


def question_rows(code: str, data: Any) -> list[dict[str, Any]]:
    """The questions with what was already chosen or typed (after a refused submit, nothing is lost)."""
    rows = []
    for q in scales.questions(code):
        if q.kind == "checks":
            chosen = set(data.getlist(q.name)) if hasattr(data, "getlist") else set()
        else:
            chosen = {(data.get(q.name) or "").strip()} if data else set()
        rows.append({
            "q": q,
            "value": (data.get(q.name) or "") if data and q.kind == "number" else "",
            "choices": [{"value": value, "label": label, "checked": str(value) in chosen} for value, label in q.choices],
        })
    return rows


def _crumbs(case) -> list[tuple[str, str]]:
    return [(case.number, case_url(case.pk))]


@page("cases.manage")
@require_GET
def case_assessments(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case's assessments, triage and placement on one page (also a section of the case page)."""
    case = access_case(actor=request.user, id=case_id)
    return render(request, "assessments/case_assessments.html", {
        "case": case, **selectors.case_overview(actor=request.user, case=case),
        "crumbs": [(case.number, case_url(case.pk))] if case_url(case.pk) != request.path else [],
    })


@page("cases.manage")
@require_http_methods(["GET", "POST"])
def scale_give(request: HttpRequest, case_id: int, scale: str) -> HttpResponse:
    """A worker fills the scale in while talking to the client; scores appear as answers come in."""
    scale = _scale(scale)
    case = access_case(actor=request.user, id=case_id, action="change")
    error = ""
    status = 200
    if request.method == "POST":
        try:
            services.administration_give(actor=request.user, case_id=case.pk, scale=scale, data=request.POST)
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        else:
            messages.success(request, _("已保存%(scale)s") % {"scale": ScaleCode(scale).label})
            if scale == ScaleCode.PHQ9 and request.POST.get("then") == "cssrs":
                # Item 9 was positive: the worker goes straight on to the suicide-risk screen.
                return redirect("assessments:give", case_id=case.pk, scale=ScaleCode.CSSRS)
            return redirect(case_url(case.pk))
    data = request.POST if request.method == "POST" else None
    return render(request, "assessments/scale_form.html", {
        "case": case, "scale": scale, "title": scales.scale_title(scale),
        "instruction": scales.scale_instruction(scale), "rows": question_rows(scale, data), "error": error,
        "live": scales.live(scale, data) if data else None, "staff": True, "crumbs": _crumbs(case),
        "action": request.path, "live_url": reverse("assessments:live", args=[case.pk, scale]),
    }, status=status)


@page("cases.manage")
@require_POST
def scale_live(request: HttpRequest, case_id: int, scale: str) -> HttpResponse:
    """The running score of the answers so far (an htmx fragment); scoring stays in Python."""
    scale = _scale(scale)
    access_case(actor=request.user, id=case_id, action="change")
    return render(request, "assessments/_live.html", {"scale": scale, "live": scales.live(scale, request.POST)})


@page("cases.manage")
@require_POST
def link_send(request: HttpRequest, case_id: int) -> HttpResponse:
    """Make a single-use self-fill link and show it once, to copy into a message to the client."""
    case = access_case(actor=request.user, id=case_id, action="change")
    scale = request.POST.get("scale", "")
    days_raw = request.POST.get("days", "") or str(services.LINK_DAYS_DEFAULT)
    try:
        days = int(days_raw) if days_raw.isdigit() else -1
        administration, token = services.administration_link_send(actor=request.user, case_id=case.pk,
                                                                   scale=scale, days=days)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(case_url(case.pk))
    url = request.build_absolute_uri(reverse("assessments:self_fill", args=[token]))
    return render(request, "assessments/link_sent.html", {
        "case": case, "administration": administration, "url": url, "crumbs": _crumbs(case),
        "back": case_url(case.pk),
    })


@page("cases.manage")
@require_POST
def link_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    administration = selectors.access_administration(actor=request.user, id=pk, action="change")
    try:
        services.administration_cancel(actor=request.user, administration_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("链接已作废"))
    return redirect(case_url(administration.case_id))


@page("cases.manage")
@require_GET
def administration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One administration's answers and result."""
    administration = selectors.access_administration(actor=request.user, id=pk)
    if administration.status == AdministrationStatus.COMPLETED:
        services.administration_read_audit(actor=request.user, administration=administration)
    answers = administration.answers or {}
    rows = []
    if administration.status == AdministrationStatus.COMPLETED:
        for q in scales.questions(administration.scale):
            if administration.scale in scales.LIKERT:
                raw = answers.get("answers", [])[q.number - 1]
                shown = next((str(label) for value, label in q.choices if value == str(raw)), str(raw))
                rows.append((q.text, f"{shown}（{raw}）"))
                continue
            raw = answers.get(q.name)
            if raw is None:
                rows.append((q.text, _("未问（按跳题规则）") if administration.scale == ScaleCode.CSSRS else "—"))
            elif isinstance(raw, bool):
                rows.append((q.text, _("是") if raw else _("否")))
            elif isinstance(raw, list):
                labels = dict(q.choices)
                rows.append((q.text, "、".join(str(labels.get(v, v)) for v in raw)))
            else:
                labels = dict(q.choices)
                rows.append((q.text, f"{labels.get(raw, raw)}{q.unit}"))
    return render(request, "assessments/administration_detail.html", {
        "administration": administration, "case": administration.case, "rows": rows,
        "summary": selectors.result_summary(administration.scale, administration.result)
        if administration.status == AdministrationStatus.COMPLETED else None,
        "title": scales.scale_title(administration.scale), "crumbs": _crumbs(administration.case),
    })


@page("cases.manage")
@require_POST
def triage_run(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(actor=request.user, id=case_id, action="change")
    try:
        decision = services.triage_run(actor=request.user, case_id=case.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(case_url(case.pk))
    return redirect("assessments:decision", pk=decision.pk)


@page("cases.manage")
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.access_decision(actor=request.user, id=pk)
    return _decision_page(request, decision)


def _decision_page(request: HttpRequest, decision, *, errors: dict | None = None, status: int = 200,
                   form: dict | None = None) -> HttpResponse:
    return render(request, "assessments/decision_detail.html", {
        "case": decision.case, **selectors.decision_view(decision), "errors": errors or {}, "form": form or {},
        "tiers": [(t, str(label)) for t, label in TIER_LABELS.items()],
        "urgencies": ReferralUrgency.choices, "crumbs": _crumbs(decision.case),
    }, status=status)


@page("cases.manage")
@require_POST
def decision_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept, or override with a written reason; then show where the client was placed."""
    decision = selectors.access_decision(actor=request.user, id=pk, action="change")
    accept = request.POST.get("choice") == "accept"
    tier_raw = request.POST.get("tier", "")
    form = {"tier": tier_raw, "urgency": request.POST.get("urgency", ""), "reason": request.POST.get("reason", "")}
    try:
        outcome = services.triage_decide(actor=request.user, decision_id=decision.pk, accept=accept,
                                         tier=int(tier_raw) if tier_raw.isdigit() else None,
                                         urgency=form["urgency"] or None, reason=form["reason"])
    except ValidationError as exc:
        errors = dict(exc.message_dict) if hasattr(exc, "error_dict") else {"all": exc.messages}
        if "__all__" in errors:
            errors["all"] = errors.pop("__all__")
        decision.refresh_from_db()
        return _decision_page(request, decision, errors=errors, status=400, form=form)
    done = outcome.decision
    messages.success(request, _("已确认分流：%(tier)s") % {"tier": TIER_LABELS[done.tier]})
    if outcome.crisis is not None:
        messages.warning(request, _("已启动危机处理流程，请立即跟进"))
    if outcome.placement is not None:
        placement = outcome.placement
        if placement.status == "added":
            messages.success(request, _("已将服务对象加入“%(group)s”") % {"group": placement.group.name})
        else:
            messages.info(request, _("服务对象还没有账号：已生成“%(group)s”的入群邀请链接，请发给服务对象") % {
                "group": placement.group.name})
    if outcome.placement_problem:
        messages.warning(request, outcome.placement_problem)
        return redirect("assessments:place", case_id=done.case_id)
    for note in outcome.notes:
        messages.info(request, note)
    return redirect(case_url(done.case_id))


@page("cases.manage")
@require_http_methods(["GET", "POST"])
def placement_pick(request: HttpRequest, case_id: int) -> HttpResponse:
    """Pick a focus or key group for the client (or go and create one)."""
    case = access_case(actor=request.user, id=case_id, action="change")
    error, suggestion, counsellor, chosen = "", None, None, ""
    if request.method == "POST":
        group_raw = chosen = request.POST.get("group", "")
        try:
            if not group_raw.isdigit():
                raise ValidationError({"group": _("请选择一个群")})
            placement = services.placement_create(actor=request.user, case_id=case.pk, group_id=int(group_raw))
        except services.NoDutyCover as exc:
            error, suggestion, counsellor = " ".join(exc.messages), exc.suggestion, exc.counsellor
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if placement.status == "added":
                messages.success(request, _("已将服务对象加入“%(group)s”") % {"group": placement.group.name})
            else:
                messages.info(request, _("已生成“%(group)s”的入群邀请链接，请发给服务对象") % {"group": placement.group.name})
            return redirect(case_url(case.pk))
    decision = selectors.latest_decision(case=case)
    tier = decision.tier if decision and decision.is_decided and decision.tier in (2, 3) else 2
    options = []
    now = timezone.now()
    for t in (tier, 5 - tier):  # the decided tier first, then the other consultation tier
        for group in services.groups_for_placement(actor=request.user, case=case, tier=t, with_room_only=False):
            group.has_room = group.active_count < group.capacity
            group.cover_starts_at = services.group_cover_start(group, now)
            group.chosen = str(group.pk) == chosen
            options.append(group)
    if counsellor is None and not any(g.cover_starts_at and g.has_room for g in options if g.tier == tier):
        # Nobody staffs a group of the decided tier (triage sent the worker here): offer the private thread now.
        counsellor = services.placement_counsellor_on_duty(actor=request.user, case=case, now=now)
    from sanshe.groups.models import GroupTier
    from sanshe.groups.policies import creatable_tiers

    return render(request, "assessments/placement_form.html", {
        "case": case, "tier": tier, "tier_label": TIER_LABELS[tier], "groups": options, "error": error,
        "decided": bool(decision and decision.is_decided), "group_kind": GroupTier(tier).label,
        "can_create": tier in creatable_tiers(request.user), "crumbs": _crumbs(case),
        "has_account": case.person.user_id is not None, "suggestion": suggestion, "now": now,
        "counsellor_group": counsellor[0] if counsellor else None, "counsellor": counsellor[1] if counsellor else None,
        "cover_hours": COVER_HOURS,
    }, status=400 if error else 200)


@page("cases.manage")
@require_POST
def placement_thread(request: HttpRequest, case_id: int) -> HttpResponse:
    """Instead of a group nobody staffs: open a private thread between the client and the counsellor on duty."""
    case = access_case(actor=request.user, id=case_id, action="change")
    try:
        thread = services.placement_counsellor_thread(actor=request.user, case_id=case.pk)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
        return redirect("assessments:place", case.pk)
    messages.success(request, _("已开通服务对象与值班心理咨询志愿者%(name)s的私聊（在“%(group)s”），双方都已收到提醒。") % {
        "name": thread.helper.display_name or thread.helper.username, "group": thread.group.name})
    return redirect(case_url(case.pk))


# --- the client's own page (no login) -------------------------------------------------------------------------

@page(login=False, private=True)
@require_http_methods(["GET", "POST"])
def self_fill(request: HttpRequest, token: str) -> HttpResponse:
    """Only the questions: no name, no scores, nothing about the case; the same page for every bad link."""
    administration = services.link_resolve(token)
    if administration is None:
        return render(request, "assessments/self_fill_invalid.html", status=404)
    error = ""
    if request.method == "POST":
        try:
            services.administration_self_submit(token=token, data=request.POST)
        except ObjectNotFound:
            return render(request, "assessments/self_fill_invalid.html", status=404)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect(SELF_FILL_DONE)
    scale = administration.scale
    return render(request, "assessments/self_fill.html", {
        "scale": scale, "title": scales.scale_title(scale), "instruction": scales.scale_instruction(scale),
        "rows": question_rows(scale, request.POST if request.method == "POST" else None), "error": error,
        "action": request.path,
    }, status=400 if error else 200)


@page(login=False, private=True)
@require_GET
def self_fill_done(request: HttpRequest) -> HttpResponse:
    return render(request, "assessments/self_fill_done.html")
