"""Home pages (工作台) per role, the audit log page, health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from sanshe.accounts.policies import scope_for

from . import gate, selectors
from .features import home_panels
from .forms import AuditFilterForm
from .pages import int_param


@gate.page()
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own 工作台."""
    scope = scope_for(request.user)
    role = selectors.home_role_for(request.user, scope.home_role)
    context = selectors.home_context(actor=request.user, role=role)
    context["feature_panels"] = home_panels(request=request, role=role)
    return render(request, f"core/home_{role}.html", context)


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
