"""Referral pages: refer someone from a record, and the social workers' inbox."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanshe.core.gate import page
from sanshe.core.pages import apply_service_errors, int_param
from sanshe.core.redirects import safe_next

from . import selectors, services
from .forms import CloseForm, ReferralForm
from .models import ReferralSource, ReferralUrgency
from .policies import can_cases
from .sources import SOURCES

# The urgency a source suggests before the referrer chooses (an emergency alert must not wait).
ALERT_URGENCY = {3: ReferralUrgency.IMMEDIATE, 2: ReferralUrgency.WITHIN_24H, 1: ReferralUrgency.ROUTINE}


def _suggested(source: str, source_id: int, actor) -> tuple[str, str]:
    """A starting reason and urgency from the source record (the referrer edits both)."""
    if source == ReferralSource.ALERT:
        from sanshe.monitoring.models import Alert
        from sanshe.monitoring.selectors import alert_title

        alert = Alert.objects.for_actor(actor, "view").filter(pk=source_id).first()
        if alert is not None:
            return _("健康预警：%(title)s。") % {"title": alert_title(alert)}, ALERT_URGENCY.get(alert.level,
                                                                                             ReferralUrgency.ROUTINE)
    if source == ReferralSource.CHECK_IN:
        return _("健康打卡中发现需要社工跟进的情况："), ReferralUrgency.WITHIN_24H
    if source == ReferralSource.SCREENING:
        return _("排查中发现："), ReferralUrgency.WITHIN_24H
    return "", ReferralUrgency.ROUTINE


def _back(request: HttpRequest) -> str:
    return safe_next(request, reverse("home:home"))


@page("cases.refer")
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest) -> HttpResponse:
    """Refer to a social worker from a screening entry, a check-in or an alert."""
    source = request.POST.get("source") or request.GET.get("source", "")
    source_id = int_param(request.POST.get("source_id") or request.GET.get("id"))
    person_id = int_param(request.POST.get("person") or request.GET.get("person"))
    if source not in SOURCES or not source_id or not person_id:
        return render(request, "cases/referral_bad_source.html", status=400)
    person = SOURCES[source](request.user, person_id, source_id)  # 404 when out of reach
    reason, urgency = _suggested(source, source_id, request.user)
    form = ReferralForm(request.POST or None, initial={"source": source, "source_id": source_id,
                                                       "person": person_id, "reason": reason,
                                                       "urgency": urgency})
    if request.method == "POST" and form.is_valid():
        try:
            referral, created = services.referral_create(
                actor=request.user, person_id=person_id, source_kind=source, source_id=source_id,
                reason=form.cleaned_data["reason"], urgency=form.cleaned_data["urgency"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if created:
                messages.success(request, _("已转介给社会工作者：%(name)s（%(urgency)s）") % {
                    "name": person.name, "urgency": referral.get_urgency_display()})
            else:
                messages.info(request, _("%(name)s已从这条记录转介过，正在等待或已由社工跟进") % {"name": person.name})
            return redirect(_back(request))
    return render(request, "cases/referral_form.html", {"form": form, "person": person, "source": source,
                                                        "source_label": ReferralSource(source).label,
                                                        "next": _back(request)})


@page("cases.inbox")
@require_GET
def referral_inbox(request: HttpRequest) -> HttpResponse:
    """New referrals, most urgent then longest waiting first; the ones I took; recently closed."""
    view = request.GET.get("view", "new")
    if view not in selectors.INBOX_VIEWS:
        view = "new"
    now = timezone.now()
    referrals = selectors.referral_inbox(actor=request.user, view=view, now=now)
    for referral in referrals:
        referral.waited_long = selectors.waited_too_long(referral, now)
    return render(request, "cases/referral_inbox.html", {
        "referrals": referrals, "view": view, "now": now, "can_manage": can_cases(request.user, "cases.manage"),
        "counts": selectors.inbox_counts(actor=request.user),
        "tabs": [("new", _("待接收")), ("mine", _("我接收的")), ("closed", _("近14天已结束"))],
    })


@page("cases.inbox")
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.access_referral(actor=request.user, id=pk)
    return render(request, "cases/referral_detail.html", {
        "referral": referral, "form": CloseForm(), "now": timezone.now(),
        "can_manage": can_cases(request.user, "cases.manage"),
        "case": selectors.case_for_referral(actor=request.user, referral=referral),
        "help_entries": selectors.help_entries(referral=referral),
        "crumbs": [(_("转介"), reverse("cases:referral_inbox"))],
    })


@page("cases.inbox")
@require_POST
def referral_take(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.referral_take(actor=request.user, referral_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已接收，请尽快联系服务对象"))
    return redirect("cases:referral_detail", pk=pk)


@page("cases.inbox")
@require_POST
def referral_close(request: HttpRequest, pk: int) -> HttpResponse:
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.referral_close(actor=request.user, referral_id=pk, note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("转介已结束"))
            return redirect("cases:referral_inbox")
    referral = selectors.access_referral(actor=request.user, id=pk)
    return render(request, "cases/referral_detail.html", {
        "referral": referral, "form": form, "now": timezone.now(),
        "can_manage": can_cases(request.user, "cases.manage"),
        "case": selectors.case_for_referral(actor=request.user, referral=referral),
        "help_entries": selectors.help_entries(referral=referral),
        "crumbs": [(_("转介"), reverse("cases:referral_inbox"))],
    }, status=400)
