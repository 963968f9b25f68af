"""Pages of the notify layer: my notifications (and their unread badge, settings), the admins' delivery log;
the SMS gateway's status reports."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.gate import page

from . import selectors, services, sms
from .models import Channel, DeliveryStatus, NotificationPreference


class PreferenceForm(forms.Form):
    sms = forms.BooleanField(label=gettext_lazy("短信通知"), required=False)
    wecom = forms.BooleanField(label=gettext_lazy("企业微信通知"), required=False)
    wecom_userid = forms.CharField(label=gettext_lazy("企业微信账号"), required=False, max_length=64)
    chat_mentions = forms.BooleanField(label=gettext_lazy("群聊中有人@我时通知"), required=False)
    quiet_start = forms.TimeField(label=gettext_lazy("免打扰开始"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(label=gettext_lazy("免打扰结束"), required=False,
                                widget=forms.TimeInput(attrs={"type": "time"}))


@page()
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """My notifications, newest first, unread ones marked."""
    rows = selectors.notification_list(actor=request.user)
    return render(request, "notify/notification_list.html", {
        "notifications": rows, "unread": selectors.unread_count(actor=request.user),
        "can_view_deliveries": selectors.can_view_deliveries(request.user)})


@page()
@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The header's unread count (loaded by htmx after the page, so no page pays for the count)."""
    return render(request, "notify/_badge.html", {"unread": selectors.unread_count(actor=request.user)})


@page()
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read, then go where the notification points (a page of this site only)."""
    notification = services.notification_mark_read(actor=request.user, notification_id=notification_id)
    target = notification.url if notification.url.startswith("/") and not notification.url.startswith("//") \
        else None
    return redirect(target or "notify:list")


@page()
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(actor=request.user)
    return redirect("notify:list")


@page()
@require_http_methods(["GET", "POST"])
def preference_edit(request: HttpRequest) -> HttpResponse:
    """My channels and quiet hours."""
    current = NotificationPreference.objects.filter(user=request.user).first() or NotificationPreference()
    form = PreferenceForm(request.POST or None, initial={
        "sms": current.sms, "wecom": current.wecom, "wecom_userid": current.wecom_userid,
        "chat_mentions": current.chat_mentions,
        "quiet_start": current.quiet_start, "quiet_end": current.quiet_end})
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_save(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("通知设置已保存"))
            return redirect("notify:list")
    return render(request, "notify/preference_form.html", {"form": form})


@page()
@require_GET
def delivery_list(request: HttpRequest) -> HttpResponse:
    """The delivery log: every notification on every channel with its status (superusers, org admins)."""
    if not selectors.can_view_deliveries(request.user):
        raise ActionForbidden("audit.view")  # 403, audited by the middleware, as the audit log answers
    channel = request.GET.get("channel", "")
    status = request.GET.get("status", "")
    filters = selectors.DeliveryFilters(
        channel=channel if channel in Channel.values else "",
        status=status if status in DeliveryStatus.values else "",
        kind=request.GET.get("kind", "").strip()[:64])
    return render(request, "notify/delivery_list.html", {
        "deliveries": selectors.delivery_list(actor=request.user, filters=filters), "filters": filters,
        "channels": Channel.choices, "statuses": DeliveryStatus.choices})


@csrf_exempt  # a server-to-server call, authenticated by its signature instead of a session
@page(login=False)
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    """The SMS gateway's status report for one text (sanshe.core.notify.sms.HttpSmsBackend describes it).

    404 while no SMS_STATUS_SECRET is configured and for a reference that is not one of our sent texts; 403 for
    a missing or wrong signature; 400 for a body that is not a report. Repeating a report changes nothing.
    """
    if not getattr(settings, "SMS_STATUS_SECRET", ""):
        raise Http404()
    if not sms.status_signature_valid(request.body, request.headers.get(sms.SIGNATURE_HEADER)):
        return HttpResponseForbidden("bad signature", content_type="text/plain")
    try:
        report = json.loads(request.body.decode())
        reference, status = str(report["reference"]), str(report["status"])
        error = str(report.get("error") or "")
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse({"error": "not a status report"}, status=400)
    try:
        changed = services.sms_status_report(reference=reference, status=status, error=error)
    except ObjectNotFound:
        raise Http404() from None
    except ValidationError:
        return JsonResponse({"error": "unknown status"}, status=400)
    return JsonResponse({"ok": True, "changed": changed})
