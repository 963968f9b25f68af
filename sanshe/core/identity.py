"""Identity rules as pure functions: resident ID (GB 11643-1999) and mainland mobile numbers.

No database, no Django models: importable from import code, forms, the API and tests alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_PHONE = re.compile(r"^1[3-9]\d{9}$")


class IdentityError(ValueError):
    """A bad ID or phone number; the message is the user-facing Chinese reason."""


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    sex: str  # "M" or "F"
    region_code: str


def resident_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse_resident_id(raw: str, *, today: date | None = None) -> ResidentId:
    """Validate an 18-character resident ID and derive birth date and sex.

    Unknown address codes are accepted (codes change and old IDs stay valid); the shape, the birth
    date and the check character must be right.
    """
    number = (raw or "").strip().replace(" ", "").upper()
    if not number:
        raise IdentityError("身份证号为空")
    if len(number) != 18:
        raise IdentityError(f"身份证号应为18位，实际为{len(number)}位")
    if not _ID_SHAPE.match(number):
        raise IdentityError("身份证号格式不正确（前17位应为数字，最后一位为数字或X）")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IdentityError("身份证号中的出生日期不存在") from exc
    today = today or date.today()
    if birth > today or birth.year < 1850:
        raise IdentityError("身份证号中的出生日期不合理")
    if resident_id_check_char(number[:17]) != number[17]:
        raise IdentityError("身份证号校验位错误，请核对")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth, sex=sex, region_code=number[:6])


def normalize_phone(raw: str) -> str:
    """A mainland mobile number as 11 digits, after stripping +86/0086, spaces and dashes."""
    phone = re.sub(r"[\s\-()（）]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if not phone:
        raise IdentityError("手机号为空")
    if not _PHONE.match(phone):
        raise IdentityError("手机号应为11位中国大陆手机号（1开头，第二位为3-9）")
    return phone


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
