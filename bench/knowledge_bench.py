"""Resource library search over 50,000 entries: p50/p95 through the search interface vs the bare engine query
of the same terms in the same run (target: within 2×), and suggestion latency for incoming client messages.

The entries are the demo's 224 reviewed questions and answers, varied per community and with a sentence of
another answer appended, written with bulk_create and indexed through the same code the services use
(jieba tokens → FTS5 on SQLite, tsvector + GIN on PostgreSQL) — without auditing 50,000 inserts.

"Interface" is `selectors.entry_search` as a social worker would call it (segmentation with synonyms, the
engine query with status filters joined in, the scoped fetch of the rows, ordering and highlighting);
"engine" is the raw MATCH (or @@) query of the same expression, ranked and limited, returning ids only.
Segmentation runs cold for every query (its cache is cleared), so the interface pays it each time.
Sizes: BENCH_KNOWLEDGE_ENTRIES (50000), BENCH_REPEAT (30 runs per query).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import timedelta

ENTRIES = int(os.environ.get("BENCH_KNOWLEDGE_ENTRIES", "50000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
TARGET_RATIO = 2.0
BATCH = 2000

QUERIES = ["口罩", "孩子 发烧", "宝宝发热怎么办", "隔离 快递", "失眠", "新冠 症状", "老人 就医", "买菜",
           "疫苗 反应", "手机 消毒", "抗原 阳性", "kz", "居家隔离期间可以出门吗", "焦虑"]
MESSAGES = [
    "您好，我家老人这两天有点咳嗽，体温37.5度，需要去医院吗？",
    "被隔离在家好几天了，感觉很孤独、很烦躁，晚上也睡不着，有什么办法吗？",
    "孩子发烧38度，在家可以先观察吗？",
    "小区封了，家里快没菜了，怎么买？",
    "我妈有高血压，药快吃完了，怎么办",
    "口罩要多久换一次啊",
    "快递拿回来要不要消毒？",
    "谢谢医生！",
]
COMMUNITIES = [f"{a}{b}社区" for a in "民族 友谊 新华 花桥 唐家墩 常青 万松 汉兴 北湖 前进".split()
               for b in "一 二 三 四 五 六 七 八 九 十 东 西 南 北 中".split()]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return p50 * 1000, p95 * 1000


def _build(total: int):
    """50,000 published entries (varied demo answers) with tokens and the engine's index; returns a reviewer."""
    from django.db import transaction
    from django.utils import timezone

    from sanshe.accounts.models import Membership, Organisation, User
    from sanshe.accounts.roles import OrganisationKind, Role
    from sanshe.knowledge.backends import backend, index_rows
    from sanshe.knowledge.demo_entries import ALL_ENTRIES
    from sanshe.knowledge.models import Category, Entry, EntrySource, EntryStatus
    from sanshe.knowledge.services import ensure_default_categories
    from sanshe.knowledge.text import index_tokens, pinyin_keys

    rng = random.Random(2020)
    ensure_default_categories()
    categories = {c.name: c for c in Category.objects.all()}
    tag = f"{os.getpid()}{int(time.time()) % 100000}"
    org = Organisation.objects.create(name=f"基准测试资源库机构{tag}", kind=OrganisationKind.SOCIAL_WORK)
    reviewer = User.objects.create(username=f"bench-kb-{tag}", display_name="基准社工")
    Membership.objects.create(user=reviewer, organisation=org, role=Role.SOCIAL_WORKER)
    sentences = sorted({s.strip() + "。" for _c, _q, a, _t in ALL_ENTRIES for s in a.split("。") if len(s.strip()) > 6})
    tokens: dict[str, str] = {}

    def tok(text: str) -> str:
        if text not in tokens:
            tokens[text] = " ".join(index_tokens(text))
        return tokens[text]

    today = timezone.localdate()
    now = timezone.now()
    engine = backend()
    started = time.perf_counter()
    made = 0
    while made < total:
        rows = []
        for index in range(made, min(made + BATCH, total)):
            category_name, question, answer, tags = ALL_ENTRIES[index % len(ALL_ENTRIES)]
            place = COMMUNITIES[(index // len(ALL_ENTRIES)) % len(COMMUNITIES)]
            extra = rng.choice(sentences)
            full_question = f"（{place}）{question}"
            full_answer = f"{answer}{extra}"[:2000]
            category = categories[category_name]
            full, initials = pinyin_keys(full_question)
            rows.append(Entry(
                question=full_question, answer=full_answer, category=category, status=EntryStatus.PUBLISHED,
                valid_until=today + timedelta(days=30 + index % 60), reviewed_by=reviewer, reviewed_at=now,
                first_published_at=now, created_by=reviewer, source=EntrySource.IMPORT,
                question_tokens=tok(place) + " " + tok(question), answer_tokens=tok(answer) + " " + tok(extra),
                tag_tokens=tok(" ".join([*tags.replace("、", " ").split(), category_name])),
                question_pinyin=full, question_initials=initials,
            ))
        with transaction.atomic():
            created = Entry.objects.bulk_create(rows)
            engine.index(index_rows(created))
        made += len(rows)
        if made % 10000 == 0 or made == total:
            print(f"  … {made:,} 条（{time.perf_counter() - started:.0f} 秒）", flush=True)
    return reviewer


def main() -> None:
    """Build the library, then time the interface against the raw engine query, and suggestions."""
    from django.apps import apps

    if not apps.ready:  # run directly: let the harness make a fresh database first
        from bench.__main__ import main as run_benchmarks

        sys.exit(run_benchmarks(["knowledge_bench"]))
    from django.db import connection

    from sanshe.knowledge import selectors
    from sanshe.knowledge.backends import backend
    from sanshe.knowledge.text import plan_query, tokenizer

    print(f"数据库：{connection.vendor}；{ENTRIES:,} 条已发布条目；每个查询测 {REPEAT} 次。", flush=True)
    tokenizer()  # load jieba's dictionary once (about a second), as a running server has
    reviewer = _build(ENTRIES)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE knowledge_entry")
    engine = backend()

    interface: list[float] = []
    raw: list[float] = []
    pinyin_only: list[float] = []
    print(f"\n{'查询':<16}{'结果':>6}{'接口 p50':>10}{'引擎 p50':>10}{'比值':>7}", flush=True)
    for text in QUERIES:
        page = selectors.entry_search(actor=reviewer, text=text)  # warm the connection and the page cache
        expression = engine.expression(plan_query(text), mode=page.mode or "all") if plan_query(text).terms else ""
        mine, bare = [], []
        for _run in range(REPEAT):
            plan_query.cache_clear()
            started = time.perf_counter()
            page = selectors.entry_search(actor=reviewer, text=text)
            mine.append(time.perf_counter() - started)
            if expression:
                started = time.perf_counter()
                engine.raw_search(expression, limit=20)
                bare.append(time.perf_counter() - started)
        if bare:  # like with like: the pinyin-only query has no engine query to compare with
            interface += mine
            raw += bare
        else:
            pinyin_only += mine
        m50 = _percentiles(mine)[0]
        r50 = _percentiles(bare)[0] if bare else float("nan")
        shown = f"{len(page.hits)}{'+' if page.more else ''}"
        print(f"{text:<16}{shown:>6}{m50:>9.2f}ms{r50:>9.2f}ms{m50 / r50 if bare else float('nan'):>6.2f}×",
              flush=True)
    i50, i95 = _percentiles(interface)
    r50, r95 = _percentiles(raw)
    print(f"\n检索接口（entry_search）：p50 {i50:.2f} ms，p95 {i95:.2f} ms", flush=True)
    print(f"同一查询的裸全文检索：    p50 {r50:.2f} ms，p95 {r95:.2f} ms", flush=True)
    ratio50, ratio95 = i50 / r50, i95 / r95
    verdict = "达标" if ratio50 <= TARGET_RATIO and ratio95 <= TARGET_RATIO else "未达标"
    print(f"比值：p50 {ratio50:.2f}×，p95 {ratio95:.2f}×（目标 ≤ {TARGET_RATIO:.0f}×）：{verdict}", flush=True)
    if pinyin_only:
        k50, k95 = _percentiles(pinyin_only)
        print(f"拼音首字母标题检索（不走全文索引，不计入比值）：p50 {k50:.2f} ms，p95 {k95:.2f} ms", flush=True)

    latencies: list[float] = []
    for message in MESSAGES:
        for _run in range(REPEAT):
            plan_query.cache_clear()
            started = time.perf_counter()
            hits = selectors.suggest_answers(text=message)
            latencies.append(time.perf_counter() - started)
        print(f"  推荐 {len(hits)} 条：{message[:24]}", flush=True)
    s50, s95 = _percentiles(latencies)
    print(f"来信推荐答复（suggest_answers）：p50 {s50:.2f} ms，p95 {s95:.2f} ms", flush=True)


if __name__ == "__main__":
    main()
