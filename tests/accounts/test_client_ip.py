"""The client IP behind the reverse proxy: only the hops the configured proxies appended are believed."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from sanshe.accounts.models import OneTimeCode
from sanshe.core.context import client_ip
from sanshe.core.models import AuditEvent

from .conftest import login_post

PROXY = "127.0.0.1"
CLIENT = "203.0.113.7"


def _request(forwarded_for: str | None, remote: str = PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


def test_behind_one_proxy_the_right_most_hop_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # nginx's $proxy_add_x_forwarded_for appends what it saw to whatever the client sent.
    assert client_ip(_request(f"6.6.6.6, {CLIENT}")) == CLIENT
    assert client_ip(_request(CLIENT)) == CLIENT
    assert client_ip(_request(None)) == PROXY


def test_two_proxies_take_the_second_hop_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(f"6.6.6.6, {CLIENT}, 10.0.0.2")) == CLIENT


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(f"6.6.6.6, {CLIENT}", remote="198.51.100.9")) == "198.51.100.9"


def _ask_code(client, phone: str, spoof: str):
    return client.post(reverse("accounts:otp_login"), {"phone": phone, "action": "send"},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{spoof}, {CLIENT}")


def test_spoofed_left_most_forwarded_for_neither_moves_the_audit_ip_nor_escapes_the_otp_ip_limit(
        client, settings, sms, db):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.OTP_MAX_PER_IP_PER_HOUR = 2
    phones = ["13700001111", "13700002222", "13700003333"]
    for n, phone in enumerate(phones[:2]):
        assert _ask_code(client, phone, spoof=f"6.6.6.{n}").status_code == 200
    assert set(OneTimeCode.objects.values_list("ip", flat=True)) == {CLIENT}
    assert set(AuditEvent.objects.filter(action="otp.request").values_list("ip", flat=True)) == {CLIENT}

    response = _ask_code(client, phones[2], spoof="6.6.6.99")
    assert "请求过于频繁" in response.content.decode()
    assert OneTimeCode.objects.count() == 2
    denied = AuditEvent.objects.get(action="otp.request", outcome="denied")
    assert denied.ip == CLIENT and denied.detail["error"] == "ip_rate_limit"


@pytest.mark.django_db
def test_axes_records_the_same_client_ip(client, settings, social_worker):
    settings.TRUSTED_PROXY_COUNT = 1
    login_post(client, "social_worker", "Wrong-Pass-2020!", REMOTE_ADDR=PROXY,
               HTTP_X_FORWARDED_FOR=f"6.6.6.6, {CLIENT}")
    assert AccessAttempt.objects.get().ip_address == CLIENT
    assert AuditEvent.objects.get(action="login.failure").ip == CLIENT
