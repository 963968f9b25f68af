"""API-side reads over querysets that `scoping.scoped()` has already narrowed to the actor.

Each selector adds its select_related/annotations so that a page is a constant number of queries.
People lists page by keyset on (name_pinyin, id) — the order of the people indexes — never by
OFFSET and never with a COUNT over the table.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from sanshe.accounts.models import ApiToken
from sanshe.people.models import Person
from sanshe.places.models import Household

from .errors import FieldError

MAX_PAGE = 100
_LATIN = re.compile(r"^[a-z]+$")


# --- places -------------------------------------------------------------------------------------

def household_list(households: QuerySet[Household]) -> QuerySet[Household]:
    """Households with their unit and building and their number of registered members."""
    return (
        households.select_related("unit", "building")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("unit__name", "room", "id")
    )


# --- people -------------------------------------------------------------------------------------

def person_list_base(people: QuerySet[Person]) -> QuerySet[Person]:
    """What list rows and household member rows need, in one query."""
    return people.select_related("household__unit", "household__building").defer("address")


def person_detail(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.select_related("household__unit", "household__building", "community", "compound", "building")


@dataclass(frozen=True)
class PersonPageResult:
    items: list[Person]
    next_cursor: str | None


def encode_cursor(person: Person) -> str:
    raw = json.dumps([person.name_pinyin, person.pk], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    """(name_pinyin, id) after which the next page starts; a 422 for anything not made by encode_cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        pinyin, pk = json.loads(raw.decode())
        if not isinstance(pinyin, str) or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise FieldError("cursor", _("分页游标无效，请从第一页重新开始")) from None
    return pinyin, pk


def person_search(people: QuerySet[Person], q: str) -> QuerySet[Person]:
    """Chinese name prefix (张 / 张伟), or pinyin initials or full pinyin prefix (zw / zhangw)."""
    q = q.strip()
    if not q:
        return people
    lowered = q.lower().replace(" ", "")
    if _LATIN.match(lowered):
        return people.filter(Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered))
    return people.filter(name__startswith=q)


def person_page(
    people: QuerySet[Person], *, q: str = "", community: int | None = None, compound: int | None = None,
    building: int | None = None, category: str | None = None, cursor: str | None = None, limit: int = 20,
) -> PersonPageResult:
    """One page of people in pinyin order, with the cursor of the next page (limit+1 rows fetched)."""
    limit = max(1, min(limit, MAX_PAGE))
    people = person_search(people, q)
    if community is not None:
        people = people.filter(community_id=community)
    if compound is not None:
        people = people.filter(compound_id=compound)
    if building is not None:
        people = people.filter(building_id=building)
    if category:
        people = people.filter(category=category)
    if cursor:
        pinyin, pk = decode_cursor(cursor)
        people = people.filter(Q(name_pinyin__gt=pinyin) | Q(name_pinyin=pinyin, pk__gt=pk))
    rows = list(person_list_base(people).order_by("name_pinyin", "id")[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    return PersonPageResult(items=rows, next_cursor=encode_cursor(rows[-1]) if has_more and rows else None)


# --- API tokens ---------------------------------------------------------------------------------

def api_token_list(*, actor) -> QuerySet[ApiToken]:
    """The actor's own tokens, active ones first, newest first."""
    return ApiToken.objects.filter(user=actor).order_by(F("revoked_at").desc(nulls_first=True), "-created_at")
