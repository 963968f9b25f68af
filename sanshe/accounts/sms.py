"""Pluggable SMS sending. The default writes to the server log and console, so a demo needs no gateway."""

from __future__ import annotations

import logging
import sys
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from sanshe.core.pii import mask_phone

logger = logging.getLogger("sanshe.sms")


class SmsBackend(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class ConsoleSmsBackend:
    """Development backend: prints the message (the only place the code ever appears in clear)."""

    def send(self, phone: str, message: str) -> None:
        line = f"[SMS to {mask_phone(phone)}] {message}"
        logger.warning(line)
        print(line, file=sys.stderr, flush=True)


class MemorySmsBackend:
    """Keeps messages in memory (tests, and a browser demo that reads the outbox)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        self.outbox.append((phone, message))


def get_sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
