"""What a typed search means: Chinese characters, pinyin, pinyin initials, or an exact ID/phone number.

Pure rules (no database): the selector turns the parsed query into indexed conditions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sanshe.core.pii import blind_index, mask_document, mask_phone

from .choices import DocumentType
from .identity import IdentityError, normalize_phone

Mode = Literal["all", "name", "pinyin", "initials", "number"]

MAX_QUERY = 50
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NUMBER_CHARS = re.compile(r"^\+?[0-9A-Za-z]+$")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_VOWELS = set("aeiouv")


@dataclass(frozen=True)
class SearchQuery:
    mode: Mode
    text: str


def parse_query(raw: str, *, prefer_initials: bool = False) -> SearchQuery:
    """Classify a search: 张 → name prefix; zhangw → pinyin prefix; zw → initials; a number → exact lookup.

    Latin text without vowels can only be initials; with vowels it is read as pinyin first (the page
    falls back to initials when pinyin finds nobody, e.g. "oy" for 欧阳), or as initials when asked.
    """
    raw = (raw or "").strip()[:MAX_QUERY]
    if not raw:
        return SearchQuery("all", "")
    compact = _SEPARATORS.sub("", raw)
    if _NUMBER_CHARS.match(compact) and sum(ch.isdigit() for ch in compact) >= 5:
        return SearchQuery("number", compact.upper())
    if _HAN.search(raw):
        return SearchQuery("name", re.sub(r"\s+", "", raw))
    letters = re.sub(r"[^a-z]", "", raw.lower().replace("ü", "v"))
    if not letters:
        return SearchQuery("all", "")
    if prefer_initials or not (_VOWELS & set(letters)):
        return SearchQuery("initials", letters)
    return SearchQuery("pinyin", letters)


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix` (for `>= p AND < bound`)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


@dataclass(frozen=True)
class NumberLookup:
    """An exact ID/phone search held only as blind indexes, plus a masked form to show back."""

    doc_indexes: tuple[str, ...]
    phone_index: str | None
    masked: str

    def as_dict(self) -> dict:
        return {"doc": list(self.doc_indexes), "phone": self.phone_index, "masked": self.masked}

    @classmethod
    def from_dict(cls, data: dict) -> NumberLookup:
        return cls(doc_indexes=tuple(data.get("doc") or ()), phone_index=data.get("phone"),
                   masked=str(data.get("masked", "")))


def number_lookup(number: str) -> NumberLookup:
    """Blind indexes for every document type, and for the phone form if the number is a mobile number."""
    number = number.strip().upper()
    doc_indexes = tuple(index for kind in DocumentType.values
                        if (index := blind_index(f"doc:{kind}", number)) is not None)
    try:
        phone = normalize_phone(number)
    except IdentityError:
        phone = None
    if phone:
        masked = mask_phone(phone)
    else:
        masked = mask_document(number, resident_id=len(number) == 18)
    return NumberLookup(doc_indexes=doc_indexes, phone_index=blind_index("phone", phone), masked=masked)
