"""What the groups services share: limits, the posting refusal, and small helpers (time, notices, moderation records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.accounts.roles import Role
from sanshe.core.errors import ActionForbidden

from . import events
from .membership.selectors import access_group, can_manage
from .models import (
    Blacklist,
    Group,
    MemberRole,
    Message,
    ModerationAction,
)
from .nicknames import ROLE_WORDS, suggest

MAX_BODY_CHARS = 2000
MAX_CAPACITY = 2000
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 2560
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# Imminent alerts must be acknowledged within 5 minutes; other alerts within 30, or they escalate.
IMMINENT_ACK_MINUTES = 5
# The same person's recent messages read with a new one (risk.assess_context): how far back, how many.
RISK_CONTEXT_MINUTES = 30
RISK_CONTEXT_MESSAGES = 10
ALERT_ACK_MINUTES = 30

# Which account role a member role needs (a medical volunteer's account for a medical member, ...).
ACCOUNT_ROLES: dict[str, tuple[str, ...]] = {
    MemberRole.ADMIN: (Role.SOCIAL_WORKER, Role.ORG_ADMIN, Role.COMMUNITY_WORKER),
    MemberRole.SOCIAL_WORKER: (Role.SOCIAL_WORKER,),
    MemberRole.COMMUNITY_WORKER: (Role.COMMUNITY_WORKER,),
    MemberRole.SECRETARY: (Role.GENERAL_VOLUNTEER,),
    MemberRole.MEDICAL: (Role.MEDICAL_VOLUNTEER,),
    MemberRole.PSYCHOLOGICAL: (Role.COUNSELLOR,),
}


class PostingRefused(ValidationError):
    """The member may not post now (off duty, muted, slow mode): the message says why."""


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _managed_group(*, actor, group: Group | int) -> Group:
    """The group if the actor manages it: 404 if they cannot even see it, 403 if they only see it."""
    group_id = group.pk if isinstance(group, Group) else group
    visible = access_group(actor=actor, group_id=group_id)
    if not can_manage(actor=actor, group=visible):
        raise ActionForbidden(_("只有群管理员和负责的社会工作者可以进行这项操作。"))
    return visible


def _account_roles(user) -> set[str]:
    from sanshe.accounts.responsible import roles_of

    return roles_of(user)


def _role_word(role: str) -> str:
    return ROLE_WORDS.get(role, ("",))[0]


def _staff_nickname(user, role: str, convention: str) -> str:
    name = user.display_name or user.username
    if role == MemberRole.ADMIN:
        # A resident group's admin is usually a community worker: "社区-姓名", not "社工-姓名".
        account = _account_roles(user)
        word = "社工" if Role.SOCIAL_WORKER in account else ("社区" if Role.COMMUNITY_WORKER in account else "管理员")
        return suggest(convention, role_word=word, name=name) or f"{word}-{name}"
    return suggest(convention, role_word=_role_word(role), name=name) or f"{_role_word(role)}-{name}".strip("-")


def _is_blacklisted(*, organisation_id: int, user) -> bool:
    return Blacklist.objects.filter(organisation_id=organisation_id, user=user, lifted_at__isnull=True).exists()


def _notify(user_id: int, data: dict) -> None:
    events.push_after_commit(events.user_channel(user_id), data)


def _snapshot(message: Message | None) -> str:
    if message is None:
        return ""
    return message.body + (" [图片]" if message.image_id else "")


def _moderation_record(*, actor, group: Group, kind: str, target=None, message: Message | None = None,
                       category: str = "", reason: str = "", until: datetime | None = None) -> ModerationAction:
    record = ModerationAction(
        organisation_id=group.organisation_id, group=group, actor=actor if getattr(actor, "pk", None) else None,
        target=target, kind=kind, category=category, message=message, message_snapshot=_snapshot(message),
        reason=reason[:300], until=until,
    )
    record.full_clean()
    record.save()
    return record
