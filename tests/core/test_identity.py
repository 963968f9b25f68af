import pytest

from sanshe.core.identity import IdentityError, normalize_phone, parse_resident_id
from sanshe.core.pii import mask_document, mask_phone


@pytest.mark.parametrize("number,sex,birth", [
    ("11010519491231002X", "F", "1949-12-31"),
    ("440524188001010014", "M", "1880-01-01"),
])
def test_valid_resident_ids_derive_birth_date_and_sex(number, sex, birth):
    parsed = parse_resident_id(number)
    assert parsed.sex == sex
    assert parsed.birth_date.isoformat() == birth


@pytest.mark.parametrize("number,reason", [
    ("110105194912310021", "校验位"),
    ("440524188001010015", "校验位"),
    ("11010519491231002", "18位"),
    ("11010519491331002X", "出生日期"),
    ("1101051949123100AX", "格式"),
    ("", "为空"),
])
def test_invalid_resident_ids_explain_why_in_chinese(number, reason):
    with pytest.raises(IdentityError, match=reason):
        parse_resident_id(number)


def test_lowercase_x_and_spaces_are_accepted():
    assert parse_resident_id(" 11010519491231002x ").number == "11010519491231002X"


@pytest.mark.parametrize("raw", ["13812345678", "+86 138 1234 5678", "0086-138-1234-5678", "8613812345678"])
def test_phone_forms_normalise(raw):
    assert normalize_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "abc", "+1 2025550123"])
def test_bad_phones_are_rejected(raw):
    with pytest.raises(IdentityError):
        normalize_phone(raw)


def test_masks():
    assert mask_document("440308199001011234") == "440308********1234"
    assert mask_phone("13812345678") == "138****5678"
