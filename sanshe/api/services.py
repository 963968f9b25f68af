"""API tokens: create, revoke and authenticate. Only a SHA-256 hash of a token is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.accounts.models import ApiToken, User
from sanshe.accounts.policies import scope_for
from sanshe.core.audit import audit_record
from sanshe.core.errors import ActionForbidden, ObjectNotFound

TOKEN_PREFIX = "ssk_"
# The first characters of a token, kept in clear so a user can tell their tokens apart.
PREFIX_LENGTH = 8
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often per token, to keep writes off the request path.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(plaintext: str) -> str:
    """The stored form of a token: hex SHA-256 (tokens carry 256 random bits, so no salt is needed)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _active_tokens():
    return ApiToken.objects.filter(revoked_at__isnull=True)


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Make a new token for the actor; the plaintext is returned once and never stored."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ActionForbidden("api.token")
    if not scope_for(actor).is_staff_member:
        raise ActionForbidden("api.token")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌用途，例如“区疫情平台对接”")})
    if _active_tokens().filter(user=actor).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError({"name": _("有效令牌已达%(n)s个，请先撤销不再使用的令牌") % {"n": MAX_ACTIVE_TOKENS}})
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=actor, name=name, prefix=plaintext[:PREFIX_LENGTH], token_hash=token_hash(plaintext))
    token.full_clean()
    token.save()
    audit_record(actor=actor, action="api_token.create", obj=token, detail={"prefix": token.prefix})
    return token, plaintext


def _revocable_tokens(actor: User):
    """The actor's own tokens, and for organisation admins the tokens of their organisation's users."""
    condition = Q(user=actor)
    if scope_for(actor).can("users.manage"):
        condition |= Q(user__in=User.objects.for_actor(actor, "manage").values("pk"))
    return ApiToken.objects.filter(condition)


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke a token at once; revoking an already revoked token changes nothing."""
    if not getattr(actor, "is_authenticated", False):
        raise ActionForbidden("api.token")
    token = _revocable_tokens(actor).select_for_update().filter(pk=token_id).first()
    if token is None:
        raise ObjectNotFound()
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=actor, action="api_token.revoke", obj=token,
                 detail={"prefix": token.prefix, "owner_id": token.user_id})
    return token


def api_token_authenticate(*, plaintext: str) -> User | None:
    """The active user a presented token belongs to, or None; notes the time of use (once a minute)."""
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    token = (
        _active_tokens().select_related("user").filter(token_hash=token_hash(plaintext), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A plain UPDATE: bookkeeping, not a change anyone acts on, so it is not audited.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
