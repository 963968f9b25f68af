"""A `next` parameter only ever sends the browser back into this site; bench views stay off in production."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from sanshe.core.checks import bench_views_allowed, check_bench_views
from sanshe.core.redirects import safe_next
from sanshe.groups import services as group_services
from tests.groups.conftest import focus, on_duty  # noqa: F401  (group fixtures)

OFFSITE = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "javascript:alert(1)",
           "http:/\\evil.example"]


@pytest.mark.parametrize("target", OFFSITE)
def test_offsite_next_falls_back_to_the_default(target):
    request = RequestFactory().post("/x/", {"next": target})
    assert safe_next(request, "/home/") == "/home/"


def test_a_local_next_is_kept():
    request = RequestFactory().get("/x/", {"next": "/groups/3/?tab=duty"})
    assert safe_next(request, "/home/") == "/groups/3/?tab=duty"


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/"])
def test_moderation_action_does_not_redirect_offsite(client, on_duty, resident, social_worker, target):  # noqa: F811
    held = group_services.message_send(actor=resident, group=on_duty, body="转发保平安，不转倒霉").message
    client.force_login(social_worker)
    response = client.post(reverse("groups:message_action", args=[on_duty.pk, held.pk, "approve"]),
                           {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:moderation", args=[on_duty.pk])


def test_bench_views_cannot_be_mounted_behind_https(settings, monkeypatch):
    from sanshe.monitoring import bench_views

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.HTTPS = False
    settings.BEHIND_PROXY = False
    assert bench_views_allowed()  # `make bench` on a laptop
    assert [p.name for p in bench_views.bench_urlpatterns()] == ["bench_json", "bench_insert"]

    settings.HTTPS = True
    with pytest.raises(ImproperlyConfigured, match="SANSHE_BENCH_VIEWS"):
        bench_views.bench_urlpatterns()
    monkeypatch.setenv("SANSHE_BENCH_VIEWS", "1")
    assert [e.id for e in check_bench_views()] == ["sanshe.E004"]

    settings.HTTPS = False
    settings.ALLOWED_HOSTS = ["sanshe.example.org"]
    assert not bench_views_allowed()
