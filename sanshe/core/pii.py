"""Protected personal data: encrypted fields, blind indexes and server-side masking.

The masking rule (one rule, applied to every page, print, export and API response)
----------------------------------------------------------------------------------
GB/T 35273 de-identification asks that a person cannot be re-identified from what is disclosed
*together*, so a mask is judged with everything shown beside it, not on its own:

1. A masked resident ID keeps the region code (first 6) and the last 4 (order number and check
   character) and never shows a character of the birth-date segment (characters 7–14). Other
   documents keep only their first and last 2 characters, so an 18-character permit number (which
   carries a birth date in the same place) never shows that segment either.
2. Wherever a masked ID — or a person whose ID is shown masked — appears, the birth date is shown
   as the birth year only (``birth_year``; pages, prints, exports and the API alike); never the full
   date, in any format, and never an age in full years (an age read on different days gives back the
   birthday: the day it goes up). The
   full date appears only beside the full ID: in the audited reveal, in the unmasked export (its
   own permission, a written reason, audited), or to the person themself.
3. Forms never pre-fill a full birth date. While a record keeps a resident ID, the ID is the birth
   date's only source: a birth date sent separately is refused whatever its value (a "does not
   match" answer would let anyone holding the masked ID test dates until it matches); a new ID
   replaces both. A blank birth date on an edit keeps the stored one.
4. Sex is derived from character 17 of the ID, which the mask already shows: it adds nothing.
5. A masked mobile keeps 3 + 4 digits (138****5678) and nothing shown beside it (no carrier or
   home-location lookup, which is what the hidden middle four encode) gives them back; any other
   number keeps at most its last 4 characters and never more than a third of it.

What remains, and is accepted: the year with the check character narrows a birth date to about 33
days, so the exact-number search and the duplicate check ("already registered") could confirm a
guess; only a staff role that already sees the masked ID (and could use the audited reveal) can try.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from django.conf import settings
from encrypted_fields.fields import EncryptedCharField, EncryptedTextField

__all__ = [
    "EncryptedCharField",
    "EncryptedTextField",
    "birth_year",
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


def mask_name(name: str | None) -> str:
    """张* / 欧阳**: enough for staff who know the person, not enough to identify a stranger."""
    if not name:
        return ""
    surname_length = 2 if len(name) >= 3 and name[:2] in {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫"} else 1
    return name[:surname_length] + "*" * max(len(name) - surname_length, 1)


def mask_phone(phone: str | None) -> str:
    """138****5678 for a mainland mobile; of anything else at most the last 4 and at most a third."""
    if not phone:
        return ""
    if len(phone) == 11:
        return f"{phone[:3]}****{phone[-4:]}"
    keep = min(4, len(phone) // 3)
    return "*" * (len(phone) - keep) + (phone[-keep:] if keep else "")


def mask_document(number: str | None, *, resident_id: bool = True) -> str:
    """440308********1234 for a resident ID; first and last two characters of other documents."""
    if not number:
        return ""
    if resident_id and len(number) == 18:
        return f"{number[:6]}********{number[-4:]}"
    if len(number) <= 4:
        return "*" * len(number)
    return f"{number[:2]}{'*' * (len(number) - 4)}{number[-2:]}"


def birth_year(birth_date: date | None) -> int | None:
    """What may be shown of a birth date beside a masked ID (rule 2 above): the year only."""
    return birth_date.year if birth_date else None


def mask_address(address: str | None) -> str:
    """Keep the first six characters of a detailed address (district/road level)."""
    if not address:
        return ""
    keep = min(6, max(len(address) // 3, 1))
    return address[:keep] + "****"
