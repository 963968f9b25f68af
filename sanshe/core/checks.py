"""System checks for settings that would be unsafe in production (run by `manage.py check --deploy`)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

CONSOLE_SMS_BACKENDS = {"sanshe.accounts.sms.ConsoleSmsBackend", "sanshe.accounts.sms.MemorySmsBackend",
                        "sanshe.core.notify.sms.ConsoleSmsBackend", "sanshe.core.notify.sms.MemorySmsBackend"}


def _is_demo_backend(path: str) -> bool:
    """Whether the SMS backend is (a subclass of) one that only prints or keeps messages."""
    if path in CONSOLE_SMS_BACKENDS:
        return True
    try:
        backend = import_string(path)
    except ImportError:
        return False
    return any(isinstance(backend, type) and issubclass(backend, import_string(demo))
               for demo in CONSOLE_SMS_BACKENDS)


@checks.register(checks.Tags.security, deploy=True)
def check_sms_backend(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production must text real phones, and must not write one-time codes and links to the log."""
    errors: list[checks.CheckMessage] = []
    path = settings.SMS_BACKEND
    if not settings.DEBUG and _is_demo_backend(path):
        errors.append(checks.Error(
            f"SMS_BACKEND is {path}: one-time codes and links are never texted, they only reach the server "
            "console.",
            hint="Set SMS_BACKEND to a real gateway, e.g. sanshe.accounts.sms.HttpSmsBackend with SMS_WEBHOOK_URL.",
            id="sanshe.E001",
        ))
    try:
        import_string(path)
    except ImportError:
        errors.append(checks.Error(f"SMS_BACKEND {path} cannot be imported.", id="sanshe.E002"))
    webhook = path in ("sanshe.accounts.sms.HttpSmsBackend", "sanshe.core.notify.sms.HttpSmsBackend")
    if webhook and not settings.SMS_WEBHOOK_URL:
        errors.append(checks.Error("SMS_BACKEND is the webhook backend but SMS_WEBHOOK_URL is empty.",
                                   hint="Set SMS_WEBHOOK_URL to the gateway's https:// address.", id="sanshe.E003"))
    return errors


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def bench_views_allowed() -> bool:
    """Bare benchmark views (no login, no audit) may exist only on a laptop or a test run.

    That is: DEBUG, or a server only loopback can reach (no HTTPS, no proxy, loopback ALLOWED_HOSTS).
    """
    if settings.DEBUG:
        return True
    if getattr(settings, "HTTPS", False) or getattr(settings, "BEHIND_PROXY", False):
        return False
    return bool(settings.ALLOWED_HOSTS) and set(settings.ALLOWED_HOSTS) <= LOOPBACK_HOSTS


@checks.register(checks.Tags.security, deploy=True)
def check_bench_views(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """SANSHE_BENCH_VIEWS mounts unauthenticated views that write to the database: never in production."""
    if os.environ.get("SANSHE_BENCH_VIEWS") == "1" and not bench_views_allowed():
        return [checks.Error("SANSHE_BENCH_VIEWS=1 in a deployment: the benchmark's bare views need no login.",
                             hint="Unset SANSHE_BENCH_VIEWS; it is for `make bench` on a laptop only.",
                             id="sanshe.E004")]
    return []
