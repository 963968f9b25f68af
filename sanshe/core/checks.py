"""System checks for settings that would be unsafe in production (run by `manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

CONSOLE_SMS_BACKENDS = {"sanshe.accounts.sms.ConsoleSmsBackend", "sanshe.accounts.sms.MemorySmsBackend"}


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
    if path == "sanshe.accounts.sms.HttpSmsBackend" and not settings.SMS_WEBHOOK_URL:
        errors.append(checks.Error("SMS_BACKEND is the webhook backend but SMS_WEBHOOK_URL is empty.",
                                   hint="Set SMS_WEBHOOK_URL to the gateway's https:// address.", id="sanshe.E003"))
    return errors
