"""The audit log page and the health check (the home pages 工作台 are the shell's: sanshe.home)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import gate, selectors
from .forms import AuditFilterForm
from .pages import int_param

FILTER_KEYS = ("actor", "action", "outcome", "date_from", "date_to", "system")


@gate.page("audit.view")
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """Organisation admins search their organisation's audit log."""
    form = AuditFilterForm(request.GET)
    form.is_valid()
    values = form.cleaned_data  # the valid filters apply; an invalid one is shown with its error
    filters = selectors.AuditFilters(
        actor=values.get("actor", ""), action=values.get("action", ""), outcome=values.get("outcome", ""),
        date_from=values.get("date_from"), date_to=values.get("date_to"), show_system=bool(values.get("system")))
    page = selectors.audit_list(actor=request.user, filters=filters, before=int_param(request.GET.get("before")),
                                after=int_param(request.GET.get("after")))

    def url(**cursor) -> str:
        query = QueryDict(mutable=True)
        for key in FILTER_KEYS:
            if request.GET.get(key):
                query[key] = request.GET[key]
        query.update({k: str(v) for k, v in cursor.items()})
        return f"{reverse('core:audit_list')}?{query.urlencode()}"

    return render(request, "core/audit_list.html", {
        "form": form,
        "page": page,
        "older_url": url(before=page.older) if page.older else "",
        "newer_url": url(after=page.newer) if page.newer else "",
        "filtered": any(request.GET.get(k) for k in FILTER_KEYS),
        "show_system_url": url(system="on"),
    })


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
