"""One-time login codes as plain functions: generate, hash, compare. No database access."""

from __future__ import annotations

import secrets
import unicodedata

from django.utils.crypto import constant_time_compare, salted_hmac

CODE_LENGTH = 6


def otp_generate() -> str:
    """A uniformly random 6-digit code from the OS's CSPRNG."""
    return f"{secrets.randbelow(10 ** CODE_LENGTH):0{CODE_LENGTH}d}"


def otp_hash(*, phone_index: str, code: str) -> str:
    """Keyed hash of a code bound to its phone: a leaked table cannot be brute-forced offline."""
    return salted_hmac("sanshe.accounts.otp", f"{phone_index}:{code}", algorithm="sha256").hexdigest()


def otp_matches(*, phone_index: str, code: str, code_hash: str) -> bool:
    return constant_time_compare(otp_hash(phone_index=phone_index, code=code), code_hash)


def otp_clean_code(raw: str | None) -> str | None:
    """The code as typed without spaces (full-width digits from a Chinese IME accepted), or None."""
    code = "".join(unicodedata.normalize("NFKC", raw or "").split())
    if len(code) != CODE_LENGTH or not (code.isascii() and code.isdigit()):
        return None
    return code
