"""Login lockout (django-axes) keyed by account, and the login identifier the audit log may keep.

Staff may type their username or their phone number. Both must count against the same account, or
an attacker would get 5 tries per spelling; and a phone number must never land in axes' tables or the
audit log in clear. `login_identifier` turns whatever was typed into the account's username, or —
for an identifier that matches no account — into something that carries no personal data.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from sanshe.core.identity import IdentityError, normalize_phone
from sanshe.core.pii import blind_index, mask_phone

_CACHE_ATTR = "_sanshe_login_identifiers"


def login_identifier(raw: str | None) -> str:
    """The account username for a typed username or phone; a masked, keyed token for an unknown phone."""
    from .models import User

    typed = (raw or "").strip()[:150]
    if not typed:
        return ""
    if User.objects.filter(username=typed).exists():
        return typed
    try:
        phone = normalize_phone(typed)
    except IdentityError:
        return typed
    index = blind_index("phone", phone)
    username = User.objects.filter(phone_index=index).values_list("username", flat=True).first()
    if username:
        return username
    # '#' is not allowed in usernames, so this can never collide with a real account.
    return f"{mask_phone(phone)}#{index[:10]}"


def axes_username(request, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: lock the account, whichever identifier was typed (cached per request)."""
    if credentials and credentials.get("username") is not None:
        raw = str(credentials["username"])
    else:
        raw = str(getattr(request, "POST", {}).get("username", "") or "")
    cache = getattr(request, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        try:
            setattr(request, _CACHE_ATTR, cache)
        except AttributeError:  # a request stand-in that takes no attributes: just don't cache
            pass
    if raw not in cache:
        cache[raw] = login_identifier(raw)
    return cache[raw]


def cool_off() -> timedelta:
    """How long a locked account stays locked (AXES_COOLOFF_TIME is in hours)."""
    return timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def lockout_minutes() -> int:
    return int(cool_off().total_seconds() // 60)


def locked_usernames(usernames: list[str] | set[str]) -> set[str]:
    """Which of these accounts are locked out now (one query for a whole page of users)."""
    from axes.models import AccessAttempt

    if not usernames:
        return set()
    rows = (
        AccessAttempt.objects.filter(username__in=list(usernames), attempt_time__gte=timezone.now() - cool_off())
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
    )
    return {row["username"] for row in rows if row["failures"] >= settings.AXES_FAILURE_LIMIT}


def is_locked(username: str) -> bool:
    return username in locked_usernames([username])


def unlock(username: str) -> int:
    """Forget the account's failed attempts; returns how many attempt records were removed."""
    from axes.utils import reset

    return reset(username=username)


def ip_throttle_wait(ip: str | None) -> int:
    """Minutes this address must wait before it may try to log in again; 0 if it may try now.

    Per-account lockout alone lets one address try 4 passwords on every account, or lock out the
    responders of a whole community on purpose. So an address with LOGIN_IP_FAILURE_LIMIT failed logins
    (any accounts) within LOGIN_IP_WINDOW_MINUTES may not try at all until the oldest of them leaves the
    window. The accounts themselves stay unlocked: refused tries are never checked against a password.
    """
    from sanshe.core.models import AuditEvent

    limit = int(settings.LOGIN_IP_FAILURE_LIMIT)
    if not ip or limit <= 0:
        return 0
    window = timedelta(minutes=float(settings.LOGIN_IP_WINDOW_MINUTES))
    now = timezone.now()
    recent = list(
        AuditEvent.objects.filter(action="login.failure", ip=ip, created_at__gte=now - window)
        .order_by("-created_at").values_list("created_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return 0
    # The limit-th most recent failure leaving the window brings the count below the limit again.
    return max(1, math.ceil((recent[-1] + window - now).total_seconds() / 60))
