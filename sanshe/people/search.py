"""What a typed search means: a room (1栋1单元101, 1-1-101, 101), the last 4 digits of a phone, Chinese
characters, pinyin, pinyin initials, or an exact ID/phone number; or nothing understood ("unknown").

Pure rules (no database): the selector turns the parsed query into indexed conditions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sanshe.core.identity import IdentityError, normalize_phone
from sanshe.core.pii import blind_index, mask_document, mask_phone

from .choices import DocumentType

Mode = Literal["all", "name", "pinyin", "initials", "number", "room", "unknown"]

MAX_QUERY = 50
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NUMBER_CHARS = re.compile(r"^\+?[0-9A-Za-z]+$")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_VOWELS = set("aeiouv")
# Rooms the way stewards write them: 1栋1单元101, 1号楼2单元301室, 1-1-101, 1栋101, 1栋2单元, 3栋, 101.
_B = r"(\d{1,3})(?:栋|幢|号楼|号|座|#)"
_DASH = r"[-－—/]"
_ROOM_PATTERNS = (
    # building, unit, room
    re.compile(rf"^{_B}(\d{{1,3}})单元(\d{{1,5}})(?:室|号)?$"),
    re.compile(rf"^(\d{{1,3}}){_DASH}(\d{{1,3}}){_DASH}(\d{{1,5}})(?:室|号)?$"),
    re.compile(rf"^(\d{{1,3}})(?:栋|幢|号楼|号|座|#)?{_DASH}?(\d{{1,3}})单元{_DASH}?(\d{{1,5}})(?:室|号)?$"),
)
_BUILDING_UNIT = re.compile(rf"^(\d{{1,3}})(?:栋|幢|号楼|号|座|#|{_DASH})(\d{{1,3}})单元$")
_BUILDING_ROOM = re.compile(rf"^(?:{_B}|(\d{{1,3}}){_DASH})(\d{{1,5}})(?:室|号)?$")
_BUILDING = re.compile(rf"^{_B}$")
_ROOM = re.compile(r"^(\d{1,4})(?:室|号)?$")
# Up to this many digits a dashed number is a room (12-3-1201), beyond it a phone or ID number.
_ROOM_MAX_DIGITS = 9


@dataclass(frozen=True)
class SearchQuery:
    mode: Mode
    text: str
    # For mode "room": the building and unit numbers and the room as typed (any may be missing).
    building: int | None = None
    unit: int | None = None
    room: str = ""

    @property
    def phone_tail(self) -> str:
        """A bare 4-digit search is also the last 4 digits of a phone (1201 may be a room or a phone)."""
        return self.room if self.mode == "room" and self.building is None and self.unit is None \
            and len(self.room) == 4 else ""


def parse_room(compact: str) -> SearchQuery | None:
    """A room query, or None. `compact` has no spaces."""
    if sum(ch.isdigit() for ch in compact) > _ROOM_MAX_DIGITS:
        return None
    for pattern in _ROOM_PATTERNS:
        if match := pattern.match(compact):
            b, u, r = match.groups()
            return SearchQuery("room", compact, building=int(b), unit=int(u), room=r)
    if match := _BUILDING_UNIT.match(compact):
        return SearchQuery("room", compact, building=int(match[1]), unit=int(match[2]))
    if match := _BUILDING_ROOM.match(compact):
        b = match[1] or match[2]
        return SearchQuery("room", compact, building=int(b), room=match[3])
    if match := _BUILDING.match(compact):
        return SearchQuery("room", compact, building=int(match[1]))
    if match := _ROOM.match(compact):
        return SearchQuery("room", compact, room=match[1])
    return None


def room_variants(room: str) -> list[str]:
    """How a typed room may be stored: 101 as 101, 0101, 101室; 0101 as 101 too."""
    bare = room.lstrip("0") or "0"
    forms = {room, bare, bare.zfill(4)}
    return sorted(forms | {f"{form}室" for form in forms})


def parse_query(raw: str, *, prefer_initials: bool = False) -> SearchQuery:
    """Classify a search: 1-1-101 → room; 5678 → room 5678 or a phone ending 5678; 张 → name prefix;
    zhangw → pinyin prefix; zw → initials; a longer number → exact ID/phone lookup; else "unknown".

    Latin text without vowels can only be initials; with vowels it is read as pinyin first (the page
    falls back to initials when pinyin finds nobody, e.g. "oy" for 欧阳), or as initials when asked.
    """
    raw = (raw or "").strip()[:MAX_QUERY]
    if not raw:
        return SearchQuery("all", "")
    spaceless = re.sub(r"\s+", "", raw)
    if room := parse_room(spaceless):
        return room
    compact = _SEPARATORS.sub("", raw)
    if _NUMBER_CHARS.match(compact) and sum(ch.isdigit() for ch in compact) >= 5:
        return SearchQuery("number", compact.upper())
    if _HAN.search(raw):
        if re.search(r"\d", raw):  # 张伟101, 1栋张: not a name, not a room we can read
            return SearchQuery("unknown", raw)
        return SearchQuery("name", spaceless)
    if not re.fullmatch(r"[A-Za-zü\s'’]+", raw):
        return SearchQuery("unknown", raw)
    letters = re.sub(r"[^a-z]", "", raw.lower().replace("ü", "v"))
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


def phone_tail_index(phone_or_tail: str | None) -> str | None:
    """The blind index of a phone's last 4 digits (a 4-digit search is hashed the same way)."""
    digits = re.sub(r"\D", "", phone_or_tail or "")
    return blind_index("phone4", digits[-4:]) if len(digits) >= 4 else None


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
