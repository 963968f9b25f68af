"""Reads of people: the scoped, keyset-paginated list with search, and single-person access.

The list never counts the whole table and never uses OFFSET. Rows are ordered by the key the search
uses — building/unit/room when browsing (PLACE_SORT), pinyin when searching pinyin, initials for initials,
the name for characters — then by id; a name search's page is one index range scan. When the actor covers several communities (or stewards
buildings), each community/building is read through its own composite index, LIMIT n+1 each, and the
database merges those short runs: at 300,000 people a page costs what it costs at 1,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Length, LPad

from sanshe.accounts.policies import scope_for
from sanshe.core.errors import ObjectNotFound
from sanshe.places.models import Building

from .choices import VULNERABILITY_FLAGS, Category, Relation
from .models import Person
from .search import (
    NumberLookup,
    SearchQuery,
    number_lookup,
    parse_query,
    phone_tail_index,
    prefix_upper_bound,
    room_variants,
)

PAGE_SIZE = 30
# A room search (101 in every building, say) shows at most this many people, in building/unit/room order.
ROOM_LIMIT = 200
# Building, unit and room order: compound, the building's number (2栋 before 10栋), unit, room.
# Rooms by length first, so 202 comes before 1201.
PLACE_ORDER = ("compound__name", "building__sort_key", "building__name", "household__unit__name",
               Length("household__room"), "household__room", "name_pinyin", "pk")
# Above this many communities/buildings a single query is cheaper than merging per-partition runs.
MAX_PARTITIONS = 200
SORT_FIELD = {"all": "place_sort", "pinyin": "name_pinyin", "initials": "name_initials", "name": "name"}
VULNERABILITY_NAMES = {name for name, _label in VULNERABILITY_FLAGS}
# What a list row shows: no ID number or address is read (or decrypted) for a list.
LIST_FIELDS = ("name", "sex", "birth_date", "phone", "category", "is_active", "community_id",
               *VULNERABILITY_NAMES, "household__room", "household__unit__name", "building__name", "compound__name")


# The browsing order stewards read a people list in: compound, building by number (2栋 before 10栋), unit, room
# (right-aligned, so 202 before 1201), then name; people without a household last. One text key, so the list
# keeps its keyset pages. It is computed, not stored (a renamed building or room never leaves it stale), so
# unlike the name orders it is not served by an index: each page sorts the actor's people.
PLACE_SORT = Concat(
    Case(When(household__isnull=True, then=Value("1")), default=Value("0"), output_field=CharField()),
    Coalesce("compound__name", Value("")), Value("|"),
    LPad(Cast(Coalesce("building__sort_key", Value(0)), CharField()), 6, Value("0")), Value("|"),
    Coalesce("building__name", Value("")), Value("|"),
    Coalesce("household__unit__name", Value("")), Value("|"),
    LPad(Coalesce("household__room", Value("")), 10, Value(" ")), Value("|"),
    "name_pinyin",
    output_field=CharField(),
)


def _sortable(queryset: QuerySet, key: str) -> QuerySet:
    return queryset.annotate(place_sort=PLACE_SORT) if key == "place_sort" else queryset


def access_person(*, actor, id: int, action: str = "view") -> Person:
    """One person in the actor's scope for `action`; 404 for missing and out-of-scope alike."""
    person = (
        Person.objects.for_actor(actor, action)
        .select_related("household__unit", "building", "compound", "community")
        .filter(pk=id).first()
    )
    if person is None:
        raise ObjectNotFound()
    return person


@dataclass(frozen=True)
class PersonFilters:
    """What the list is narrowed by. `number` (blind indexes) wins over the typed text `q`."""

    q: str = ""
    number: NumberLookup | None = None
    compound_id: int | None = None
    building_id: int | None = None
    category: str = ""
    vulnerability: str = ""  # a flag name from VULNERABILITY_FLAGS, or "any"
    prefer_initials: bool = False


@dataclass
class PersonPage:
    people: list[Person]
    mode: str
    next_after: int | None = None
    prev_before: int | None = None
    notes: list[str] = field(default_factory=list)
    more: bool = False  # a room search found more people than one page shows


def _filtered(actor, filters: PersonFilters) -> QuerySet:
    queryset = Person.objects.for_actor(actor, "view")
    if filters.compound_id:
        queryset = queryset.filter(compound_id=filters.compound_id)
    if filters.building_id:
        queryset = queryset.filter(building_id=filters.building_id)
    if filters.category in Category.values:
        queryset = queryset.filter(category=filters.category)
    if filters.vulnerability in VULNERABILITY_NAMES:
        queryset = queryset.filter(**{filters.vulnerability: True})
    elif filters.vulnerability == "any":
        condition = Q()
        for name in VULNERABILITY_NAMES:
            condition |= Q(**{name: True})
        queryset = queryset.filter(condition)
    return queryset


def _partitions(actor, filters: PersonFilters) -> list[Q]:
    """Disjoint slices of the actor's people, each served by one composite index.

    Only an index plan: `for_actor` still decides who is visible; a slice outside the scope is empty.
    """
    if filters.building_id:
        return [Q(building_id=filters.building_id)]
    if filters.compound_id:
        buildings = Building.objects.for_actor(actor, "view").filter(compound_id=filters.compound_id)
        return [Q(building_id=pk) for pk in buildings.values_list("pk", flat=True).order_by("pk")]
    scope = scope_for(actor)
    communities = sorted(scope.community_ids("people.view"))
    parts = [Q(community_id=pk) for pk in communities]
    # A stewarded building outside the covered communities; excluding those communities keeps slices disjoint.
    parts += [Q(building_id=pk) & ~Q(community_id__in=communities) for pk in sorted(scope.building_ids("people.view"))]
    return parts


def _keyset(queryset: QuerySet, key: str, cursor: tuple[str, int] | None, *, forward: bool) -> QuerySet:
    """Rows after (or before) the cursor in (key, id) order; `key >= v` leads so the index range starts there."""
    if cursor is not None:
        value, pk = cursor
        if forward:
            queryset = queryset.filter(Q(**{f"{key}__gte": value}) & (Q(**{f"{key}__gt": value}) | Q(pk__gt=pk)))
        else:
            queryset = queryset.filter(Q(**{f"{key}__lte": value}) & (Q(**{f"{key}__lt": value}) | Q(pk__lt=pk)))
    order = (key, "pk") if forward else (f"-{key}", "-pk")
    return queryset.order_by(*order)


def _page_ids(queryset: QuerySet, key: str, parts: list[Q], take: int, *, forward: bool) -> list[int]:
    """Ids of the next `take` rows: one query, merging per-partition index runs in the database."""
    columns = queryset.values_list("pk", key)
    if len(parts) <= 1 or len(parts) > MAX_PARTITIONS:
        if len(parts) == 1:
            columns = columns.filter(parts[0])
        return [row[0] for row in columns[:take]]
    pieces, params = [], []
    for i, part in enumerate(parts):
        sliced = columns.filter(part)[:take]
        try:
            sql, part_params = sliced.query.get_compiler(using=sliced.db).as_sql()
        except EmptyResultSet:
            continue
        pieces.append(f"SELECT * FROM ({sql}) AS part{i}")
        params.extend(part_params)
    if not pieces:
        return []
    direction = "ASC" if forward else "DESC"
    sql = (f"SELECT * FROM ({' UNION ALL '.join(pieces)}) AS merged "
           f"ORDER BY 2 {direction}, 1 {direction} LIMIT {int(take)}")
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _load(actor, ids: list[int]) -> list[Person]:
    """The rows for one page, in the order given, with what a list row shows (masked phone, room)."""
    if not ids:
        return []
    people = (
        Person.objects.for_actor(actor, "view").filter(pk__in=ids)
        .select_related("household__unit", "building", "compound")
        .only(*LIST_FIELDS).order_by()  # the page order is the order of `ids`
    )
    by_pk = {person.pk: person for person in people}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def person_ids_by_number(queryset: QuerySet, lookup: NumberLookup, limit: int) -> list[int]:
    """Ids of the people in `queryset` whose ID or phone is the looked-up number (blind indexes only)."""
    ids: list[int] = []
    if lookup.doc_indexes:
        ids += queryset.filter(doc_index__isnull=False, doc_index__in=lookup.doc_indexes).values_list("pk", flat=True)
    if lookup.phone_index:
        ids += queryset.filter(phone_index=lookup.phone_index).values_list("pk", flat=True)[:limit]
    return list(dict.fromkeys(ids))[:limit]


def person_list(*, actor, filters: PersonFilters, after: int | None = None, before: int | None = None,
                limit: int = PAGE_SIZE) -> PersonPage:
    """One page of the people the actor may see, searched and filtered; next/previous cursors are row ids."""
    queryset = _filtered(actor, filters)
    if filters.number is not None:
        return PersonPage(people=_load(actor, person_ids_by_number(queryset, filters.number, limit)), mode="number")
    query = parse_query(filters.q, prefer_initials=filters.prefer_initials)
    if query.mode == "number":
        return person_list(actor=actor, filters=_with_number(filters, query), limit=limit)
    if query.mode == "unknown":
        # Never "everyone" for a query we could not read: the page says so and how to write it.
        return PersonPage(people=[], mode="unknown")
    if query.mode == "room":
        return _room_page(actor, queryset, query)
    page = _search_page(actor, queryset, query, _partitions(actor, filters), after, before, limit)
    if query.mode == "pinyin" and not page.people and after is None and before is None:
        # "oy" has vowels but means 欧阳's initials: fall back when pinyin finds nobody.
        page = _search_page(actor, queryset, SearchQuery("initials", query.text), _partitions(actor, filters),
                            None, None, limit)
    return page


def _number_name(field: str, number: int) -> Q:
    """A building or unit name whose number is `number`: 1栋, 1号楼, 1单元, 01 (never 11栋 or 21单元)."""
    return Q(**{f"{field}__regex": rf"^[^0-9]*0*{int(number)}([^0-9]|$)"})


def room_condition(query: SearchQuery) -> Q:
    """Who lives at the room asked for; a bare 4-digit search also matches a phone ending in those digits."""
    condition = Q()
    if query.building is not None:
        condition &= _number_name("building__name", query.building)
    if query.unit is not None:
        condition &= _number_name("household__unit__name", query.unit)
    if query.room:
        condition &= Q(household__room__in=room_variants(query.room))
    if query.phone_tail:
        condition |= Q(phone_tail_index=phone_tail_index(query.phone_tail))
    return condition


def _room_page(actor, queryset: QuerySet, query: SearchQuery) -> PersonPage:
    """People at a room (or phone tail), in building/unit/room order: one page, capped, never paged."""
    ids = list(queryset.filter(room_condition(query)).order_by(*PLACE_ORDER).values_list("pk", flat=True)
               [:ROOM_LIMIT + 1])
    return PersonPage(people=_load(actor, ids[:ROOM_LIMIT]), mode="room", more=len(ids) > ROOM_LIMIT)


def _with_number(filters: PersonFilters, query: SearchQuery) -> PersonFilters:
    return replace(filters, q="", number=number_lookup(query.text))


def _search_page(actor, queryset: QuerySet, query: SearchQuery, parts: list[Q], after: int | None,
                 before: int | None, limit: int) -> PersonPage:
    key = SORT_FIELD[query.mode]
    queryset = _sortable(queryset, key)
    if query.text:
        queryset = queryset.filter(**{f"{key}__gte": query.text, f"{key}__lt": prefix_upper_bound(query.text)})
    forward = after is not None or before is None
    cursor_pk = after if forward else before
    cursor = None
    if cursor_pk is not None:
        # The cursor is a row id (names never travel in URLs); its sort key is read back here.
        cursor = (_sortable(Person.objects.for_actor(actor, "view"), key).filter(pk=cursor_pk)
                  .values_list(key, "pk").first())
        if cursor is None:
            forward, cursor_pk = True, None
    ids = _page_ids(_keyset(queryset, key, cursor, forward=forward), key, parts, limit + 1, forward=forward)
    more = len(ids) > limit
    ids = ids[:limit]
    if not forward:
        ids.reverse()
    people = _load(actor, ids)
    page = PersonPage(people=people, mode=query.mode)
    if forward:
        page.next_after = ids[-1] if more and ids else None
        page.prev_before = ids[0] if cursor is not None and ids else None
    else:
        page.prev_before = ids[0] if more and ids else None
        page.next_after = ids[-1] if ids else None
    return page


# ------------------------------------------------------------------ the resident behind a login (accounts)

def people_for_phone(phone_index: str) -> list[Person]:
    """Active registered people with this phone, the household representative / head first.

    An unscoped read on purpose: nobody is logged in yet (the one-time-code login), and only the yes/no
    and the link are used.
    """
    people = list(Person.objects.filter(phone_index=phone_index, is_active=True).select_related("user"))
    people.sort(key=lambda p: (not p.is_representative, p.relation != Relation.HEAD, p.pk))
    return people


def person_of_user(user_id: int) -> tuple[int, int | None] | None:
    """(person id, household id) of the registered person linked to this account, or None."""
    row = Person.objects.filter(user_id=user_id).values_list("pk", "household_id").first()
    return (row[0], row[1]) if row is not None else None


def resident_user_ids(community_ids, actor=None) -> QuerySet:
    """A subquery of the accounts of the active people with a login living in these communities (those the
    actor may see, when given; unscoped for the user list's own scope, which must not recurse into it)."""
    people = Person.objects.for_actor(actor, "view") if actor is not None else Person.objects.all()
    return people.filter(community_id__in=community_ids, is_active=True, user__isnull=False).values("user_id")


def resident_homes(actor, community_ids, user_ids: list[int]) -> dict[int, str]:
    """{user id: community name} for the accounts among `user_ids` of residents the actor sees there."""
    return dict(
        Person.objects.for_actor(actor, "view")
        .filter(community_id__in=community_ids, is_active=True, user_id__in=user_ids)
        .values_list("user_id", "community__name")
    )


def resident_home(actor, person_id: int) -> Person | None:
    """The person with their household, building, compound and community, if the actor may see them."""
    return (
        Person.objects.for_actor(actor, "view").select_related("household__unit", "building", "compound", "community")
        .filter(pk=person_id).first()
    )


# ---------------------------------------------------------------- who lives in a place (the places pages)

def people_per_place(actor, key: str, ids) -> dict[int, int]:
    """{place id: number of registered people the actor sees there} in one GROUP BY query; `key` is the
    place's field on a person (community_id, compound_id, building_id or household_id)."""
    ids = list(ids)
    if not ids:
        return {}
    rows = (Person.objects.for_actor(actor, "view").filter(**{f"{key}__in": ids}).order_by()
            .values(key).annotate(n=Count("pk")))
    return {row[key]: row["n"] for row in rows}


def household_members(actor, household) -> list[Person]:
    """The people registered in a household that the actor may see (masked on the page), head first."""
    return list(
        Person.objects.for_actor(actor, "view").filter(household=household)
        .defer("doc_number", "address")
        .order_by(Case(When(relation="head", then=0), default=1), "-is_representative", "id")
    )
