"""Each role's home page (工作台): the directory's figures and every feature's panels for that role."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sanshe.core import gate
from sanshe.core.features import home_panels

from . import selectors


@gate.page()
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own 工作台."""
    scope = gate.scope_for(request.user).directory
    role = selectors.home_role_for(request.user, scope.home_role)
    context = selectors.home_context(actor=request.user, role=role)
    context["feature_panels"] = home_panels(request=request, role=role)
    return render(request, f"home/home_{role}.html", context)
