"""Chinese text for the library (pure): segmentation, query plans, ranking, highlighting, similarity.

Text is segmented with jieba in search mode (a long word also yields its parts: 新型冠状病毒 → 新型,
冠状, 病毒, 新型冠状病毒) and stored as space-separated tokens; both search backends index those tokens
as they are, so SQLite FTS5 and PostgreSQL see exactly the same words. A query is segmented precisely,
stripped of filler words, and each word becomes a *term*: the word, its synonyms, and its parts.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.utils.safestring import SafeString

from .synonyms import canonical, synonyms_of

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
# Letters and digits of any script, never punctuation or "_": FTS5's unicode61 tokenizer splits the same way.
_WORD = re.compile(r"[^\W_]+")
_ASCII_LETTERS = re.compile(r"^[a-z]{2,40}$")

# Words jieba should keep whole in this domain (its general dictionary would split several of them).
DOMAIN_WORDS = (
    "新冠", "新冠肺炎", "新冠病毒", "核酸检测", "抗原检测", "抗原自测", "居家隔离", "集中隔离", "居家观察",
    "密接", "次密接", "密切接触者", "发热门诊", "血氧仪", "指脉氧", "血氧饱和度", "健康码", "行程码",
    "方舱医院", "定点医院", "无症状感染者", "奥密克戎", "德尔塔", "潜伏期", "隔离期", "解除隔离", "封控区",
    "管控区", "防范区", "静默管理", "社区团购", "保供", "代购", "慢性病", "基础病", "续方", "处方药",
    "免洗洗手液", "含氯消毒剂", "84消毒液", "七步洗手法", "医用外科口罩", "一次性医用口罩", "N95", "KN95",
    "心理援助热线", "心理热线", "睡不着", "喘不上气", "呼吸困难", "三区两通道", "一米线", "健康监测",
    "体温监测", "高风险人群", "老年人", "孕产妇", "婴幼儿", "接种点", "加强针", "重症", "轻症",
)

# Filler words that carry no topic: dropped from queries (and from the index, so they never rank).
STOP_WORDS = frozenset("""
的 了 吗 呢 吧 啊 呀 哦 嗯 哈 么 嘛 哪 着 过 地 得 之 与 及 和 或 而 并 且 但 就 都 也 还 又 很 太 更 最
我 你 您 他 她 它 我们 你们 他们 她们 咱们 大家 自己 人家 我家 家里 这 那 这个 那个 这些 那些 这样 那样 这里 那里
是 在 有 没 没有 不 不是 被 把 让 给 对 为 从 向 到 去 来 上 下 中 里 个 些 点 一 一下 一些 一点 一个 有点
要 会 能 可 可以 能否 能不能 可不可以 是否 是不是 需要 需不需要 应该 应当 必须 想 想要 打算
怎么 怎么办 怎样 怎么样 如何 什么 为什么 为何 哪些 哪里 哪儿 多少 多久 几 几天 吗？ 请问 问 问一下
您好 你好 谢谢 感谢 麻烦 老师 医生 大夫 请 帮 帮忙 一直 现在 目前 已经 还是 还有 比如 如果 的话 时候
期间 最近 总是 老是 经常 常常 今天 明天 昨天 这两天 两天 几天 天天 度 次 再 一样 然后 所以 因为 觉得 感觉
""".split())

_LOCK = threading.Lock()
_TOKENIZER = None


def tokenizer():
    """The shared jieba tokenizer with the domain words, loaded once per process (about a second)."""
    global _TOKENIZER
    if _TOKENIZER is None:
        with _LOCK:
            if _TOKENIZER is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                instance = jieba.Tokenizer()
                instance.initialize()
                for word in DOMAIN_WORDS:
                    instance.add_word(word)
                _TOKENIZER = instance
    return _TOKENIZER


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def _words(piece: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(piece)]


def index_tokens(text: str) -> list[str]:
    """Search-mode tokens of `text`, lower-cased, without punctuation and filler words (in text order)."""
    tokens: list[str] = []
    for piece in tokenizer().cut_for_search(normalise(text)):
        for word in _words(piece):
            if word not in STOP_WORDS:
                tokens.append(word)
    return tokens


@lru_cache(maxsize=2048)
def _alternative(word: str) -> tuple[str, ...]:
    """The index tokens a synonym or a word part must all match (one token for most words)."""
    parts = [w for piece in tokenizer().cut(normalise(word)) for w in _words(piece)]
    return tuple(dict.fromkeys(parts)) or (word,)


@dataclass(frozen=True)
class Term:
    """One query word: it matches a text holding any alternative (all tokens of that alternative)."""

    word: str
    alternatives: tuple[tuple[str, ...], ...]

    def matches(self, tokens: set[str] | frozenset[str]) -> bool:
        return any(all(t in tokens for t in alternative) for alternative in self.alternatives)

    @property
    def tokens(self) -> set[str]:
        return {t for alternative in self.alternatives for t in alternative}


@dataclass(frozen=True)
class QueryPlan:
    """What a search looks for: its terms, and the letters typed for a pinyin title search."""

    text: str
    terms: tuple[Term, ...]
    pinyin: str = ""

    def __bool__(self) -> bool:
        return bool(self.terms or self.pinyin)

    @property
    def highlight_words(self) -> set[str]:
        words: set[str] = set()
        for term in self.terms:
            words.add(term.word)
            # Single-word alternatives only: a part of a multi-word alternative (体温 of 体温高) is no match alone.
            words |= {alternative[0] for alternative in term.alternatives if len(alternative) == 1}
            words |= {s.lower() for s in synonyms_of(term.word)}
        return {w for w in words if w}


@lru_cache(maxsize=4096)
def plan_query(text: str) -> QueryPlan:
    """Segment a query into terms with their synonyms and parts (cached: the same words recur all day)."""
    text = normalise(text)[:MAX_QUERY_CHARS]
    jieba = tokenizer()
    words: list[str] = []
    for piece in jieba.cut(text):
        for word in _words(piece):
            # Lone digits come from numbers like 37.5 (split at the point) and would match nearly anything.
            if word not in STOP_WORDS and word not in words and not (word.isdigit() and len(word) == 1):
                words.append(word)
    terms = []
    for word in words[:MAX_TERMS]:
        alternatives: list[tuple[str, ...]] = [(word,)]
        for synonym in sorted(synonyms_of(word)):
            alternative = _alternative(synonym)
            if alternative not in alternatives:
                alternatives.append(alternative)
        if len(word) >= 3:
            # A long word also matches texts that hold its parts (冠状病毒 ↔ 新型冠状病毒肺炎 as 冠状 + 病毒).
            parts = tuple(w for piece in jieba.cut_for_search(word) for w in _words(piece)
                          if w != word and len(w) >= 2)
            if len(parts) >= 2 and parts not in alternatives:
                alternatives.append(tuple(dict.fromkeys(parts)))
        terms.append(Term(word=word, alternatives=tuple(alternatives)))
    compact = text.replace(" ", "").lower()
    pinyin = compact if _ASCII_LETTERS.match(compact) else ""
    return QueryPlan(text=text, terms=tuple(terms), pinyin=pinyin)


# ------------------------------------------------------------------------------------------- ranking

@dataclass(frozen=True)
class Coverage:
    """How many query terms a text holds anywhere, and in its question."""

    anywhere: int
    in_question: int


def coverage(plan: QueryPlan, *, question_tokens: Iterable[str], other_tokens: Iterable[str]) -> Coverage:
    """Count the plan's terms found in the question and in the whole entry (question, tags, answer)."""
    question = set(question_tokens)
    everything = question | set(other_tokens)
    return Coverage(
        anywhere=sum(1 for term in plan.terms if term.matches(everything)),
        in_question=sum(1 for term in plan.terms if term.matches(question)),
    )


def good_suggestion(plan: QueryPlan, found: Coverage) -> bool:
    """Worth showing beside a client's message: shares a question word, and two words (or all there are)."""
    return found.in_question >= 1 and found.anywhere >= min(2, len(plan.terms))


# ------------------------------------------------------------------------------------------- highlight

@lru_cache(maxsize=1024)
def _compiled(words: frozenset[str]) -> re.Pattern | None:
    ordered = sorted((w for w in words if w), key=lambda w: (-len(w), w))
    if not ordered:
        return None
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def highlight(text: str, words: Iterable[str], *, spans: list[tuple[int, int]] | None = None,
              limit: int | None = None) -> SafeString:
    """`text` escaped for HTML with every occurrence of `words` (or the given spans) in <mark>.

    With `limit`, a window of about that many characters around the first match, with … where cut.
    """
    text = text or ""
    found = list(spans or [])
    pattern = _compiled(words if isinstance(words, frozenset) else frozenset(words))
    if pattern is not None:
        found += [(m.start(), m.end()) for m in pattern.finditer(text)]
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    begin, finish = 0, len(text)
    if limit is not None and len(text) > limit:
        first = merged[0][0] if merged else 0
        begin = max(0, min(first - limit // 4, len(text) - limit))
        finish = begin + limit
    out: list[str] = ["…" if begin > 0 else ""]
    cursor = begin
    for start, end in merged:
        if end <= begin or start >= finish:
            continue
        start, end = max(start, begin), min(end, finish)
        out.append(html.escape(text[cursor:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
    out.append(html.escape(text[cursor:finish]))
    if finish < len(text):
        out.append("…")
    return SafeString("".join(out))  # every piece of user text above went through html.escape


# ------------------------------------------------------------------------------------------- pinyin

@lru_cache(maxsize=8192)
def _char_pinyin(char: str) -> str:
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(char, style=Style.NORMAL, errors="default")
    return "".join(syllables).lower()


def pinyin_keys(text: str) -> tuple[str, str]:
    """Full pinyin and initials of a question (letters and digits kept), lower-case, for title search."""
    full, initials = [], []
    for char in normalise(text):
        if not char.isalnum():
            continue
        syllable = _char_pinyin(char) if not char.isascii() else char.lower()
        if syllable and syllable.isascii():
            full.append(syllable)
            initials.append(syllable[0])
    return "".join(full)[:400], "".join(initials)[:200]


def pinyin_spans(text: str, typed: str) -> list[tuple[int, int]]:
    """Character spans of `text` whose initials (or full pinyin) spell `typed`, for highlighting."""
    if not typed:
        return []
    chars: list[tuple[int, str]] = []
    for index, char in enumerate(text or ""):
        if not normalise(char).isalnum():
            continue
        syllable = _char_pinyin(char) if not char.isascii() else char.lower()
        if syllable and syllable.isascii():
            chars.append((index, syllable))
    initials = "".join(s[0] for _i, s in chars)
    at = initials.find(typed)
    if at >= 0:
        return [(chars[at][0], chars[at + len(typed) - 1][0] + 1)]
    offsets, full = [], ""
    for index, syllable in chars:
        offsets.append((len(full), index))
        full += syllable
    at = full.find(typed)
    if at < 0:
        return []
    end = at + len(typed)
    covered = [index for start, index in offsets if start < end and start + len(_char_pinyin(text[index])
                                                                                 if not text[index].isascii()
                                                                                 else 1) > at]
    return [(covered[0], covered[-1] + 1)] if covered else []


# ------------------------------------------------------------------------------------------- similarity

def similarity(tokens_a: Iterable[str], tokens_b: Iterable[str]) -> float:
    """Dice coefficient of two questions' words, synonyms counted as the same word (0 … 1)."""
    a = {canonical(t) for t in tokens_a}
    b = {canonical(t) for t in tokens_b}
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


DUPLICATE_THRESHOLD = 0.6


def question_words(text: str) -> list[str]:
    """Precise-mode words of a question without filler (what two questions are compared on)."""
    words = []
    for piece in tokenizer().cut(normalise(text)):
        for word in _words(piece):
            if word not in STOP_WORDS and word not in words:
                words.append(word)
    return words
