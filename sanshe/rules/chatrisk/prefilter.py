"""Faster searches with the same matches: a pattern gated by the characters its matches must start with.

The detector's patterns mostly begin with look-behinds (negation, "not about me") and optional parts, and for such
a pattern Python's regex engine cannot skip ahead to likely positions: it tries the whole pattern at every
character of every message. A match must begin with one of the characters the pattern's parse tree allows first (a
literal, a character class of literals, any branch's first character, what follows an optional part or a
zero-width assertion). `first_chars` derives that set from the pattern itself; where it cannot be known (a
pattern that can start with any character, `.`, a category like `\\d`, a back reference, a pattern that can match
empty) it answers None and the pattern is used as it is. `gated` puts a look-ahead for those characters in front,
so every other position fails with one character-class test. The matches are the same (tests/groups/
test_risk_prefilter.py checks every pattern over every public set); the concept search costs about half.
"""

from __future__ import annotations

import re

try:  # Python 3.11+
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older Pythons (the project needs 3.11)
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

_MAX_RANGE = 512  # a class range wider than this (e.g. [一-龥]) is treated as "any character"


# Every gated pattern and the pattern it was made from (the equivalence test walks these).
ORIGINALS: dict[re.Pattern, re.Pattern] = {}


class _Unknown(Exception):
    """The first characters of this part cannot be listed."""


_CATEGORIES = {_c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_SPACE: r"\s"}  # broader categories (\w, \D …) gate nothing


def _literal(code: int) -> set[str]:
    return {re.escape(chr(code))}


def _class_items(items) -> set[str]:
    r"""The class fragments (escaped characters, \d, \s) of a character class without negation."""
    fragments: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            fragments |= _literal(av)
        elif op is _c.RANGE and av[1] - av[0] <= _MAX_RANGE:
            for code in range(av[0], av[1] + 1):
                fragments |= _literal(code)
        elif op is _c.CATEGORY and av in _CATEGORIES:
            fragments.add(_CATEGORIES[av])
        else:  # NEGATE, a wide range, \w, \D …
            raise _Unknown
    return fragments


def _first(seq) -> tuple[set[str], bool]:
    """(class fragments a match of this sequence may start with, whether it can match empty)."""
    chars: set[str] = set()
    for op, av in seq:
        if op is _c.LITERAL:
            chars |= _literal(av)
            return chars, False
        if op is _c.IN:
            chars |= _class_items(av)
            return chars, False
        if op is _c.BRANCH:
            nullable = False
            for branch in av[1]:
                sub, empty = _first(branch)
                chars |= sub
                nullable = nullable or empty
            if not nullable:
                return chars, False
            continue
        if op is _c.SUBPATTERN:
            if len(av) > 1 and av[1] & re.IGNORECASE:
                raise _Unknown  # a local (?i:…): the gate, compiled with the pattern's own flags, would not fold case
            sub, empty = _first(av[-1])
            chars |= sub
            if not empty:
                return chars, False
            continue
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, _high, item = av
            sub, empty = _first(item)
            chars |= sub
            if low > 0 and not empty:
                return chars, False
            continue
        if op is getattr(_c, "ATOMIC_GROUP", None):
            sub, empty = _first(av)
            chars |= sub
            if not empty:
                return chars, False
            continue
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue  # zero-width: the match starts with what follows
        raise _Unknown  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, conditional groups …
    return chars, True


def first_chars(pattern: re.Pattern | str) -> frozenset[str] | None:
    """The character-class fragments (escaped characters, \\d, \\s) that every non-empty match of `pattern` starts
    with, or None when they cannot be known."""
    if isinstance(pattern, str):
        pattern = re.compile(pattern)
    if not isinstance(pattern.pattern, str) or pattern.flags & re.VERBOSE:
        return None
    try:
        # With a global IGNORECASE the gate is compiled with the same flag and folds case as the pattern does.
        chars, empty = _first(_p.parse(pattern.pattern, pattern.flags))
    except (_Unknown, re.error, TypeError, ValueError):
        return None
    if empty or not chars:
        return None
    return frozenset(chars)


def gated(pattern: re.Pattern) -> re.Pattern:
    """The same pattern behind a look-ahead for its first characters, so that a search rejects every other position
    with one character-class test instead of trying the pattern's look-behinds and optional parts there. Matches are
    identical: every match starts with one of those characters (the pattern itself where they cannot be known)."""
    chars = first_chars(pattern)
    if chars is None:
        return pattern
    cls = "".join(sorted(chars))
    try:
        fast = re.compile(f"(?=[{cls}])(?:{pattern.pattern})", pattern.flags)
    except re.error:  # e.g. global inline flags that must stay first
        return pattern
    ORIGINALS[fast] = pattern
    return fast


def _gate_value(value):
    if isinstance(value, re.Pattern):
        return gated(value)
    if type(value) in (list, tuple):  # plain containers only (a namedtuple or a dataclass is left as it is)
        items = [_gate_value(v) for v in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        if type(value) is list:
            value[:] = items  # in place: a module that imported the list sees the gated patterns too
            return value
        return tuple(items)
    return value


def gate_module(namespace: dict) -> None:
    """Gate every compiled pattern a module holds at its top level (alone, or in lists/tuples of patterns or of
    tuples holding patterns). Called once at the end of the rule modules: the matches do not change."""
    for name, value in list(namespace.items()):
        if not name.startswith("__"):
            namespace[name] = _gate_value(value)
