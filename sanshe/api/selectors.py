"""API-side reads over querysets that `scoping.scoped()` has already narrowed to the actor.

Each selector adds its select_related/annotations so that a page is a constant number of queries.
People lists page by keyset on (sort key, id) — the order of the people indexes — never by OFFSET
and never with a COUNT over the table. Search text is read by the people page's own rules
(`people.search.parse_query`), so the API and the page find the same people.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from sanshe.accounts.models import ApiToken
from sanshe.people.models import Person
from sanshe.people.search import SearchQuery, number_lookup, parse_query, prefix_upper_bound
from sanshe.people.selectors import PLACE_ORDER, person_ids_by_number, room_condition
from sanshe.places.models import Household

from .errors import FieldError

MAX_PAGE = 100
# The column a search mode reads and orders by; each leads a (community, column, id) index.
SORT_KEY = {"all": "name_pinyin", "pinyin": "name_pinyin", "initials": "name_initials", "name": "name"}


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
    """What list rows and household member rows need, in one query (the address is not decrypted)."""
    return people.select_related("household__unit", "household__building").defer("address")


def person_detail(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.select_related("household__unit", "household__building", "community", "compound", "building")


@dataclass(frozen=True)
class PersonPageResult:
    items: list[Person]
    next_cursor: str | None


def encode_cursor(mode: str, person_id: int) -> str:
    """An opaque cursor holding the search mode and the last row's id: no name ever travels in a URL."""
    return base64.urlsafe_b64encode(f"{mode}:{person_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    """(mode, id) after which the next page starts; a 422 for anything not made by encode_cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        mode, _sep, pk = raw.partition(":")
        if mode not in SORT_KEY or not pk.isdigit():
            raise ValueError(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise FieldError("cursor", _("分页游标无效，请从第一页重新开始")) from None
    return mode, int(pk)


def _filtered(people: QuerySet[Person], *, community: int | None, compound: int | None, building: int | None,
              category: str | None) -> QuerySet[Person]:
    if community is not None:
        people = people.filter(community_id=community)
    if compound is not None:
        people = people.filter(compound_id=compound)
    if building is not None:
        people = people.filter(building_id=building)
    if category:
        people = people.filter(category=category)
    return people


def _search_page(people: QuerySet[Person], query: SearchQuery, after: int | None, limit: int) -> PersonPageResult:
    key = SORT_KEY[query.mode]
    if query.text:
        # A prefix as a range, so that the (community, key, id) index serves it.
        people = people.filter(**{f"{key}__gte": query.text, f"{key}__lt": prefix_upper_bound(query.text)})
    if after is not None:
        # The cursor row's sort key is read back through the same scope and filters.
        value = people.filter(pk=after).values_list(key, flat=True).first()
        if value is None:
            raise FieldError("cursor", _("分页游标已失效，请从第一页重新开始"))
        people = people.filter(Q(**{f"{key}__gte": value}) & (Q(**{f"{key}__gt": value}) | Q(pk__gt=after)))
    rows = list(person_list_base(people).order_by(key, "id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return PersonPageResult(items=rows, next_cursor=encode_cursor(query.mode, rows[-1].pk) if more and rows else None)


def person_page(
    people: QuerySet[Person], *, q: str = "", community: int | None = None, compound: int | None = None,
    building: int | None = None, category: str | None = None, cursor: str | None = None, limit: int = 20,
) -> PersonPageResult:
    """One page of people, searched the way the people page searches, with the cursor of the next page.

    张 / 张伟 match the start of the name, zhangw the pinyin, zw the initials (pinyin that finds nobody
    is retried as initials, as for 欧阳 "oy"). limit+1 rows are read to know whether a next page exists;
    nothing is counted.
    """
    limit = max(1, min(limit, MAX_PAGE))
    query = parse_query(q)
    if query.mode == "number":
        raise FieldError("q", _("证件号、手机号不能放在网址中搜索，请按姓名或拼音搜索；按号码查找请用 POST /people/search"))
    people = _filtered(people, community=community, compound=compound, building=building, category=category)
    if query.mode == "unknown":
        raise FieldError("q", _("没有看懂这个搜索词：可以按房号（1栋1单元101、1-1-101、101）、手机尾号、姓名、拼音或首字母查找"))
    if query.mode == "room":
        # A room (or a 4-digit phone tail) as the page reads it: one page in building/unit/room order, no cursor.
        rows = list(person_list_base(people.filter(room_condition(query))).order_by(*PLACE_ORDER)[:limit])
        return PersonPageResult(items=rows, next_cursor=None)
    if cursor:
        mode, after = decode_cursor(cursor)
        # The cursor's mode wins: a page 1 that fell back to initials keeps paging by initials.
        return _search_page(people, SearchQuery(mode, query.text if mode != "all" else ""), after, limit)
    page = _search_page(people, query, None, limit)
    if query.mode == "pinyin" and not page.items:
        page = _search_page(people, SearchQuery("initials", query.text), None, limit)
    return page


def person_number_page(
    people: QuerySet[Person], *, number: str, community: int | None = None, compound: int | None = None,
    building: int | None = None, category: str | None = None, limit: int = 20,
) -> PersonPageResult:
    """The people whose ID or phone is exactly `number` (blind indexes), in pinyin order; one page, no cursor."""
    people = _filtered(people, community=community, compound=compound, building=building, category=category)
    ids = person_ids_by_number(people, number_lookup(number), max(1, min(limit, MAX_PAGE)))
    rows = list(person_list_base(people.filter(pk__in=ids)).order_by("name_pinyin", "id"))
    return PersonPageResult(items=rows, next_cursor=None)


# --- API tokens ---------------------------------------------------------------------------------

def api_token_list(*, actor) -> QuerySet[ApiToken]:
    """The actor's own tokens, active ones first, newest first."""
    return ApiToken.objects.filter(user=actor).order_by(F("revoked_at").desc(nulls_first=True), "-created_at")
