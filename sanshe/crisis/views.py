"""Crisis pages: phone-first, big and simple."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


def crisis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    crisis = selectors.access_crisis(actor=request.user, id=pk)
    return render(request, "crisis/crisis_detail.html", {"crisis": crisis})
