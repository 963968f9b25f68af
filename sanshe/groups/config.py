"""A group's settings (stored as JSON on the group) with defaults and bounds. Pure."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_INVITE_DAYS = 7
MAX_INVITE_DAYS = 30
MAX_SLOW_MODE_SECONDS = 3600
# Nickname conventions (tokens joined by "-"); empty means no convention. Clients of consultation groups
# have none by default: a building and room in a nickname would tell the whole group where they live.
RESIDENT_NICKNAME = "楼栋-房号-称呼"
STAFF_NICKNAME = "角色-姓名"


@dataclass(frozen=True)
class GroupSettings:
    slow_mode_seconds: int = 0
    join_requires_approval: bool = False
    invite_days: int = DEFAULT_INVITE_DAYS
    nickname_member: str = ""
    nickname_staff: str = STAFF_NICKNAME

    @classmethod
    def for_tier(cls, tier: int) -> GroupSettings:
        """Defaults for a new group of `tier`."""
        return cls(nickname_member=RESIDENT_NICKNAME if tier == 1 else "")

    @classmethod
    def from_json(cls, data: dict[str, Any] | None, *, tier: int = 1) -> GroupSettings:
        """Stored settings over the tier's defaults; unknown keys are ignored, bad values fall back."""
        base = asdict(cls.for_tier(tier))
        known = {f.name: f.type for f in fields(cls)}
        for key, value in (data or {}).items():
            if key in known and isinstance(value, type(base[key])):
                base[key] = value
        try:
            return cls(**base).validated()
        except ValidationError:
            return cls.for_tier(tier)

    def validated(self) -> GroupSettings:
        """Self, or a ValidationError naming the field with a Chinese message."""
        from .nicknames import parse_convention

        errors = {}
        if not 0 <= self.slow_mode_seconds <= MAX_SLOW_MODE_SECONDS:
            errors["slow_mode_seconds"] = _("慢速模式的间隔应在 0 到 3600 秒之间。")
        if not 1 <= self.invite_days <= MAX_INVITE_DAYS:
            errors["invite_days"] = _("邀请链接有效期应在 1 到 30 天之间。")
        for name in ("nickname_member", "nickname_staff"):
            try:
                parse_convention(getattr(self, name))
            except ValueError as exc:
                errors[name] = str(exc)
        if errors:
            raise ValidationError(errors)
        return self

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
