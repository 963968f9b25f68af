"""Password policy: at least 8 characters from at least 3 character classes."""

from __future__ import annotations

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message (Django's zh-Hans catalogue lacks this one)."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要%(n)d个字符") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("至少%(n)d个字符") % {"n": self.min_length}


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = sum([
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ])
        if classes < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("至少8位，包含大写字母、小写字母、数字、符号中的至少%(n)d类") % {"n": self.min_classes}


# No look-alikes (0/O, 1/l/I): a generated password is read off a screen and typed on a phone.
_GENERATED_CLASSES = ("abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "!@#%+=?")


def generate_password(length: int = 12) -> str:
    """A random password that meets the policy: every character class present, from the OS's CSPRNG."""
    chars = [secrets.choice(group) for group in _GENERATED_CLASSES]
    alphabet = "".join(_GENERATED_CLASSES)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
