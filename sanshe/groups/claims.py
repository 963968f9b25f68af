"""Harmful claims in chat beyond word lists: known rumours by meaning, claim shapes, private data. Pure.

Three readers, each a plain function over text:

1. `RumourIndex.match` compares a message with the rumour base (the library's published 辟谣 entries, or
   the default seed list) by meaning rather than exact text. There is no Chinese word segmenter here, so a
   text is canonicalised (synonyms of the key terms mapped to one form: 新型冠状病毒/新冠肺炎/奥密克戎 →
   新冠, 防止/防住/抵御 → 预防, 杀灭/消灭 → 杀死, …), stop characters are removed and the rest is cut into
   character bigrams. A claim's bigrams are weighted by their rarity across the base (IDF: the bigram
   白酒 says more than 新冠), and the score is the weighted share of the claim found in the message
   (containment), so a paraphrase inside a longer message still matches. A refutation (谣言, 不能预防, …)
   or a verification question (是真的吗) is not the rumour.
2. `shapes` recognises what rumours and harmful calls look like when no base entry fits: a cure or
   prevention claim about a substance one swallows or applies, vaccine/5G/origin conspiracies, "internal
   news"/cover-up claims, panic-buying calls, unverified forwards, paid rituals, incitement not to
   cooperate with epidemic measures, threats against the workers.
3. `private_data` finds an ID number (check digit verified), a mobile number, or a diagnosis or test
   result next to a named person or a flat — things the guide says belong in a private chat.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sanshe.core.identity import resident_id_check_char
from sanshe.rules.chatrisk.prefilter import gate_module

from . import harm

RUMOUR = "rumour"
PANIC = "panic"
INCITEMENT = "incitement"
VIOLENCE = "violence"
SUPERSTITION = "superstition"
UNAPPROVED_NEWS = "unapproved_news"
PRIVATE_DATA = "private_data"

# ------------------------------------------------------------------------------------------- normalising

_FILLER = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\.\-_·*~、，,。!！?？…'\"“”‘’()（）\[\]【】<>《》|/\\:：;；]+")

# Synonyms of the terms that carry a claim's meaning, mapped to one token (longest form first when applied).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "新冠": ("新型冠状病毒肺炎", "新型冠状病毒", "新冠肺炎", "新冠病毒", "冠状病毒", "奥密克戎", "奥米克戎", "covid19",
             "covid", "新冠", "阳", "病毒", "病菌"),
    "传播": ("传播", "散播", "扩散病毒"),
    "预防": ("预防", "防止", "防住", "防范", "抵御", "抵抗", "抑制", "防得住", "挡住", "不会感染", "不会被感染", "不会得",
             "不会阳", "不容易感染", "不会找上", "不会中招", "百毒不侵", "防"),
    "杀死": ("杀死", "杀灭", "杀掉", "消灭", "消杀", "杀光", "烫死", "热死", "冲死", "驱散", "杀"),
    "治好": ("根治", "治愈", "治好", "医好", "治疗", "包治", "治"),
    "能": ("能够", "可以", "可", "会", "能"),
    "感染": ("感染", "染上", "中招", "被传染", "传染", "阳了", "得新冠", "得了新冠"),
    "吃": ("喝", "吃", "服用", "饮用", "食用", "服下"),
    "白酒": ("高度白酒", "烈酒", "高度酒", "白酒", "酒"),
    "酒精": ("酒精",),
    "不育": ("不孕不育", "不孕", "不育", "绝育", "生不了孩子", "生不出孩子"),
    "芯片": ("纳米芯片", "微芯片", "芯片"),
    "人造": ("人工合成", "人为制造", "人工制造", "人造", "生化武器", "生物武器", "人为改造", "实验室泄露", "实验室泄漏"),
    "封城": ("全城封锁", "全市封锁", "封城", "全城封控", "全市封控"),
    "全城": ("全城", "全市", "全区"),
    "维c": ("维生素c", "维他命c", "维c"),
    "布洛芬": ("布洛芬", "退烧药", "对乙酰氨基酚"),
    "抗生素": ("抗生素", "阿莫西林", "头孢", "消炎药"),
    "鞭炮": ("烟花爆竹", "烟花", "鞭炮", "爆竹"),
    "香油": ("芝麻油", "香油"),
    "停水": ("断水", "停水"),
    "停电": ("断电", "停电"),
    "明天": ("明日", "明早", "明天"),
    "免疫": ("免疫", "有抗体"),
    "改基因": ("改变人的dna", "改变人的基因", "改变dna", "改变基因", "改基因", "基因被改", "基因就被改", "改变遗传"),
    "终身": ("终身", "一辈子", "永远", "永久"),
    "高温": ("高温", "天热", "天气热", "夏天", "气温高", "气温超过"),
    "快递": ("快递", "包裹"),
    "冷冻": ("冷链", "冷冻", "冻肉", "冷冻食品"),
    "蒸煮": ("蒸", "煮", "微波炉加热", "微波炉"),
    "重复": ("重复使用", "重复用", "重复戴", "再戴", "再用"),
    "热风": ("热风", "吹风机"),
}
# 阳 is "tested positive" but not in 阳台, 太阳, 阳光.
_SYNONYM_GUARDS = {"阳": r"(?<![太夕朝向])阳(?![台光历])"}
_SYNONYM_PATTERN = re.compile("|".join(_SYNONYM_GUARDS.get(s, re.escape(s)) for s in sorted(
    {s for forms in _SYNONYMS.values() for s in forms}, key=len, reverse=True)))
_CANON = {s: canon for canon, forms in _SYNONYMS.items() for s in forms}
# Characters that carry no meaning for matching a claim (particles, pronouns, hedges).
_STOP = set("的了着过吗呢啊吧呀哦哈嘛么啦咯呗哟喔噢我你他她它们这那个些一都也还很太真就才又再说听据朋友给把被让用在上")
_TOKEN = "\x00"


@functools.lru_cache(maxsize=2048)
def nfkc(text: str) -> str:
    """The NFKC form of a text, cached: one message is read by several readers in turn."""
    return unicodedata.normalize("NFKC", text or "")


@functools.lru_cache(maxsize=2048)
def normalise(text: str) -> str:
    """NFKC, lower case, spaces and punctuation removed (as the rule lists match)."""
    return _FILLER.sub("", nfkc(text).lower())


def features_runs(text: str) -> tuple[list[str], list[str]]:
    """(key-term tokens, runs of other characters) of a text, stop characters removed from the runs."""
    marked = _SYNONYM_PATTERN.sub(lambda m: _TOKEN + "#" + _CANON[m.group(0)] + _TOKEN, normalise(text))
    tokens: list[str] = []
    runs: list[str] = []
    for piece in marked.split(_TOKEN):
        if piece.startswith("#"):
            tokens.append(piece)
        else:
            run = "".join(ch for ch in piece if ch not in _STOP)
            if run:
                runs.append(run)
    return tokens, runs


def bigrams(text: str) -> set[str]:
    """What a text is compared by: its key-term tokens and the character bigrams of everything else."""
    tokens, runs = features_runs(text)
    grams = set(tokens)
    for run in runs:
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams


# Words that turn a rumour into its refutation ("喝白酒能预防新冠是谣言"), and questions asking whether it is true.
DEBUNK = re.compile(
    r"谣言|辟谣|不实|(?<!数据)(?<!数字)(?<!通报)是假的|假消息|假新闻|不可信|没有科学依据|没有依据|没有证据|缺乏证据|并不能|并没有|不能预防|无法预防|"
    r"不能杀|不能治|迷信|没有用|没用|无效|不要相信|不要信|别信|勿信|莫信|误区|不靠谱|别上当|不要上当|不属实|已澄清|澄清|"
    r"无稽之谈|不要轻信|不等于|专家指出|关于网传|的说法[:：]|无法达到|也没挡住|没挡住|(?:注意)?甄别|明确(?:说|表示|回复)?(?:了)?没有"
)
VERIFY = re.compile(r"是真的吗|真的假的|是不是真的|真的吗|靠谱吗|可信吗|有用吗|有效吗|管用吗|能信吗|是谣言吗|有依据吗|对吗$|(?<!知道)(?<!懂)(?<!看到)吗$")


@functools.lru_cache(maxsize=2048)
def refutes(text: str) -> bool:
    """Whether the message refutes a claim or asks whether it is true (never held as the rumour)."""
    norm = normalise(text)
    return bool(DEBUNK.search(norm) or VERIFY.search(norm))


# ------------------------------------------------------------------------------------------ rumour base

@dataclass(frozen=True)
class Rumour:
    """One entry of the rumour base: the claim (and other wordings), its debunk and source."""

    entry_id: int | None
    claim: str
    debunk: str
    source: str = ""
    link: str = ""
    variants: tuple[str, ...] = ()

    def snapshot(self, score: float) -> dict:
        """What a held message keeps of the match (shown to the admin, sent as the one-tap reply)."""
        return {"entry_id": self.entry_id, "claim": self.claim, "debunk": self.debunk, "source": self.source,
                "link": self.link, "score": round(score, 2)}


@dataclass(frozen=True)
class RumourMatch:
    rumour: Rumour
    score: float
    wording: str


# The IDF-weighted share of a wording's claim tokens and of its subject bigrams a message must contain, and the
# mean of the two. Tuned on tests/groups/test_claims.py: paraphrases score 0.65–1.0; a message with only the
# subject ("板蓝根在哪能买到") or only the claim words ("注意预防新冠") fails one of the shares.
CLAIM_SHARE = 0.6
SUBJECT_SHARE = 0.45
MATCH_THRESHOLD = 0.62


_VIRUS_TOKEN = "#新冠"
# The epidemic named some other way ("疫苗里有芯片", "就不会阳"): 阳 but not 阳台, 太阳, 阳光.
_EPIDEMIC = re.compile(r"新冠|病毒|感染|肺炎|奥密克戎|奥米克戎|疫情|疫苗|核酸|抗原|(?<![太夕朝向])阳(?![台光历])")
# Key-term tokens too common to say what a claim is about.
_WEAK_TOKENS = frozenset({"#能", "#吃"})
# Claim tokens that say nothing specific on their own (a wording with only these needs a subject too).
_GENERIC_TOKENS = frozenset({"#新冠", "#病毒", "#预防", "#杀死", "#治好", "#感染"})
# Key-term tokens that name what a claim is about (a substance, an object) rather than what is claimed of it.
_SUBJECT_TOKENS = frozenset({"#白酒", "#酒精", "#维c", "#布洛芬", "#抗生素", "#鞭炮", "#香油", "#快递", "#冷冻",
                             "#热风", "#高温", "#蒸煮", "#全城", "#明天", "#终身"})


class RumourIndex:
    """The rumour base as IDF-weighted features, built once and reused for every message.

    A wording's features are its key-term tokens (#预防, #新冠, #芯片, …: what is claimed) and the bigrams of the
    rest (白酒, 板蓝, 蓝根: what it is about). A message matches when it holds most of both: the subject alone
    ("板蓝根在哪能买到") or the claim words alone ("预防新冠") are not the rumour.
    """

    def __init__(self, rumours: Iterable[Rumour]):
        self.rumours = tuple(rumours)
        wordings: list[tuple[Rumour, str, set[str]]] = []
        for rumour in self.rumours:
            for wording in (rumour.claim, *rumour.variants):
                grams = bigrams(wording)
                if len(grams) >= 2:
                    wordings.append((rumour, wording, grams))
        df: Counter[str] = Counter()
        for rumour in self.rumours:
            # Document frequency per rumour (its wordings together), so variants do not dilute each other.
            df.update(set().union(set(), *[g for r, _w, g in wordings if r is rumour]))
        n = max(len(self.rumours), 1)
        self._idf = {gram: math.log((n + 1) / (count + 0.5)) for gram, count in df.items()}
        # (rumour, wording, claim weights, subject weights, their totals): the totals once, not per message.
        self._wordings: list[tuple[Rumour, str, dict[str, float], dict[str, float], float, float]] = []
        self._postings: dict[str, list[int]] = {}
        for rumour, wording, grams in wordings:
            claim = {g: self._idf.get(g, 1.0) for g in grams
                     if g.startswith("#") and g not in _WEAK_TOKENS and g not in _SUBJECT_TOKENS}
            subject = {g: self._idf.get(g, 1.0) for g in grams if (len(g) == 2 and not g.startswith("#")) or g in _SUBJECT_TOKENS}
            if not claim or not (subject or set(claim) - _GENERIC_TOKENS):
                continue  # a wording without a subject or without a claim would match far too much
            self._wordings.append((rumour, wording, claim, subject, sum(claim.values()), sum(subject.values())))
            for gram in grams:
                self._postings.setdefault(gram, []).append(len(self._wordings) - 1)

    def __len__(self) -> int:
        return len(self.rumours)

    @staticmethod
    def _matched(weights: dict[str, float], grams: set[str]) -> float:
        """The weight of `weights`' grams that `grams` holds."""
        return sum(w for g, w in weights.items() if g in grams)

    def score(self, text: str) -> list[tuple[float, RumourMatch]]:
        """Every wording's score for `text`, best first (for tuning and tests)."""
        grams = bigrams(text)
        candidates = {i for g in grams for i in self._postings.get(g, ())}
        epidemic = _VIRUS_TOKEN in grams or bool(_EPIDEMIC.search(normalise(text)))
        scored = []
        for i in candidates:
            rumour, wording, claim, subject, claim_total, subject_total = self._wordings[i]
            if _VIRUS_TOKEN in claim and not epidemic:
                continue  # a claim about the virus is not made by a message that never names it ("夏天热死")
            claim_share = self._matched(claim, grams) / claim_total if claim_total else 1.0
            if claim_share < CLAIM_SHARE:
                continue
            # Ties go to the wording with more of its subject matched (泡热水澡 over 喝热水).
            matched = self._matched(subject, grams)
            subject_share = matched / subject_total if subject_total else 1.0
            if subject_share < SUBJECT_SHARE:
                continue
            value = (claim_share + subject_share) / 2
            scored.append((value, matched, RumourMatch(rumour, value, wording)))
        scored.sort(key=lambda row: (-row[0], -row[1]))
        return [(value, found) for value, _matched, found in scored]

    def match(self, text: str) -> RumourMatch | None:
        """The best-matching rumour of the base, or None (refutations and verification questions never match)."""
        if not self._wordings or not text:
            return None
        scored = self.score(text)
        if not scored or scored[0][0] < MATCH_THRESHOLD or refutes(text):
            return None
        return scored[0][1]


def default_rumours() -> list[Rumour]:
    """The seed list as rumours without library ids (the pure default base)."""
    from .rumours import DEFAULT_RUMOURS

    return [Rumour(None, r.claim, r.debunk, r.source, r.link, r.variants) for r in DEFAULT_RUMOURS]


DEFAULT_INDEX = RumourIndex(default_rumours())


# ------------------------------------------------------------------------------------------ claim shapes

_VIRUS = r"(?:新冠|病毒|感染|肺炎|奥密克戎|阳|疫情)"
# Medicines the health authorities recommend for treatment: "X治新冠" about them is not a folk cure.
_APPROVED_TREATMENT = re.compile(r"奈玛特韦|利托那韦|paxlovid|阿兹夫定|莫诺拉韦|连花清瘟|疫苗|口罩|通风|洗手|消毒液|酒精消毒|医生|医院|隔离")
_NEGATED_CALL = re.compile(r"不要|不用|无需|不必|没必要|别|勿|请勿|切勿|充足|保障|稳定|不会|不存在|理性")
# A recommended medicine with a promise no medicine keeps ("百分百不会阳") is still a rumour.
_CERTAINTY = re.compile(r"百分百|100%|一定|绝对|保证|包好|根治|不会阳|不会感染|不会被感染|百毒不侵")

_SHAPES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    # (category, shape name, pattern on the normalised text); every shape but forwards, rituals, incitement and
    # violence is cancelled by a refutation or a verification question in the same message.
    (RUMOUR, "cure", re.compile(
        r"(?:喝|吃|服用?|涂|抹|熏|泡|含|灌|吸|闻|擦|敷|点|放|挂|摆|烧|佩戴)[^，。；]{1,10}?(?:就|都)?(?:能|可以|可|会|便)?"
        r"(?:百分百|100%|一定|绝对|保证)?"
        r"(?:(?:预防|防止|防住|防治|治好|治愈|根治|杀死|杀灭|消灭|杀掉|杀|克制|抵抗|吸走|吸附|赶走|驱散|挡住|进不去).{0,4}" + _VIRUS
        + r"|不会感染|不会被感染|不会阳|不会得新冠|百毒不侵|防疫|病毒就?进不去)")),
    (RUMOUR, "miracle", re.compile(r"(?:包治|根治|百分百治好|100%治好|特效药|神药|秘方|偏方)[^，。]{0,8}" + _VIRUS + r"|"
                                   + _VIRUS + r"[^，。]{0,6}(?:秘方|偏方|神药|特效药)")),
    (RUMOUR, "conspiracy", re.compile(
        r"疫苗[^，。]{0,10}(?:芯片|不孕|不育|绝育|改变dna|改变基因|改基因|致癌|白血病|害死|毒疫苗|阴谋|监控|追踪)|"
        r"疫苗[^，。]{0,6}(?:dna|基因)[^，。]{0,3}(?:被)?改|"
        r"5g[^，。]{0,10}(?:病毒|新冠|传播|辐射|疫情)|(?:病毒|新冠)[^，。]{0,8}(?:人造|人工合成|生化武器|生物武器|"
        r"实验室泄[露漏]|故意投放|故意释放|人为制造)")),
    (RUMOUR, "sure_infection", re.compile(
        r"(?:快递|包裹|冷链|冻肉|冻虾|冷冻|海鲜|进口)[^，。]{0,14}(?:必|一定|肯定|百分百|都会|就会)(?:会)?(?:感染|中招|阳|被传染)")),
    (RUMOUR, "lockdown", re.compile(
        r"(?:明天|明日|今晚|后天|下周|马上|过两天)[^，。]{0,6}(?:封城|全城封|全市封|全区封)|"
        r"(?:全城|全市|全区)[^，。]{0,4}(?:停水|停电|断水|断电|封锁|封死)|要封(?:一个月|半个月|两个月|三个月|很久|半年)")),
    (RUMOUR, "heat", re.compile(
        r"(?:天热|天气一?(?:变)?热|气温升高|高温|夏天到?了?)[^，。]{0,6}病毒[^，。]{0,4}(?:就)?(?:会)?(?:被)?(?:热)?(?:死|活不了|消失|没了)")),
    (RUMOUR, "immunity", re.compile(
        r"(?:阳过|感染过|得过|阳了)[^，。]{0,8}(?:一辈子|终身|永远|再也)[^，。]{0,4}(?:不会|不)[^，。]{0,2}(?:再)?(?:阳|感染|得)")),
    (RUMOUR, "mask_reuse", re.compile(r"口罩[^，。]{0,10}(?:蒸|煮|微波炉|洗)[^，。]{0,8}(?:再戴|再用|重复|继续用|还能用|还能戴)")),
    (RUMOUR, "internal", re.compile(
        r"内部消息|内部人士|内部人员透露|内部人说|内部透露|小道消息|瞒报|隐瞒(?:疫情|病例|数据|真相|人数)|封锁消息|消息被封锁|官方不敢说|"
        r"不敢公布|压着不让|不让报道|不敢报道|真实(?:数据|人数|死亡人数|感染人数)|马上(?:就)?(?:要)?被删|被删(?:之)?前|趁还没删")),
    (PANIC, "panic", re.compile(
        r"(?:赶紧|赶快|快去|抓紧|马上去|快点|都去|速去|立刻)(?:去)?(?:囤|抢|屯|买|扫货|抢购)|"
        r"(?:赶紧|赶快|快去|抓紧|快点|速去)[^，。]{0,5}?(?:囤|抢|屯|扫货|抢购)|多囤|囤起来|屯起来|晚了就(?:没了|抢不到|买不到)|"
        r"(?:赶紧|赶快|抓紧|快点)[^，。]{0,8}(?:买回家|多买|备足|备够)|"
        r"(?:明天|马上|很快|过两天|以后)(?:就)?(?:要)?(?:买不到|断货|抢不到|没得卖)|买不到了|要断货了|"
        r"(?:超市|菜场)[^，。]{0,6}(?:抢空|抢光)")),
    # --- added for issue 13 after the moderation tuning split (bench/riskdata/moddev.tsv): claims named by the
    # substance and the promise, doom and hoarding calls, collective action, threats to anyone.
    (RUMOUR, "cure", re.compile(
        r"(?:板蓝根|板兰根|大蒜|熏醋|米醋|陈醋|喝醋|醋|淡盐水|盐水|维c|维生素c|泡腾片|金银花|连翘|甘草|中药|偏方|方子|阿莫西林|头孢|抗生素"
        r"|消炎药|双黄连|阿比多尔|羟氯喹|伊维菌素|洋葱|香油|白酒|喝酒|酒精|84|晒太阳|蒸桑拿|姜汤|红糖|灌肠|艾灸|艾草|屏住呼吸)"
        r"[^。!?]{0,24}?(?:最管用|管用|好使|一喝就|没一个中招|没人感染|都没人|不会中招|不中招|免疫力拉满|进不来|进不去|就好了|就阴了|就转阴"
        r"|[一二三两]天就好|能顶一针|顶一针|能防|能治|是?神药|特效|能预防|预防性吃|晒死|排出来|吸走|杀死病毒|全部杀死|保证不得|保证不阳"
        r"|都没事|能防住|就说明[^。!?]{0,6}没感染|病毒[^。!?]{0,4}(?:死|进不|跑)|肺没问题)")),
    (PANIC, "panic", re.compile(
        r"最后的机会|自求多福|要死好多人|(?<![花草鱼虫苗])(?<![花草鱼虫苗]都)(?<![花草鱼虫苗]全)死光了?|死人太多|(?:这个)?城市完了|(?:武汉|上海|全城)(?:都)?(?:乱了|完了)"
        r"|被放弃了|遥遥无期|撑不过(?:十|[一二三四五六七八九]|\d+)天|断粮|能买的都买|冰箱塞满|再买个冰柜|多少钱都买|大家快跑|快跑吧"
        r"|(?:不会有任何|都不会给)[^。!?]{0,6}物资|超市[^。!?]{0,4}(?:全关|全部关门)|一晚上拉走|下一个就是我们|全楼都要|全都被感染"
        r"|医院(?:已经)?不收人|活命要紧|一刻也别等|晚了全城")),
    (INCITEMENT, "incitement", re.compile(
        r"(?:大家|全体|兄弟们|号召|咱们|我们也|所有人)[^。!?]{0,14}(?:推倒|拆了|拆掉|把围挡拆|砸了|撕了|冲(?:街道|出去|卡)|围住|去抢|打开仓库)"
        r"|(?:推倒|拆|砸|撕|冲|围住|抢)[^。!?]{0,10}(?:大家一起|我们也干|谁跟我|跟我一起|不达目的|人越多越好|谁不来)"
        r"|挡不住几十个人|统一行动|不开门不配合|一个都别签|带上工具")),
    (VIOLENCE, "threat", re.compile(
        r"往死里打|全家陪葬|让你全家|看着点背后|走路[^。!?]{0,4}小心点|兄弟十几个|找好人了|我找人|堵他|拍他|砸下去|电他|一起烧"
        r"|(?:汽油|电棍|砖头|花盆)[^。!?]{0,14}(?:一起烧|烧死|电他|电死|拍他|拍死|砸下去|砸他|砸死)|打死他|弄死他|见一次打一次")),
    (SUPERSTITION, "ritual", re.compile(
        r"大悲咒|心诚则灵|有灵|闹瘟|避灾|拜三拜|对着月亮拜|画像[^。!?]{0,6}(?:拜|保佑)|拜一拜|床头[^。!?]{0,6}(?:一碗米|放米)|一碗米|绑红布")),
    (UNAPPROVED_NEWS, "forward", re.compile(
        r"转给所有人|转给身边|转发给所有|速转|快转|紧急扩散|扩散出去|扩散周知|请扩散|火速扩散|不转不是|看到请转|看完转发|"
        r"重磅消息|重磅通知|突发消息|^扩散")),
    (SUPERSTITION, "ritual", re.compile(
        r"法事|作法|请大师|大师化解|化解灾|消灾|驱邪|辟邪|超度|改运|转运符|护身符|开光|"
        r"祈福[^，。]{0,8}(?:元|块|红包|转账|付费)|(?:付费|收费|转账|红包|随喜)[^，。]{0,10}(?:祈福|法事|超度|化解|消灾|保平安)|"
        r"烧香[^，。]{0,8}(?:病毒|疫情|平安)|供奉|请一尊|保佑[^，。]{0,8}(?:不被感染|不感染|不得病|不阳)|"
        r"转发[^，。]{0,8}(?:保平安|保全家平安|可保|消灾|好运|保佑)")),
    (INCITEMENT, "incitement", re.compile(
        r"(?:大家|都|咱们|我们|一起|所有人|全楼|全小区)[^，。]{0,6}(?:别|不要|不|拒绝|抵制)[^，。]{0,3}"
        r"(?:配合|去?做核酸|下楼|检测|登记|隔离|转运|开门)|"
        r"冲出去|冲出小区|一起冲|冲卡|砸(?:了|开|烂)?(?:大门|门|卡口|围挡|铁皮|栅栏|锁)|拆(?:了|掉)?(?:围挡|铁皮|栅栏|卡口)|"
        r"(?:一起|集体)(?:下楼|去)[^，。]{0,6}(?:闹|讨说法|堵)|别配合|不要配合|抵制核酸|拒绝核酸")),
    (VIOLENCE, "threat", re.compile(
        r"(?:砍|捅|杀|宰|剁|弄死|打死|捶死|揍死|撞死|烧死)(?:了|死|残|伤)?(?:那个|那些|这个|这些|这帮|那帮|几个|个)?"
        r"(?:大白(?!菜)|志愿者|保安|网格员|居委|社区的|医护|工作人员|物业|防疫人员|守门的|门卫|他们)|"
        r"(?:跟|和)[^，。]{0,6}(?:大白|志愿者|保安|工作人员|网格员|物业|居委)[^，。]{0,2}拼(?:了|命)")),
)
_REFUTABLE = frozenset({RUMOUR, PANIC})
# The panic and incitement calls can be someone saying the opposite ("不要恐慌囤货", "别冲动"); checked nearby.
_NEGATION_WINDOW = 6


@dataclass(frozen=True)
class ShapeMatch:
    category: str
    text: str


def _negated(norm: str, start: int) -> bool:
    return bool(_NEGATED_CALL.search(norm[max(0, start - _NEGATION_WINDOW):start]))


def shapes(text: str) -> list[ShapeMatch]:
    """Claim shapes found in the message, one per category, in a fixed order."""
    norm = normalise(text)
    if not norm:
        return []
    refuted = refutes(text)
    found: dict[str, ShapeMatch] = {}
    for category, name, pattern in _SHAPES:
        if category in found or (refuted and category in _REFUTABLE):
            continue
        for m in pattern.finditer(norm):
            if name == "cure" and _APPROVED_TREATMENT.search(m.group(0)) and not _CERTAINTY.search(m.group(0)):
                continue
            if category in (PANIC, INCITEMENT, RUMOUR) and _negated(norm, m.start()):
                continue
            if category == VIOLENCE and harm.reports_threat(norm):
                continue
            if category == UNAPPROVED_NEWS and harm.debunked(norm):
                continue  # "不要转发没有来源的截图，也不要发未经证实的'重磅消息'": a warning against them
            found[category] = ShapeMatch(category, m.group(0))
            break
    for category, hit in harm.read(norm):
        if category == UNAPPROVED_NEWS and RUMOUR in found and hit.startswith(("内部", "小道")):
            continue  # "internal news" already named as a rumour: one category says it
        if category not in found and not (refuted and category in harm.REFUTABLE):
            found[category] = ShapeMatch(category, hit)
    return list(found.values())


# ------------------------------------------------------------------------------------------ private data

_ID_CANDIDATE = re.compile(r"(?<![0-9])[1-9](?:[\s-]?[0-9]){16}[\s-]?[0-9xX](?![0-9])")
_LABELLED_ID = re.compile(r"身份证[号码]*[^0-9]{0,12}?(?<![0-9])([1-9](?:[\s-]?[0-9]){16}[\s-]?[0-9xX])(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[\s-]?)?1[3-9][0-9](?:[\s-]?[0-9]){8}(?![0-9])")
# Only mobile numbers are private: service numbers (110, 120, 12345, 12320, 400-/800- hotlines, the office's
# landline) never match the mobile shape, so a notice quoting them is never held.
_CONDITION = re.compile(
    r"阳性|确诊|感染了|阳了|复阳|是阳的|就是阳|阳的人|核酸异常|混管(?:阳|异常|有问题)|抗原两道杠|两道杠|两条杠|二道杠|被拉走|拉去方舱|"
    r"(?:是|得了|感染|死于)新冠|新冠(?:去世|走的|没的)|体温(?:登记|记录)|密接|次密接|抑郁症|焦虑症|精神病|精神分裂|双相|hiv|艾滋|梅毒|乙肝|"
    r"肺结核|癌症|癌|尿毒症|吸毒|怀孕|流产|堕胎|(?<!慢)性病|(?:体检|检查|检测|化验|核酸|抗原)(?:报告|单|结果)|病历", re.IGNORECASE)
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
             "范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_WHO = re.compile(
    r"(?:\d{1,3}(?:号楼|栋|幢|号|#)[^，。]{0,4}?\d{2,4}(?:室|号|房)?|\d{1,3}-\d{1,2}-\d{2,4}|(?<![\d-])\d{1,3}-\d{3,4}(?![\d-])|\d{1,2}单元\d{3,4}|"
    # a list of names ("叶建平、阎晓东", "郭伟 / 曹静"), a name with a temperature ("蒋华 37.9"), "姓冯的"
    r"[" + _SURNAMES + r"][\u4e00-\u9fff]{1,2}\s*[、/]\s*[\u4e00-\u9fff]{2,3}|[" + _SURNAMES + r"][\u4e00-\u9fff]{1,2}(?=\s*3\d\.\d)|姓[" + _SURNAMES + r"]的|"
    r"(?:老|小|阿)[" + _SURNAMES + r"]|叫[" + _SURNAMES + r"][\u4e00-\u9fff]{1,2}的|[" + _SURNAMES + r"](?:阿姨|叔叔|大爷|大妈|奶奶|爷爷|师傅|老师|女士|先生|某某?|家)|"
    r"[" + _SURNAMES + r"][\u4e00-\u9fff]{1,2}(?=(?:今天|昨天|前天|刚刚|刚才)?(?:是|得了|查出|确诊|患有|有|阳了|感染|的核酸|核酸|检测|被|已经|也|怀孕|流产|去过|抗原(?:两|阳|是阳|结果是阳)|(?:他|她)(?:老公|老婆|家)?(?:是|得了|确诊|查出|阳)|的(?:体检|检查|检测|化验|病历|诊断|抗原|报告|身份证|化验))))"
)
_NOT_NAME = re.compile(r"^(?:小程序|王府|张贴|李子|高温|高危|高风险|马上|方舱|方面|白天|白酒|金银|石家|江苏|于是|任何|万一|段时间|曾经|"
                       r"周边|周末|周围|林区|黄码|黄色|龙头|程度|余下|向上|向下|叶子|夏天|孔洞|汤药|许多|许可|严重|毛病|邵阳|"
                       r"付款|范围|史上|陆续|武汉|钱包|戴口罩|罗列|田地|常见|何时|何况|朱砂)")
_PROXIMITY = 16


@dataclass(frozen=True)
class PrivateFinding:
    kind: str  # "id_number" | "phone" | "diagnosis"
    text: str


def _valid_id(digits: str) -> bool:
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    return resident_id_check_char(digits[:17]) == digits[17].upper()


def private_data(text: str) -> list[PrivateFinding]:
    """ID numbers (valid check digit), mobile numbers and diagnoses about a named person or a flat."""
    original = nfkc(text)
    findings: list[PrivateFinding] = []
    id_spans: list[tuple[int, int]] = []
    for m in _ID_CANDIDATE.finditer(original):
        digits = re.sub(r"[\s-]", "", m.group(0))
        if _valid_id(digits):
            id_spans.append(m.span())
            if not findings:
                findings.append(PrivateFinding("id_number", digits[:6] + "…"))
    if not id_spans:
        # A number labelled as an ID (身份证号 …) is private even with a mistyped check digit.
        for m in _LABELLED_ID.finditer(original):
            digits = re.sub(r"[\s-]", "", m.group(1))
            year, month = int(digits[6:10]), int(digits[10:12])
            if 1900 <= year <= 2100 and 1 <= month <= 12:
                id_spans.append(m.span(1))
                findings.append(PrivateFinding("id_number", digits[:6] + "…"))
                break
    for m in _MOBILE.finditer(original):
        # An 18-digit ID holds 11-digit runs; those are not phone numbers.
        if any(start <= m.start() and m.end() <= end for start, end in id_spans):
            continue
        digits = re.sub(r"[\s+-]", "", m.group(0))
        findings.append(PrivateFinding("phone", digits[-11:][:3] + "…"))
        break
    # The normalised text (simplified characters, variants rewritten) and the text with only its spaces removed:
    # normalising drops punctuation, and flats ("7-502"), lists of names ("罗晓峰、段丽华") and temperatures
    # ("38.2") are read with theirs.
    for text in (normalise(original), re.sub(r"\s+", "", original)):
        for m in _CONDITION.finditer(text):
            # the person may be named before the condition ("刘建华确诊了") or after it ("阳性的几户：2-301孙丽")
            window = text[max(0, m.start() - _PROXIMITY):m.end() + _PROXIMITY]
            if any(not _NOT_NAME.match(window[who.start():]) for who in _WHO.finditer(window)):
                findings.append(PrivateFinding("diagnosis", m.group(0)))
                return findings
    return findings


# Same matches, fewer positions tried (see sanshe.rules.chatrisk.prefilter).
gate_module(globals())
