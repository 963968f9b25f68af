"""Login outcomes go to the audit log (Django's auth signals are the only place they are known)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .models import AuditOutcome


@receiver(user_logged_in)
def _login_succeeded(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="login.success", obj=None)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted username is kept (it is needed to spot attacks); the password never is.
    label = str(credentials.get("username", ""))[:150]
    audit_record(actor=None, action="login.failure", outcome=AuditOutcome.FAILURE, actor_label=label)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action="logout")
