"""Pages for learning from staff: verdicts on alerts, "should have alerted" marks, the detector page and its export.
They parse input, call a service or selector, and render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanshe.core.errors import ActionForbidden
from sanshe.core.pages import apply_service_errors, int_param

from . import feedback_selectors, feedback_services
from .chat import selectors as chat_selectors
from .forms import FeedbackExportForm, MissedMarkForm
from .membership import selectors as membership_selectors
from .models import RiskFeedbackKind
from .views import member_page


@member_page
@require_POST
def alert_verdict(request: HttpRequest, alert_id: int) -> HttpResponse:
    """确有风险 / 误报 on an alert, by whoever may handle it (a later answer replaces the earlier one)."""
    back = reverse("groups:alerts") + f"#alert-{alert_id}"
    try:
        feedback = feedback_services.alert_verdict_set(actor=request.user, alert_id=alert_id,
                                                       kind=request.POST.get("kind", ""),
                                                       note=request.POST.get("note", ""))
    except ValidationError as error:
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"error": "；".join(error.messages)}, status=400)
        messages.error(request, "；".join(error.messages))
        return redirect(back)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": True, "kind": feedback.kind})
    messages.success(request, _("已标注为“%(kind)s”，谢谢：这会用于改进风险识别。") % {"kind": feedback.get_kind_display()})
    return redirect(back)


@member_page
def message_missed(request: HttpRequest, group_id: int, message_id: int) -> HttpResponse:
    """应当预警: a staff member marks a message that raised no alert, with an optional note."""
    group = membership_selectors.access_group(actor=request.user, group_id=group_id)
    message = chat_selectors.access_message(actor=request.user, message_id=message_id, group=group)
    member = membership_selectors.membership_of(group=group, user=request.user)
    if not (member is not None and member.is_staff_role) and not membership_selectors.can_manage(actor=request.user, group=group):
        raise ActionForbidden(_("只有群内工作人员可以标注“应当预警”。"))
    back = (reverse("groups:thread", args=[message.thread_id]) if message.thread_id
            else reverse("groups:chat", args=[group.pk])) + f"#m{message.pk}"
    existing = feedback_selectors.missed_mark_of(actor=request.user, message=message)
    form = MissedMarkForm(request.POST or None, initial={"note": existing.note if existing else ""})
    if request.method == "POST" and form.is_valid():
        try:
            feedback_services.message_missed_mark(actor=request.user, group_id=group.pk, message_id=message.pk,
                                                  note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已标注“应当预警”，谢谢：这会用于改进风险识别。"))
            return redirect(back)
    nicknames, _roles = chat_selectors.stream_names(group=group, user_ids={message.sender_id})
    return render(request, "groups/missed_mark.html", {
        "group": group, "message": message, "sender": nicknames.get(message.sender_id, str(message.sender or "")),
        "form": form, "existing": existing, "back": back,
        "alerted": bool(feedback_selectors.alerted_message_ids(message_ids=[message.pk])),
    })


def _detector_organisation(request: HttpRequest):
    organisations = list(feedback_selectors.detector_organisations(actor=request.user))
    if not organisations:
        raise ActionForbidden(_("只有机构管理员和社会工作者可以查看预警准确率。"))
    chosen = int_param(request.POST.get("org") or request.GET.get("org"))
    return organisations, next((o for o in organisations if o.pk == chosen), organisations[0])


def _detector_page(request: HttpRequest, organisations, organisation, form: FeedbackExportForm) -> HttpResponse:
    summary = feedback_selectors.detector_summary(actor=request.user, organisation_id=organisation.pk)
    return render(request, "groups/detector.html", {
        "organisations": organisations, "organisation": organisation, "summary": summary, "form": form,
        "kinds": RiskFeedbackKind,
    })


@member_page
def detector(request: HttpRequest) -> HttpResponse:
    """The detector page: per month, alerts raised, staff verdicts, precision and missed alerts; the export."""
    organisations, organisation = _detector_organisation(request)
    months = feedback_selectors.feedback_months(actor=request.user, organisation_id=organisation.pk)
    return _detector_page(request, organisations, organisation, FeedbackExportForm(months=months))


@member_page
@require_POST
def detector_export(request: HttpRequest) -> HttpResponse:
    """Download the labelled messages as TSV for `manage.py risk_eval` (a written reason; audited)."""
    organisations, organisation = _detector_organisation(request)
    months = feedback_selectors.feedback_months(actor=request.user, organisation_id=organisation.pk)
    form = FeedbackExportForm(request.POST, months=months)
    if form.is_valid():
        month = None
        if form.cleaned_data["month"]:
            year, number = form.cleaned_data["month"].split("-")
            month = date(int(year), int(number), 1)
        try:
            export = feedback_services.feedback_export(actor=request.user, organisation_id=organisation.pk,
                                                       month=month, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            response = HttpResponse(export.content.encode("utf-8"),
                                    content_type="text/tab-separated-values; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
            response["X-Content-Type-Options"] = "nosniff"
            return response
    response = _detector_page(request, organisations, organisation, form)
    response.status_code = 400
    return response
