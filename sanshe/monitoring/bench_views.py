"""Bare comparison views for the check-in burst benchmark (mounted only with SANSHE_BENCH_VIEWS=1).

`bare_json` answers without touching the database; `bare_insert` does the one insert a check-in must do
(a CheckIn row, encrypted like a real one) and nothing else: no auth, validation, rules, follow-up or audit.
"""

from __future__ import annotations

import json
import secrets

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sanshe.core.checks import bench_views_allowed

from .models import CheckIn, FollowUp


def bench_urlpatterns() -> list:
    """The bare views' routes; refuses to mount them where anyone but this machine could reach them."""
    if not bench_views_allowed():
        raise ImproperlyConfigured(
            "SANSHE_BENCH_VIEWS=1 is only for the benchmark on a laptop (DEBUG, or loopback-only without "
            "HTTPS/BEHIND_PROXY); unset it in a deployment.")
    return [
        path("bench/json/", bare_json, name="bench_json"),
        path("bench/insert/", bare_insert, name="bench_insert"),
    ]


def bare_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    follow_up = FollowUp(pk=int(request.GET["f"]), person_id=int(request.GET["p"]))
    check_in = CheckIn.objects.create(
        person_id=follow_up.person_id, follow_up_id=follow_up.pk, community_id=int(request.GET["c"]),
        building_id=int(request.GET["b"]), source="link", submitted_at=timezone.now(),
        idempotency_key=secrets.token_urlsafe(18),
        observation=json.dumps({"temperature_c": 36.6, "symptoms": [], "flags": []}))
    return JsonResponse({"ok": True, "id": check_in.pk})
