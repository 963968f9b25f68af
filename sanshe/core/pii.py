"""Protected personal data: encrypted fields, blind indexes and server-side masking."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from encrypted_fields.fields import EncryptedCharField, EncryptedTextField

__all__ = [
    "EncryptedCharField",
    "EncryptedTextField",
    "blind_index",
    "mask_address",
    "mask_document",
    "mask_phone",
]


def blind_index(kind: str, value: str | None) -> str | None:
    """Keyed HMAC of a normalised value, for exact lookups and de-duplication without plaintext."""
    if not value:
        return None
    message = f"{kind}:{value.strip().upper()}".encode()
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), message, hashlib.sha256).hexdigest()


def mask_phone(phone: str | None) -> str:
    """138****5678 for a mainland mobile; keep only the last 4 characters of anything else."""
    if not phone:
        return ""
    if len(phone) == 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_document(number: str | None, *, resident_id: bool = True) -> str:
    """440308********1234 for a resident ID; first and last two characters of other documents."""
    if not number:
        return ""
    if resident_id and len(number) == 18:
        return f"{number[:6]}********{number[-4:]}"
    if len(number) <= 4:
        return "*" * len(number)
    return f"{number[:2]}{'*' * (len(number) - 4)}{number[-2:]}"


def mask_address(address: str | None) -> str:
    """Keep the first six characters of a detailed address (district/road level)."""
    if not address:
        return ""
    keep = min(6, max(len(address) // 3, 1))
    return address[:keep] + "****"
