"""Home pages (工作台) per role, health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from sanshe.accounts.policies import scope_for

from . import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own 工作台."""
    scope = scope_for(request.user)
    role = scope.home_role or "none"
    context = selectors.home_context(actor=request.user, role=role)
    return render(request, f"core/home_{role}.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
