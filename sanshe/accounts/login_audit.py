"""Login outcomes go to the audit log (Django's auth signals and axes' lockout signal are where they are known).

Recording only: no domain logic here. The attempted identifier is kept as the account's username (or,
for a phone number that matches no account, a masked token), never a password and never a clear phone.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from sanshe.core.audit import audit_record
from sanshe.core.models import AuditOutcome


def _account(label: str):
    """The account an identifier names, if any, so its organisation's admins see the event."""
    from .models import User

    return User.objects.filter(username=label).first() if label else None


def _organisation_id(user) -> int | None:
    from .policies import primary_organisation_id

    return primary_organisation_id(user) if user is not None else None


@receiver(user_logged_in)
def _login_succeeded(sender, request, user, **kwargs) -> None:
    method = getattr(request, "sanshe_login_method", "password")
    audit_record(actor=user, action="login.success", obj=user, detail={"method": method})


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    from .lockout import axes_username, login_identifier

    raw = str(credentials.get("username", "") or "")
    label = axes_username(request, credentials) if request is not None else login_identifier(raw)
    account = _account(label)
    audit_record(actor=None, action="login.failure", obj=account, outcome=AuditOutcome.FAILURE,
                 actor_label=label[:150], organisation_id=_organisation_id(account))


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    label = str(username or "")
    account = _account(label)
    audit_record(actor=None, action="login.lockout", obj=account, outcome=AuditOutcome.DENIED,
                 actor_label=label[:150], organisation_id=_organisation_id(account))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action="logout")
