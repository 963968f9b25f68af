"""Group rules (在线工作守则 第四条) as word lists matched on Chinese text. Pure: no database.

Chinese has no word boundaries, so terms are matched as substrings of a normalised text (NFKC, lower
case, spaces and filler punctuation removed so that "色 情" or "色.情" still match). A term may contain
`*` for "up to eight characters of anything" (喝*白酒*预防). All terms of an organisation compile into
one regular expression per category, built once and cached by the caller.

Links are read from the original text: a link whose domain is not on the organisation's approved list
is "unapproved news"; a forwarded-article marker (转发, 转自, 来源：) counts the same way; during a new
member's probation every link and forward is held whatever its source.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sanshe.rules.chatrisk.prefilter import gate_module

from . import claims

SUPERSTITION = "superstition"
RUMOUR = "rumour"
NEGATIVE = "negative"
VIOLENCE = "violence"
PORNOGRAPHY = "pornography"
UNAPPROVED_NEWS = "unapproved_news"
PANIC = "panic"
INCITEMENT = "incitement"
PRIVATE_DATA = "private_data"
CATEGORIES = (SUPERSTITION, RUMOUR, NEGATIVE, VIOLENCE, PORNOGRAPHY, UNAPPROVED_NEWS, PANIC, INCITEMENT, PRIVATE_DATA)

# Defaults shipped with the product; each organisation may edit its own lists.
DEFAULT_TERMS: dict[str, tuple[str, ...]] = {
    SUPERSTITION: (
        "符水", "驱邪", "辟邪", "神水", "开光", "作法驱", "跳大神", "烧香*防*病毒", "拜佛*治", "转发*保平安",
        "转发*消灾", "不转*倒霉", "不转*不得好", "放鞭炮*驱*病毒", "贴符", "神仙保佑*不用", "念经*治好",
    ),
    RUMOUR: (
        "喝白酒*预防", "喝酒*杀*病毒", "熏醋*病毒", "熏醋*预防", "板蓝根*预防", "双黄连*预防", "盐水漱口*病毒",
        "吹热风*杀*病毒", "吸烟*预防", "抽烟*预防", "吃大蒜*预防", "大蒜*杀*病毒", "香油*预防", "芝麻油*预防",
        "偏方*治好", "偏方*根治", "特效药*根治", "包治", "根治新冠", "疫苗*绝育", "疫苗*致死率", "病毒是*人造",
        "内部消息", "小道消息", "内部人士", "封城*明天", "明天*封城",
        "全城*停水", "全城*断电", "喝热水*杀死*病毒", "高温*能杀死*新冠", "吃抗生素*预防", "口罩*消毒*重复用",
    ),
    NEGATIVE: (
        "滚出*小区", "外地人滚", "武汉人滚", "病人都该死", "感染者*该死", "阳性*该死", "都得死", "全都得死",
        "等死吧", "世界末日", "全城沦陷", "要完蛋了大家", "活该感染", "活该被感染", "打死*病人", "烧死*病人",
        "赶出*小区", "封死*门",
    ),
    VIOLENCE: (
        "砍死", "捅死", "炸死", "杀了他", "杀了你", "弄死你", "杀人", "炸药", "爆炸物", "制作炸弹", "报复社会",
        "恐怖袭击", "血腥视频", "斩首", "砍人", "放火烧",
    ),
    PORNOGRAPHY: (
        "色情", "裸聊", "约炮", "黄色网站", "黄网", "成人视频", "一夜情", "援交", "招嫖", "上门服务*小姐",
        "看片*加微信", "裸照", "av女优", "av资源",
    ),
    UNAPPROVED_NEWS: (
        "转发自", "转载自", "来源:", "来源公众号", "据*报道", "刚刚*通报", "最新消息*扩散", "看完*转发",
        "公众号文章", "阅读原文", "紧急扩散", "速转", "快转发", "不转不是", "转给所有人",
    ),
    PANIC: (
        "赶紧囤", "快去抢", "快去囤", "抓紧囤", "赶快囤", "明天就买不到", "马上要断货", "再不买就没了", "能囤多少囤多少",
    ),
    INCITEMENT: (
        "都别去做核酸", "别去做核酸", "大家别配合", "都不要配合", "一起冲出去", "冲出小区", "砸了卡口", "拆了围挡",
        "拒绝做核酸", "抵制封控",
    ),
    # Found by claims.private_data (ID numbers, phone numbers, diagnoses about a named person); an organisation
    # may add words of its own (病历号, 住院号, …).
    PRIVATE_DATA: (),
}

# Sources the platform trusts by default: governments, the health authorities, WHO and the official
# rumour-refuting platform. An organisation adds its own.
DEFAULT_APPROVED_DOMAINS: tuple[str, ...] = (
    "gov.cn", "nhc.gov.cn", "chinacdc.cn", "who.int", "piyao.org.cn", "xinhuanet.com", "news.cn",
    "people.com.cn", "cctv.com",
)

# Words that turn a rumour into its refutation ("喝白酒能预防新冠是谣言").
_DEBUNK = re.compile(r"谣言|辟谣|不实|是假的|假消息|不可信|没有科学依据|不能预防|无法预防|不要相信|别信|不要信")

_FILLER = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\.\-_·*~、，,。!！?？…'\"“”‘’()（）\[\]【】<>《》|/\\]+")
_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+|"
                  r"(?<![a-z0-9.@-])[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63})*\.(?:com|cn|net|org|int|info|top|xyz|cc|me|io)"
                  r"(?:/[^\s\u4e00-\u9fff]*)?", re.IGNORECASE)
_FORWARD_MARKERS = re.compile(r"转发自|转自|【转】|【转发】|来源[:：]|分享自|来自公众号|阅读原文")
_GAP = ".{0,8}?"
# How a private-data finding is named in the held reason (like a rule list's words: Chinese data, not UI).
_PRIVATE_WORDS = {"id_number": "身份证号", "phone": "手机号", "diagnosis": "他人病情或检测结果"}
# A one-character term would hold half of all messages; the editing form refuses it.
MIN_TERM_CHARS = 2


def normalise(text: str) -> str:
    """What terms are matched against: NFKC, lower case, spaces and filler punctuation removed."""
    return _FILLER.sub("", claims.nfkc(text or "").lower())


def normalise_term(term: str) -> str:
    """A rule term in matchable form; `*` (a gap) survives normalisation."""
    parts = [normalise(part) for part in term.split("*")]
    return "*".join(p for p in parts if p)


def parse_terms(text: str) -> list[str]:
    """One term per line (blank lines and # comments ignored), normalised, without duplicates."""
    seen: dict[str, None] = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        term = normalise_term(line)
        if len(term.replace("*", "")) >= MIN_TERM_CHARS:
            seen.setdefault(term, None)
    return list(seen)


def parse_domains(text: str | Iterable[str]) -> list[str]:
    """Domains one per line or comma-separated: lower case, no scheme, no "www.", no path."""
    lines = text.replace(",", "\n").replace("，", "\n").splitlines() if isinstance(text, str) else list(text)
    result: dict[str, None] = {}
    for line in lines:
        value = line.strip().lower()
        if not value or value.startswith("#"):
            continue
        if "//" not in value:
            value = "//" + value
        host = urlsplit(value).hostname or ""
        host = host.removeprefix("www.")
        if host and "." in host:
            result.setdefault(host, None)
    return list(result)


def _compile(terms: Iterable[str]) -> re.Pattern[str] | None:
    # Longest first so that the reported term is the most specific one.
    parts = sorted({t for t in terms if len(t.replace("*", "")) >= MIN_TERM_CHARS}, key=len, reverse=True)
    if not parts:
        return None
    return re.compile("|".join(_GAP.join(re.escape(p) for p in term.split("*")) for term in parts))


@dataclass(frozen=True)
class RuleMatch:
    category: str
    term: str


@dataclass(frozen=True)
class Verdict:
    """What the rules say about one message."""

    matches: tuple[RuleMatch, ...] = ()
    links: tuple[str, ...] = ()
    unapproved_links: tuple[str, ...] = ()
    forwarded: bool = False
    # The rumour-base entry the message repeats (its debunk is offered to the admin as a one-tap reply).
    rumour: claims.RumourMatch | None = None
    private: tuple[claims.PrivateFinding, ...] = ()

    @property
    def categories(self) -> list[str]:
        seen: dict[str, None] = {}
        for match in self.matches:
            seen.setdefault(match.category, None)
        return list(seen)

    @property
    def holds(self) -> bool:
        return bool(self.matches)


@dataclass
class RuleBook:
    """An organisation's compiled rule lists and approved domains."""

    terms: Mapping[str, Iterable[str]] = field(default_factory=lambda: DEFAULT_TERMS)
    approved_domains: Iterable[str] = DEFAULT_APPROVED_DOMAINS
    # Categories the organisation switched off: neither their words nor the built-in readers of claims hold.
    disabled: Iterable[str] = ()
    # Whether the statistical second opinion (`sanshe.groups.modstat`) may hold what the rules let through.
    model: bool = True

    def __post_init__(self) -> None:
        self._disabled = frozenset(self.disabled)
        self._patterns = {cat: _compile(normalise_term(t) for t in self.terms.get(cat, ())) for cat in CATEGORIES}
        self._domains = tuple(parse_domains(self.approved_domains))

    def domain_approved(self, host: str) -> bool:
        host = host.lower().removeprefix("www.")
        return any(host == d or host.endswith("." + d) for d in self._domains)

    def check(self, text: str, *, probation: bool = False, rumours: claims.RumourIndex | None = None) -> Verdict:
        """Match `text` against the word lists, the claim shapes, private data and the rumour base (`rumours`);
        on probation any link or forward is held as unapproved news."""
        norm = normalise(text)
        matches: list[RuleMatch] = []
        for category in CATEGORIES:
            pattern = self._patterns.get(category)
            if pattern is None:
                continue
            found = pattern.search(norm)
            if found is None:
                continue
            if category in (RUMOUR, PANIC, SUPERSTITION) and (_DEBUNK.search(norm) or claims.refutes(text)):
                continue  # a refutation of the rumour, which is what we want people to share
            if category == VIOLENCE and claims.harm.reports_threat(norm):
                continue  # someone reporting a threat: staff must see it at once
            if category == UNAPPROVED_NEWS and (claims.harm.official(norm) or claims.harm.debunked(norm)):
                continue  # a notice naming its official source, or a warning against unsourced forwards
            if category == INCITEMENT and claims.harm.dissuades(norm):
                continue  # talking people out of it ("有人说要拆围挡，我劝一句，别冲动")
            matches.append(RuleMatch(category, found.group(0)))
        rumour = rumours.match(text) if rumours is not None and RUMOUR not in self._disabled else None
        if rumour is not None:
            matches = [m for m in matches if m.category != RUMOUR]
            matches.insert(0, RuleMatch(RUMOUR, rumour.rumour.claim[:40]))
        for shape in claims.shapes(text):
            if shape.category not in self._disabled and not any(m.category == shape.category for m in matches):
                matches.append(RuleMatch(shape.category, shape.text))
        private = tuple(claims.private_data(text)) if PRIVATE_DATA not in self._disabled else ()
        if private and not any(m.category == PRIVATE_DATA for m in matches):
            matches.append(RuleMatch(PRIVATE_DATA, "、".join(_PRIVATE_WORDS.get(f.kind, f.kind) for f in private)))
        original = claims.nfkc(text)
        links = tuple(m.group(0).rstrip(".,;:!?)") for m in _URL.finditer(original))
        unapproved = []
        for link in links:
            host = urlsplit(link if "//" in link else "//" + link).hostname or ""
            if probation or not self.domain_approved(host):
                unapproved.append(link)
        forwarded = bool(_FORWARD_MARKERS.search(original))
        if unapproved and not any(m.category == UNAPPROVED_NEWS for m in matches):
            matches.append(RuleMatch(UNAPPROVED_NEWS, unapproved[0]))
        if probation and forwarded and not any(m.category == UNAPPROVED_NEWS for m in matches):
            matches.append(RuleMatch(UNAPPROVED_NEWS, _FORWARD_MARKERS.search(original).group(0)))
        if not matches and self.model:
            second = self._model_opinion(text, norm)
            if second is not None:
                matches.append(second)
        order = {c: i for i, c in enumerate(CATEGORIES)}
        matches.sort(key=lambda m: (m.category != RUMOUR or rumour is None, order.get(m.category, 99)))
        return Verdict(tuple(matches), links, tuple(unapproved), forwarded, rumour, private)

    def _model_opinion(self, text: str, norm: str) -> RuleMatch | None:
        """The model's hold (category, `model:0.91`) for a message the rules let through, or None.

        Never for a switched-off category, a refutation or verification question, a message quoting an official
        source or debunking hearsay, or someone reporting a threat.
        """
        from sanshe.groups import modstat

        found = modstat.opinion(text)
        if found is None:
            return None
        category, term = found
        if category in self._disabled:
            return None
        concept_norm = claims.normalise(text)
        if _DEBUNK.search(norm) or claims.refutes(text) or claims.harm.official(concept_norm) \
                or claims.harm.debunked(concept_norm) or claims.harm.reports_threat(concept_norm):
            return None
        return RuleMatch(category, term)


DEFAULT_RULEBOOK = RuleBook()


QUESTION = re.compile(
    r"[?？]|吗[。.!！]?$|呢[。.!！]?$|请问|怎么办|怎么|如何|为什么|为啥|是否|能不能|可不可以|可以吗|有没有|要不要|该不该"
    r"|多少|几点|哪里|哪儿|什么时候|咨询一下|想问"
)


def is_question(text: str) -> bool:
    """Whether a message asks something (so the secretary can order questions and records can count them)."""
    return bool(QUESTION.search(unicodedata.normalize("NFKC", (text or "").strip())))


# Same matches, fewer positions tried (see sanshe.rules.chatrisk.prefilter).
gate_module(globals())
