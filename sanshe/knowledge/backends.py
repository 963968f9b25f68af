"""One search interface, two engines: SQLite FTS5 and PostgreSQL full-text search.

Both index the same jieba tokens (written by the services in the entry's own transaction) and answer the
same query plan: within a term its alternatives are OR-ed (synonyms, word parts), and terms are AND-ed
("all") or OR-ed ("any"). Both weight the question over the tags over the answer — FTS5's bm25 with
column weights 10/4/1, PostgreSQL's ts_rank with the weights A/B/D (1.0/0.4/0.1) — and return the best
candidates; the caller orders them the same way on both (by how many terms each holds, see selectors).

PostgreSQL's vector is built here from the tokens (`'word':1A`) and cast, not parsed by to_tsvector:
its parser drops Chinese characters under a C locale, and the tokens are final anyway ("simple").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection

from .text import QueryPlan, Term

FTS_TABLE = "knowledge_entry_fts"
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position


@dataclass(frozen=True)
class Filters:
    """Which entries a search may return (applied in the same SQL statement as the match)."""

    statuses: tuple[str, ...] = ("published",)
    valid_on: date | None = None  # only entries valid on this day
    category_id: int | None = None
    exclude_ids: tuple[int, ...] = ()


def _where(filters: Filters, alias: str = "e") -> tuple[str, list]:
    clauses = [f"{alias}.status IN ({', '.join(['%s'] * len(filters.statuses))})"]
    params: list = list(filters.statuses)
    if filters.valid_on is not None:
        clauses.append(f"{alias}.valid_until >= %s")
        params.append(filters.valid_on)
    if filters.category_id is not None:
        clauses.append(f"{alias}.category_id = %s")
        params.append(filters.category_id)
    if filters.exclude_ids:
        clauses.append(f"{alias}.id NOT IN ({', '.join(['%s'] * len(filters.exclude_ids))})")
        params.extend(filters.exclude_ids)
    return " AND ".join(clauses), params


class SqliteBackend:
    """FTS5 virtual table `knowledge_entry_fts` (rowid = entry id), unicode61 over the space-joined tokens."""

    vendor = "sqlite"

    @staticmethod
    def _token(token: str) -> str:
        return '"' + token.replace('"', '""') + '"'

    def _term(self, term: Term) -> str:
        options = [" AND ".join(self._token(t) for t in alt) if len(alt) > 1 else self._token(alt[0])
                   for alt in term.alternatives]
        return "(" + " OR ".join(f"({o})" if " AND " in o else o for o in options) + ")"

    def expression(self, plan: QueryPlan, *, mode: str) -> str:
        """The MATCH expression for the plan ("all": every term, "any": at least one)."""
        joiner = " AND " if mode == "all" else " OR "
        return joiner.join(self._term(term) for term in plan.terms)

    def search(self, plan: QueryPlan, *, mode: str, filters: Filters, limit: int) -> list[tuple[int, float]]:
        """(entry id, score — higher is better) of the best `limit` matches.

        The index is ranked first and only its best few hundred rows are joined to the entries for the status
        and date filters (joining every match of a common word costs more than ranking it); when the filters
        leave too few of those, the whole match is joined.
        """
        if not plan.terms:
            return []
        where, params = _where(filters)
        expression = self.expression(plan, mode=mode)
        rank = f"bm25({FTS_TABLE}, 10.0, 4.0, 1.0)"
        best = (f"SELECT e.id, f.rank FROM (SELECT rowid, {rank} AS rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                f"ORDER BY rank LIMIT %s) AS f JOIN knowledge_entry e ON e.id = f.rowid "
                f"WHERE {where} ORDER BY f.rank LIMIT %s")
        with connection.cursor() as cursor:
            cursor.execute(best, [expression, max(limit * 5, 200), *params, limit])
            rows = cursor.fetchall()
            if len(rows) < limit:
                cursor.execute(f"SELECT e.id, {rank} AS rank FROM {FTS_TABLE} "
                               f"JOIN knowledge_entry e ON e.id = {FTS_TABLE}.rowid "
                               f"WHERE {FTS_TABLE} MATCH %s AND {where} ORDER BY rank LIMIT %s",
                               [expression, *params, limit])
                rows = cursor.fetchall()
        return [(row[0], -row[1]) for row in rows]

    def raw_search(self, expression: str, *, limit: int) -> list[int]:
        """The bare engine query, for the benchmark: match and rank, nothing else."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                           f"ORDER BY bm25({FTS_TABLE}, 10.0, 4.0, 1.0) LIMIT %s", [expression, limit])
            return [row[0] for row in cursor.fetchall()]

    def index(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        """(id, question tokens, tag tokens, answer tokens) rows, replacing what was indexed for those ids."""
        if not rows:
            return
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 500):
                chunk = rows[start:start + 500]
                ids = [row[0] for row in chunk]
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({', '.join(['%s'] * len(ids))})", ids)
                cursor.executemany(f"INSERT INTO {FTS_TABLE}(rowid, question, tags, answer) VALUES (%s, %s, %s, %s)",
                                   list(chunk))

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(question: str, tags: str, answer: str) -> str:
    """A tsvector in PostgreSQL's input syntax: question words weight A, tags B, answer D, with positions."""
    positions: dict[str, list[str]] = {}
    position = 0
    for text, weight in ((question, "A"), (tags, "B"), (answer, "")):
        for token in text.split():
            position = min(position + 1, MAX_POSITION)
            positions.setdefault(token, []).append(f"{position}{weight}")
    return " ".join(f"{_lexeme(token)}:{','.join(places[:256])}" for token, places in positions.items())


class PostgresBackend:
    """A `search_vector tsvector` column on knowledge_entry with a GIN index, ranked by ts_rank."""

    vendor = "postgresql"
    WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A

    def _term(self, term: Term) -> str:
        options = [" & ".join(_lexeme(t) for t in alt) for alt in term.alternatives]
        return "(" + " | ".join(f"({o})" if " & " in o else o for o in options) + ")"

    def expression(self, plan: QueryPlan, *, mode: str) -> str:
        joiner = " & " if mode == "all" else " | "
        return joiner.join(self._term(term) for term in plan.terms)

    def search(self, plan: QueryPlan, *, mode: str, filters: Filters, limit: int) -> list[tuple[int, float]]:
        if not plan.terms:
            return []
        where, params = _where(filters)
        sql = ("SELECT e.id, ts_rank(%s::float4[], e.search_vector, q.query) AS rank "
               "FROM knowledge_entry e, CAST(%s AS tsquery) AS q(query) "
               f"WHERE e.search_vector @@ q.query AND {where} ORDER BY rank DESC, e.id LIMIT %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.WEIGHTS, self.expression(plan, mode=mode), *params, limit])
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def raw_search(self, expression: str, *, limit: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM knowledge_entry, CAST(%s AS tsquery) AS q(query) "
                           "WHERE search_vector @@ q.query "
                           "ORDER BY ts_rank(%s::float4[], search_vector, q.query) DESC LIMIT %s",
                           [expression, self.WEIGHTS, limit])
            return [row[0] for row in cursor.fetchall()]

    def index(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany("UPDATE knowledge_entry SET search_vector = CAST(%s AS tsvector) WHERE id = %s",
                               [(tsvector_literal(q, t, a), pk) for pk, q, t, a in rows])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE knowledge_entry SET search_vector = NULL")


_BACKENDS = {"sqlite": SqliteBackend(), "postgresql": PostgresBackend()}


def backend() -> SqliteBackend | PostgresBackend:
    """The engine for the current database."""
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:
        raise RuntimeError(f"资源库全文检索不支持数据库 {connection.vendor}（支持 SQLite 和 PostgreSQL）") from None


def index_rows(entries: Iterable) -> list[tuple[int, str, str, str]]:
    return [(e.pk, e.question_tokens, e.tag_tokens, e.answer_tokens) for e in entries]
