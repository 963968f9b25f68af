"""SMS backends: a console backend for development (no gateway needed), an HTTP webhook for production, memory
for tests. Only the notify layer calls them (sanshe.core.notify.channels), except the one-time login code,
which must go out at once."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import sys
import urllib.error
import urllib.request
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from sanshe.core.pii import mask_phone

logger = logging.getLogger("sanshe.sms")


class SmsBackend(Protocol):
    def send(self, phone: str, message: str, *, reference: str = "") -> None: ...


_URL = re.compile(r"https?://[^\s/]+[^\s，。）)]*")
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,}")
_DIGITS = re.compile(r"\d{4,}")


def redact(message: str) -> str:
    """The message without its secrets: links cut to their host, long tokens and codes starred out.

    What a console or a log keeps must not let whoever reads it log in as the recipient or open their link.
    """

    def _url(match: re.Match) -> str:
        parts = urlsplit(match.group())
        return f"{parts.scheme}://{parts.netloc}/…" if (parts.path.strip("/") or parts.query) else match.group()

    message = _URL.sub(_url, message)
    message = _TOKEN.sub("…", message)
    return _DIGITS.sub(lambda m: "*" * len(m.group()), message)


class ConsoleSmsBackend:
    """Development backend: prints the message with codes and links starred out.

    On a laptop demo (DEBUG=1, or SMS_CONSOLE_SHOW_CODES=1, which `manage.py serve --demo-logins` sets)
    the console shows the message in full, so a one-time code can be typed in; the log never does.
    A production deployment may not use this backend (`check --deploy` fails, sanshe.core.checks).
    """

    def send(self, phone: str, message: str, *, reference: str = "") -> None:
        masked = f"[SMS to {mask_phone(phone)}] {redact(message)}"
        logger.warning(masked)
        show = getattr(settings, "SMS_CONSOLE_SHOW_CODES", False)
        print(f"[SMS to {mask_phone(phone)}] {message}" if show else masked, file=sys.stderr, flush=True)


class HttpSmsBackend:
    """Posts each message as JSON `{"phone": …, "message": …, "reference": …}` to SMS_WEBHOOK_URL (an SMS
    gateway or relay).

    `SMS_WEBHOOK_TOKEN`, when set, is sent as `Authorization: Bearer …`. Any answer other than 2xx, or no
    answer within SMS_WEBHOOK_TIMEOUT seconds, raises SmsError so the caller's task can retry or report it.

    Status reports: `reference` names the delivery record (the notify layer's); when SMS_STATUS_SECRET is set,
    the gateway reports the text's fate to POST /notifications/sms/status/ (`status_url` in the body when
    SITE_URL is set) as JSON `{"reference": …, "status": "delivered"|"failed", "error": …}` with the header
    `X-Sanshe-Signature: sha256=<hex HMAC-SHA256 of the raw body under SMS_STATUS_SECRET>`
    (sanshe.core.notify.views.sms_status), which marks the delivery delivered or failed.
    """

    def send(self, phone: str, message: str, *, reference: str = "") -> None:
        url = getattr(settings, "SMS_WEBHOOK_URL", "")
        if not url:
            raise SmsError("SMS_WEBHOOK_URL is not set")
        payload = {"phone": phone, "message": message}
        if reference:
            payload["reference"] = reference
            site = getattr(settings, "SITE_URL", "").rstrip("/")
            if site and getattr(settings, "SMS_STATUS_SECRET", ""):
                payload["status_url"] = f"{site}/notifications/sms/status/"
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        token = getattr(settings, "SMS_WEBHOOK_TOKEN", "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=getattr(settings, "SMS_WEBHOOK_TIMEOUT", 10)) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SmsError(f"SMS gateway answered {exc.code} for {mask_phone(phone)}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise SmsError(f"SMS gateway unreachable for {mask_phone(phone)}: {exc.__class__.__name__}") from None
        if not 200 <= status < 300:
            raise SmsError(f"SMS gateway answered {status} for {mask_phone(phone)}")


class SmsError(RuntimeError):
    """The message could not be handed to the gateway."""


class MemorySmsBackend:
    """Keeps messages in memory (tests, and a browser demo that reads the outbox)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, message: str, *, reference: str = "") -> None:
        self.outbox.append((phone, message))


def get_sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


SIGNATURE_HEADER = "X-Sanshe-Signature"


def status_signature(body: bytes, secret: str) -> str:
    """The signature a gateway puts in X-Sanshe-Signature for a status report's raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def status_signature_valid(body: bytes, header: str | None) -> bool:
    """Whether a status report is signed with SMS_STATUS_SECRET (never true while no secret is set)."""
    secret = getattr(settings, "SMS_STATUS_SECRET", "")
    return bool(secret and header) and hmac.compare_digest(status_signature(body, secret), header.strip())
