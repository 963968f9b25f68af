"""Helpers every spreadsheet export shares (people, cases, records, knowledge, duty hours)."""

from __future__ import annotations

# A cell starting with one of these is run as a formula by Excel / WPS (CSV/formula injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """Neutralise spreadsheet formulas: text starting with = + - @ tab or CR gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
