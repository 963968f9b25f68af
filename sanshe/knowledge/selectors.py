"""Reads for the library: scoped fetches, search, suggestions for a client's message, the FAQ, queues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.safestring import SafeString

from sanshe.core.errors import ActionForbidden, ObjectNotFound

from .backends import Filters, backend
from .models import Category, DuplicateFlag, Entry, EntryStatus, EntryVersion
from .text import Coverage, QueryPlan, coverage, good_suggestion, highlight, pinyin_spans, plan_query

SNIPPET_CHARS = 110
EXPIRING_DAYS = 7
LIST_FIELDS = ("pk", "question", "answer", "status", "valid_until", "category__name", "category__field",
               "category_id", "question_tokens", "answer_tokens", "tag_tokens", "reviewed_at", "updated_at",
               "use_count", "created_by_id", "source")


def _today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------- access

def access_entry(*, actor, entry_id: int, action: str = "view", lock: bool = False) -> Entry:
    """The entry if the actor may `action` it: 404 when they cannot even see it, 403 when they only see it."""
    visible = Entry.objects.for_actor(actor, "view").filter(pk=entry_id)
    if action != "view":
        allowed = Entry.objects.for_actor(actor, action).filter(pk=entry_id)
        if lock:
            allowed = allowed.select_for_update(of=("self",))
        entry = allowed.select_related("category").first()
        if entry is None:
            if visible.exists():
                raise ActionForbidden(action)
            raise ObjectNotFound(entry_id)
        return entry
    entry = visible.select_related("category", "created_by", "reviewed_by", "merged_into").first()
    if entry is None:
        raise ObjectNotFound(entry_id)
    return entry


# ---------------------------------------------------------------------------------------------- search

@dataclass
class Hit:
    """One search result: the entry with its matching words marked."""

    entry: Entry
    question_html: SafeString
    answer_html: SafeString
    coverage: Coverage
    rank: float = 0.0
    expired: bool = False


@dataclass
class SearchPage:
    plan: QueryPlan
    hits: list[Hit] = field(default_factory=list)
    # "all": every word matched; "any": none held them all, so partial matches; "" without a query.
    mode: str = ""
    more: bool = False


def _pinyin_ids(plan: QueryPlan, filters: Filters, limit: int) -> list[tuple[int, float]]:
    """Titles whose pinyin initials (or full pinyin) contain the typed letters; initials-prefix first."""
    if not plan.pinyin:
        return []
    queryset = Entry.objects.filter(Q(question_initials__contains=plan.pinyin)
                                    | Q(question_pinyin__contains=plan.pinyin), status__in=filters.statuses)
    if filters.valid_on is not None:
        queryset = queryset.filter(valid_until__gte=filters.valid_on)
    if filters.category_id is not None:
        queryset = queryset.filter(category_id=filters.category_id)
    rows = queryset.values_list("pk", "question_initials").order_by("pk")[:limit * 4]
    scored = [(pk, 1.0 if initials.startswith(plan.pinyin) else 0.5) for pk, initials in rows]
    scored.sort(key=lambda row: (-row[1], row[0]))
    return scored[:limit]


# The columns a result needs (the full row also holds long token strings and pinyin it does not show).
HIT_FIELDS = ("pk", "question", "answer", "status", "valid_until", "reviewed_at", "category__name",
              "category__field", "category__sort_order", "question_tokens", "answer_tokens", "tag_tokens",
              "kind", "debunk_source", "debunk_link")


def _run(plan: QueryPlan, *, filters: Filters, limit: int, queryset, snippet: int | None,
         any_fallback: bool = True, mode: str = "all") -> SearchPage:
    """Match on the engine, then order the candidates the same way on every engine and mark the words."""
    page = SearchPage(plan=plan)
    if not plan:
        return page
    engine = backend()
    # A few more candidates than shown, so that the order by words held (below) can lift a better one up.
    pool = limit * 2
    candidates = engine.search(plan, mode=mode, filters=filters, limit=pool) if plan.terms else []
    page.mode = mode
    if not candidates and mode == "all" and any_fallback and len(plan.terms) > 1:
        candidates = engine.search(plan, mode="any", filters=filters, limit=pool)
        page.mode = "any"
    ranks = dict(candidates)
    pinyin = dict(_pinyin_ids(plan, filters, pool))
    ids = list(ranks) + [pk for pk in pinyin if pk not in ranks]
    if not ids:
        return page
    rows = queryset.filter(pk__in=ids).select_related("category").only(*HIT_FIELDS)
    scored = []
    for entry in rows:
        found = coverage(plan, question_tokens=entry.question_tokens.split(),
                         other_tokens=(entry.tag_tokens + " " + entry.answer_tokens).split())
        scored.append((entry, found))
    # Most query words first, then words in the question, then the engine's own rank; text matches before
    # pinyin-only title matches. The same order on SQLite and PostgreSQL for the same candidates.
    scored.sort(key=lambda row: (-row[1].anywhere, -row[1].in_question, row[0].pk not in ranks,
                                 -ranks.get(row[0].pk, pinyin.get(row[0].pk, 0.0)), row[0].pk))
    page.more = len(scored) > limit
    today = _today()
    words = frozenset(plan.highlight_words)
    for entry, found in scored[:limit]:
        spans = pinyin_spans(entry.question, plan.pinyin) if entry.pk in pinyin else None
        page.hits.append(Hit(
            entry=entry, coverage=found, rank=ranks.get(entry.pk, pinyin.get(entry.pk, 0.0)),
            question_html=highlight(entry.question, words, spans=spans),
            answer_html=highlight(entry.answer, words, limit=snippet),
            expired=entry.status == EntryStatus.PUBLISHED and entry.valid_until is not None
            and entry.valid_until < today,
        ))
    return page


STAFF_STATUSES = {
    "": (EntryStatus.PUBLISHED, EntryStatus.DRAFT),
    "published": (EntryStatus.PUBLISHED,),
    "draft": (EntryStatus.DRAFT,),
    "retired": (EntryStatus.RETIRED, EntryStatus.MERGED),
}


def entry_search(*, actor, text: str, status: str = "", category_id: int | None = None,
                 limit: int = 20) -> SearchPage:
    """Staff search over what the actor may see: all words first, partial matches when nothing holds them all."""
    plan = plan_query(text)
    filters = Filters(statuses=STAFF_STATUSES.get(status, STAFF_STATUSES[""]), category_id=category_id)
    return _run(plan, filters=filters, limit=limit, queryset=Entry.objects.for_actor(actor, "view"),
                snippet=SNIPPET_CHARS)


SUGGEST_TERMS = 5


def suggest_answers(*, text: str, limit: int = 3, today: date | None = None) -> list[Hit]:
    """The best published, still-valid answers for an incoming client message (at most `limit`).

    Any query word may match (a client writes a sentence, not keywords); an answer is offered only when it
    shares a word with the message in its question and holds two of the message's words (or all it has).
    """
    plan = plan_query(text)
    if not plan.terms:
        return []
    if len(plan.terms) > SUGGEST_TERMS:
        # A long message: its longest words say most about it (and every extra OR-ed word costs a full match).
        keep = set(sorted(plan.terms, key=lambda t: (-len(t.word), plan.terms.index(t)))[:SUGGEST_TERMS])
        plan = QueryPlan(text=plan.text, terms=tuple(t for t in plan.terms if t in keep))
    filters = Filters(statuses=(EntryStatus.PUBLISHED,), valid_on=today or _today())
    page = _run(plan, filters=filters, limit=max(limit * 4, 12), queryset=Entry.objects.all(), snippet=None,
                any_fallback=False, mode="any")
    return [hit for hit in page.hits if good_suggestion(plan, hit.coverage)][:limit]


# ---------------------------------------------------------------------------------------------- FAQ

@dataclass
class FaqSection:
    category: Category
    hits: list[Hit]
    total: int


FAQ_PER_SECTION = 8
FAQ_CATEGORY_MAX = 300


def faq_sections(*, text: str = "", category_id: int | None = None, today: date | None = None) -> list[FaqSection]:
    """Published, still-valid entries by category, or the search results for `text` grouped the same way."""
    today = today or _today()
    categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "pk"))
    live = Entry.objects.published(today=today)
    if text.strip():
        page = _run(plan_query(text), filters=Filters(statuses=(EntryStatus.PUBLISHED,), valid_on=today,
                                                        category_id=category_id),
                    limit=40, queryset=live, snippet=None)
        by_category: dict[int | None, list[Hit]] = {}
        for hit in page.hits:
            by_category.setdefault(hit.entry.category_id, []).append(hit)
        return [FaqSection(category=c, hits=by_category[c.pk], total=len(by_category[c.pk]))
                for c in categories if c.pk in by_category]
    counts = dict(live.values_list("category_id").annotate(n=Count("pk")).values_list("category_id", "n"))
    sections = []
    for category in categories:
        if not counts.get(category.pk) or (category_id and category.pk != category_id):
            continue
        limit = FAQ_CATEGORY_MAX if category_id else FAQ_PER_SECTION
        rows = list(live.filter(category=category).order_by("-use_count", "-reviewed_at", "pk")[:limit])
        sections.append(FaqSection(category=category, total=counts[category.pk], hits=[
            Hit(entry=e, question_html=highlight(e.question, ()), answer_html=highlight(e.answer, ()),
                coverage=Coverage(0, 0)) for e in rows]))
    return sections


# ---------------------------------------------------------------------------------------------- lists

def entry_list(*, actor, status: str = "", category_id: int | None = None, page: int = 1,
               per_page: int = 20) -> tuple[list[Entry], bool]:
    """Browsing without a query: newest changes first; (rows, there is a next page)."""
    queryset = Entry.objects.for_actor(actor, "view").filter(status__in=STAFF_STATUSES.get(status,
                                                                                           STAFF_STATUSES[""]))
    if category_id:
        queryset = queryset.filter(category_id=category_id)
    start = (max(page, 1) - 1) * per_page
    rows = list(queryset.select_related("category").order_by("-updated_at", "-pk")[start:start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


@dataclass
class ReviewQueue:
    drafts: list[Entry]
    expired: list[Entry]
    expiring: list[Entry]
    flagged_ids: set[int]


def review_queue(*, actor, today: date | None = None) -> ReviewQueue:
    """What waits for this reviewer: drafts in their fields, expired answers to re-review, those about to expire."""
    today = today or _today()
    reviewable = Entry.objects.for_actor(actor, "review").select_related("category", "created_by")
    drafts = list(reviewable.filter(status=EntryStatus.DRAFT).order_by("created_at", "pk")[:200])
    expired = list(reviewable.filter(status=EntryStatus.PUBLISHED, valid_until__lt=today)
                   .order_by("valid_until", "pk")[:200])
    expiring = list(reviewable.filter(status=EntryStatus.PUBLISHED, valid_until__gte=today,
                                      valid_until__lte=today + timedelta(days=EXPIRING_DAYS))
                    .order_by("valid_until", "pk")[:200])
    flagged = set(DuplicateFlag.objects.filter(entry__in=[d.pk for d in drafts], dismissed_at__isnull=True)
                  .values_list("entry_id", flat=True))
    return ReviewQueue(drafts=drafts, expired=expired, expiring=expiring, flagged_ids=flagged)


def review_counts(*, actor, today: date | None = None) -> dict[str, int]:
    """Counts for a home-page panel: drafts waiting and expired answers, in the actor's fields."""
    from sanshe.accounts.policies import scope_for

    from .policies import review_fields

    if not review_fields(scope_for(actor)):
        return {"drafts": 0, "expired": 0}
    today = today or _today()
    reviewable = Entry.objects.for_actor(actor, "review")
    return reviewable.aggregate(
        drafts=Count("pk", filter=Q(status=EntryStatus.DRAFT)),
        expired=Count("pk", filter=Q(status=EntryStatus.PUBLISHED, valid_until__lt=today)),
    )


@dataclass
class EntryDetail:
    entry: Entry
    versions: list[EntryVersion]
    flags: list[DuplicateFlag]
    merged: list[Entry]
    can_edit: bool
    can_review: bool
    expired: bool
    source_url: str


def entry_detail(*, actor, entry: Entry) -> EntryDetail:
    """An entry with its versions (editor, reviewer), open duplicate flags, merged entries and rights."""
    from django.urls import reverse

    versions = list(EntryVersion.objects.filter(entry=entry).select_related("editor", "reviewer")
                    .order_by("-number"))
    can_review = Entry.objects.for_actor(actor, "review").filter(pk=entry.pk).exists()
    can_edit = can_review or (entry.status == EntryStatus.DRAFT and entry.created_by_id == actor.pk)
    flags = []
    if can_review:
        flags = list(DuplicateFlag.objects.filter(entry=entry, dismissed_at__isnull=True)
                     .filter(similar__status__in=[EntryStatus.DRAFT, EntryStatus.PUBLISHED])
                     .select_related("similar__category").order_by("-score"))
    merged = list(Entry.objects.for_actor(actor, "view").filter(merged_into=entry).order_by("pk"))
    source_url = ""
    if entry.source_question_id:
        from sanshe.groups.models import Message

        visible = Message.objects.for_actor(actor, "view").filter(pk=entry.source_question_id)
        if visible.exists():
            base = (reverse("groups:thread", args=[entry.source_thread_id]) if entry.source_thread_id
                    else reverse("groups:chat", args=[entry.source_group_id]))
            source_url = f"{base}#m{entry.source_question_id}"
    expired = entry.status == EntryStatus.PUBLISHED and entry.valid_until is not None and entry.valid_until < _today()
    return EntryDetail(entry=entry, versions=versions, flags=flags, merged=merged, can_edit=can_edit,
                       can_review=can_review, expired=expired, source_url=source_url)


def reviewable_categories(*, actor):
    """Active categories the actor may file entries under when reviewing (all of them for drafting)."""
    from sanshe.accounts.policies import scope_for

    from .policies import review_fields

    fields = review_fields(scope_for(actor))
    categories = Category.objects.filter(is_active=True).order_by("sort_order", "pk")
    if not fields or None in fields:
        return categories
    return categories.filter(field__in=[f for f in fields if f is not None])


def export_entries(*, actor):
    """Every entry the actor may see, for the xlsx export (merged ones too, pointing to their target)."""
    return (Entry.objects.for_actor(actor, "view").select_related("category", "reviewed_by", "created_by")
            .prefetch_related("tags").order_by("pk"))




# ---------------------------------------------------------------------------------------------- chat

STAFF_MEMBER_ROLES = frozenset({"admin", "social_worker", "community_worker", "secretary", "medical",
                                "psychological"})
CLIENT_MEMBER_ROLES = frozenset({"client", "resident"})


def member_role(*, group_id: int, user_id: int | None) -> str | None:
    """The user's role in the group (whether or not they are still in it), or None."""
    from sanshe.groups.models import GroupMember

    if user_id is None:
        return None
    return GroupMember.objects.filter(group_id=group_id, user_id=user_id).values_list("role", flat=True).first()


def works_in_group(*, actor, group) -> bool:
    """An active staff member of the group, or someone who manages it."""
    from sanshe.groups.models import GroupMember, MemberStatus
    from sanshe.groups.selectors import can_manage

    return GroupMember.objects.filter(group=group, user=actor, status=MemberStatus.ACTIVE,
                                      role__in=STAFF_MEMBER_ROLES).exists() or can_manage(actor=actor, group=group)


def chat_client_messages(*, actor, group, thread, ids: list[int]) -> tuple[list[int], list[int]]:
    """Of the given messages of one stream: (sent by a client or resident, and of those the questions)."""
    from sanshe.groups.models import GroupMember, Message, MessageStatus

    rows = list(Message.objects.for_actor(actor, "view").filter(group=group, thread=thread, pk__in=ids[:200],
                                                                 status=MessageStatus.PUBLISHED)
                .values_list("pk", "sender_id", "is_question"))
    clients = set(GroupMember.objects.filter(group=group, role__in=CLIENT_MEMBER_ROLES,
                                             user_id__in={s for _p, s, _q in rows if s})
                  .values_list("user_id", flat=True))
    from_clients = [pk for pk, sender, _q in rows if sender in clients]
    return from_clients, [pk for pk, sender, question in rows if sender in clients and question]


def chat_replies(*, message, limit: int = 20) -> list:
    """Staff messages after a client's question in the same stream (candidates for its answer)."""
    from sanshe.groups.models import GroupMember, Message, MessageStatus

    staff = set(GroupMember.objects.filter(group_id=message.group_id, role__in=STAFF_MEMBER_ROLES)
                .values_list("user_id", flat=True)) | {message.group.admin_id}
    return list(Message.objects.filter(group_id=message.group_id, thread_id=message.thread_id,
                                       status=MessageStatus.PUBLISHED, seq__gt=message.seq or 0,
                                       sender_id__in=staff).exclude(body="")
                .select_related("sender").order_by("seq")[:limit])

