"""Risk signals in a chat message: suicide / self-harm risk and medical emergency, level 0–10. Pure.

Why these signals: Crisis Text Line's analysis of millions of conversations found that words about
methods and means (medicine names, doses, "bridge", "pills") and timing predict imminent risk better than
the word "suicide" itself; Chinese speech is full of hyperbole built on 死 (笑死了, 累死了, 热死了,
手机死机了) that is not risk at all. So:

- 死 alone is never a signal; hyperbolic set phrases are removed before scanning;
- explicit intent (想死, 不想活了, 活不下去), methods and means (安眠药, 烧炭, 跳楼, 割腕, 农药), doses
  (30片, 一整瓶), preparation (攒了, 写好了遗书), farewells (永别了, 照顾好我妈) and timing (今晚, 现在)
  combine into a level;
- a negation just before a phrase in the same clause (不会自杀, 没有呼吸困难, 别想不开) cancels it;
- quoted text and hearsay (新闻说, 听说有人跳楼, 电视剧里) and questions put to someone else
  (你想过自杀吗？) count for much less; someone worried about another person (我妈说她不想活了) still counts;
- medical emergencies use the thresholds of `sanshe.monitoring.redflags` (SpO2 ≤ 93 % urgent, < 90 %
  emergency; breathing difficulty; blue lips, unconsciousness; pregnancy and child warning signs).

Levels: ≥ 6 alerts the on-duty counsellor and the group's social worker; ≥ 9 is imminent.
Risk never blocks or hides a message: this module only reports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sanshe.monitoring.redflags import (
    HIGH_FEVER_C,
    HIGH_FEVER_MAX_DAYS,
    SPO2_EMERGENCY_BELOW,
    SPO2_URGENT_AT_OR_BELOW,
)

ALERT_LEVEL = 6
IMMINENT_LEVEL = 9
MAX_LEVEL = 10

# ---------------------------------------------------------------------------------------------- lexicon

# Set phrases with 死 that are hyperbole, removed before anything else is read.
_HYPERBOLE = re.compile(
    r"(?:笑|累|热|饿|困|烦|气|吓|急|忙|冷|冻|渴|臭|丑|美|萌|帅|酸|甜|咸|辣|胖|懒|闷|挤|吵|堵|晒|撑|馋|乐|羡慕|尴尬|无聊)"
    r"(?:得要|的要|得|的)?死(?:了|我了|人了|啦|我啦|人|我)?"
    r"|死机|想死(?:你|您|我|他|她|它)们?了?|死党|死心眼|死磕|死活|死宅|死路一条的?题|拼死|死记硬背|死贵|死沉"
    r"|(?:得|的)要死|要死要活|作死|死不了的?(?:植物|花)"
)

# Negators that cancel a phrase shortly after them in the same clause. "不" is a negator except in
# fixed words where it is not (不知道, 不停, 不舒服, 喘不过, 想不开, 撑不下去, 受不了 ...).
_NEGATOR = re.compile(r"没有|没|无|未|别|不要|不会|不再|不是|并非|从没|从未|不(?![知停行了住舒过开下断得到然同少好能])")
_NEGATION_WINDOW = 4
_CLAUSE_BREAK = re.compile(r"[，,。.；;！!？?\n]|但是|但|可是|不过")
# "If you get short of breath, call 120": advice about what might happen, not what is happening.
_CONDITIONAL = re.compile(r"如果|假如|假设|若是|若有|若出现|一旦|万一|要是|如有|如出现|预防|警惕|注意观察|留意")
_HEARSAY = re.compile(r"新闻|报道|听说|据说|电视剧|电视上|电影|小说|歌词|网上说|微博上|文章里|视频里|有人说|谣传")
_PAST = re.compile(r"以前|曾经|小时候|年轻时|那时候|过去")
_QUOTES = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"]*\"")
_SECOND_PERSON = re.compile(r"你|您")
_QUESTION_END = re.compile(r"(?:吗|呢|么|没有)?[？?]|吗$")
# Someone speaking about a person close to them ("我妈说她不想活了"): still a risk to follow up.
_OTHER_PERSON = re.compile(r"我(?:妈|爸|父亲|母亲|老公|老婆|丈夫|妻子|孩子|儿子|女儿|朋友|同事|邻居|家人|奶奶|爷爷|外婆|外公)"
                           r"(?:说|讲|告诉我|一直说|总说|好像|可能|最近|又)"
                           r"|(?:他|她)(?:说|觉得|一直说)")

_NUM = r"(?:\d+|[一二两三四五六七八九十百几半]+)"
_MEDICINE = (r"(?:安眠药|安定|地西泮|艾司唑仑|阿普唑仑|劳拉西泮|氯硝西泮|佐匹克隆|唑吡坦|思诺思|舒乐安定|"
             r"抗抑郁药|降压药|降糖药|胰岛素|退烧药|布洛芬|对乙酰氨基酚|扑热息痛|感冒药|止痛药|药)")


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    kind: str
    weight: int
    # True: the phrase says something about the speaker that a negation can cancel.
    negatable: bool = True


def _p(pattern: str, kind: str, weight: int, negatable: bool = True) -> _Pattern:
    return _Pattern(re.compile(pattern), kind, weight, negatable)


# Phrases that mention suicide without being anyone's risk: prevention work and hotlines.
_NEUTRAL = re.compile(r"(?:预防|防止|干预|防范)自杀|自杀(?:预防|干预|热线|防治)|心理危机干预|心理援助热线|危机干预热线")

# Suicide and self-harm. Weights are the level the signal alone reaches; listed longest-first in
# meaning, so a phrase claimed by an earlier pattern is not counted again by a later one.
_SUICIDE = [
    _p(r"(?:累|烦|困|忙|热|气|饿|疼|痛|难受|无聊)(?:得|的)想死", "hopeless", 3),
    _p(r"想(?:去)?(?:跳楼|跳河|跳江|跳桥|上吊|割腕|烧炭|喝农药|吃安眠药|吞药|卧轨)", "intent_method", 8),
    _p(r"想死|想去死|寻死|求死|不想活|活不下去|活够了|活着没(?:有)?(?:意思|意义|盼头)|活着有什么(?:意思|意义)"
       r"|死了算了|死掉算了|不如死了|还不如死|一死了之|一了百了|结束(?:自己的)?生命|了结自己|结束自己|了断自己"
       r"|自杀|轻生|寻短见|想不开|不想醒来|永远睡下去|离开这个世界|从楼上跳下去", "intent", 6),
    _p(r"撑不下去|熬不下去|没有希望|没希望了|绝望|太痛苦了|生不如死|没人在乎我|是个累赘|拖累(?:家人|大家|你们)"
       r"|活着是(?:个)?负担", "hopeless", 4),
    _p(r"割腕|割手腕|划手腕|割了自己|伤害自己|自残|撞墙", "self_harm", 7),
    _p(r"安眠药|安定片|地西泮|艾司唑仑|阿普唑仑|氯硝西泮|佐匹克隆|唑吡坦|百草枯|农药|敌敌畏|老鼠药|耗子药"
       r"|烧炭|木炭|煤气|跳楼|跳河|跳江|跳桥|上吊|绳子|刀片|卧轨|天台|楼顶", "method", 3),
    _p(r"遗书|遗言|永别了|来世再见|下辈子再见|再见了这个世界|交代后事|照顾好(?:我妈|我爸|我的孩子|我家人)"
       r"|替我照顾|别找我了|不要找我了", "farewell", 6),
    # Only the verb is claimed (a lookahead for the object), so the object still counts as method or farewell.
    _p(r"(?:攒了|囤了|买好了|准备好了|写好了|存了)(?=.{0,4}(?:" + _MEDICINE + r"|炭|绳|刀|遗书))", "preparation", 5),
    _p(r"今晚|今天晚上|今夜|现在就|马上就|待会儿?就|等会儿?就|明天一早|天亮前|这就去", "timing", 0, negatable=False),
]

_DOSE = re.compile(
    r"(" + _NUM + r")\s*(片|粒|颗|瓶|盒)(?:的)?.{0,3}?" + _MEDICINE
    + r"|" + _MEDICINE + r".{0,4}?(" + _NUM + r")\s*(片|粒|颗|瓶|盒)"
    + r"|(一整瓶|整瓶|一整盒|全部吃|都吃了|一把药|几十片|一大把)"
)
# Preparation told object-first ("绳子已经准备好了", "遗书写好了"); only the verb is the signal.
_PREPARED_OBJECT = re.compile(r"(?:药|炭|绳|刀|遗书|遗言)[^，,。.；;！!？?]{0,5}?"
                              r"(攒够了|准备好了|写好了|买好了|备好了|藏好了|攒好了)")
_INGESTED = re.compile(r"吃了|吞了|喝了|服了|全吃|都吃")

# Medical emergencies (the thresholds come from monitoring.redflags).
_MEDICAL = [
    _p(r"呼吸困难|喘不上气|喘不过气|透不过气|上不来气|憋气|憋得慌|呼吸急促", "breathing", 7),
    _p(r"嘴唇发紫|嘴唇发青|脸色发紫|叫不醒|昏迷|意识不清|神志不清|晕倒|晕过去|昏过去|抽搐|休克|停止呼吸|没呼吸了",
       "collapse", 9),
    _p(r"大出血|咳血|吐血|大口出血", "bleeding", 8),
    _p(r"胸痛|胸闷|心口疼|心绞痛|心慌", "chest", 5),
    _p(r"(?:孩子|宝宝|小孩|婴儿|娃).{0,8}(?:精神差|精神不好|嗜睡|一直睡|不吃奶|不吃东西|拒食|一直吐|呕吐不止|吐个不停|一直拉|腹泻不止)",
       "child", 7),
    _p(r"(?:怀孕|孕妇|孕期|孕\d+周|孕[一二三四五六七八九十]+周|怀着).{0,10}(?:出血|流血|见红|腹痛|肚子疼|胎动(?:异常|减少|少了|没了)"
       r"|头晕|头痛|心慌|胸闷|破水)", "pregnancy", 8),
]

_SPO2 = re.compile(r"血氧(?:饱和度)?(?:只有|才|是|为|掉到|降到|到了|:|：)?\s*(\d{2,3})\s*(?:%|％)?")
_FEVER = re.compile(r"(?:烧到|发烧|体温|高烧)(?:了|到了|是|有)?\s*(\d{2}(?:\.\d)?)\s*(?:度|℃|°)?")
# Days of fever: "烧了四天", "发烧39度已经4天了" (a count of days anywhere in a message about fever).
_FEVER_DAYS = re.compile(r"(\d+|[一二两三四五六七八九十]+)\s*(?:天|日)|高烧不退|一直高烧")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

LABELS = {
    "intent": "自杀意念", "intent_method": "提及具体方式的自杀意念", "hopeless": "绝望无助", "self_harm": "自伤",
    "method": "方式与工具", "farewell": "告别话语", "preparation": "准备行为", "dose": "药物剂量", "timing": "时间紧迫",
    "breathing": "呼吸困难", "collapse": "意识障碍或紫绀", "bleeding": "出血", "chest": "胸闷胸痛", "child": "儿童危险征象",
    "pregnancy": "孕期危险征象", "spo2": "血氧偏低", "fever": "持续高热", "overdose": "已过量服药", "others_risk": "为他人担心",
}


@dataclass(frozen=True)
class Signal:
    kind: str
    text: str
    weight: int

    def code(self) -> str:
        """Stable machine form, e.g. "method:安眠药"."""
        return f"{self.kind}:{self.text}"


@dataclass(frozen=True)
class RiskResult:
    level: int
    signals: tuple[Signal, ...] = field(default_factory=tuple)
    domain: str = ""  # "suicide", "medical" or "" when level is 0

    @property
    def codes(self) -> list[str]:
        return [s.code() for s in self.signals]

    @property
    def alerts(self) -> bool:
        return self.level >= ALERT_LEVEL

    @property
    def imminent(self) -> bool:
        return self.level >= IMMINENT_LEVEL


def normalise(text: str) -> str:
    """NFKC (full-width digits and signs), lower case, no spaces or zero-width characters."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s\u200b-\u200f\u2060\ufeff]+", "", text)


def _clause_start(text: str, index: int) -> int:
    start = 0
    for match in _CLAUSE_BREAK.finditer(text, 0, index):
        start = match.end()
    return start


def _negated(text: str, start: int) -> bool:
    clause = _clause_start(text, start)
    window_start = max(clause, start - _NEGATION_WINDOW - 2)
    for match in _NEGATOR.finditer(text, window_start, start):
        if start - match.end() <= _NEGATION_WINDOW:
            return True
    return False


def _conditional(text: str, start: int) -> bool:
    """A condition ("如果", "一旦") earlier in the same sentence: a hypothetical, not a report."""
    sentence = 0
    for match in re.finditer(r"[。.；;！!？?\n]", text[:start]):
        sentence = match.end()
    return bool(_CONDITIONAL.search(text, sentence, start))


def _question_to_other(text: str, start: int, end: int) -> bool:
    """"你想过自杀吗？" — a helper's screening question, not the speaker's own risk."""
    clause = _clause_start(text, start)
    tail = text[end:end + 6]
    return bool(_SECOND_PERSON.search(text, clause, start)) and bool(_QUESTION_END.search(tail) or "?" in tail)


def _in_spans(index: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= index < b for a, b in spans)


def _cn_number(value: str) -> int | None:
    """12 / 十二 / 三十 / 几十 → a number (几十 counts as 20); None when it is not a count."""
    if value.isdigit():
        return int(value)
    if value.startswith("几十") or value == "几十":
        return 20
    if value in _CN_DIGITS:
        return _CN_DIGITS[value]
    if value in ("半", "几"):
        return 1 if value == "半" else 3
    if "十" in value:
        tens, _, ones = value.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    if "百" in value:
        return 100
    return None


def _collect(text: str, patterns: list[_Pattern], quoted: list[tuple[int, int]]) -> list[Signal]:
    """Signals found in `text`; quoted ones and second-person questions count for half."""
    signals: list[Signal] = []
    taken: list[tuple[int, int]] = []
    for pattern in patterns:
        for match in pattern.regex.finditer(text):
            a, b = match.span()
            if any(a < tb and ta < b for ta, tb in taken):
                continue  # an earlier pattern already claimed this text
            taken.append((a, b))
            if pattern.negatable and _negated(text, a):
                continue
            weight = pattern.weight
            if weight and (_in_spans(a, quoted) or _question_to_other(text, a, b)):
                weight = max(weight // 2, 1)
            if weight and _conditional(text, a):
                weight = max(weight // 3, 1)
            signals.append(Signal(pattern.kind, match.group(0), weight))
    return signals


def _doses(text: str, quoted: list[tuple[int, int]]) -> list[Signal]:
    """Medicine quantities: a whole bottle or ten and more pills is a large dose (weight 7), else small (2)."""
    found = []
    for match in _DOSE.finditer(text):
        a = match.start()
        if _negated(text, a) or _in_spans(a, quoted):
            continue
        if match.group(5):
            large = True
        else:
            number = match.group(1) or match.group(3)
            unit = match.group(2) or match.group(4)
            count = _cn_number(number) or 0
            large = unit in ("瓶", "盒") or count >= 10
        found.append(Signal("dose", match.group(0), 7 if large else 2))
    return found


def _suicide_level(signals: list[Signal], ingested: bool) -> int:
    weights: dict[str, int] = {}
    for s in signals:
        weights[s.kind] = max(weights.get(s.kind, 0), s.weight)
    intent = max(weights.get("intent", 0), weights.get("intent_method", 0))
    method = "method" in weights or "intent_method" in weights
    farewell = weights.get("farewell", 0)
    dose = weights.get("dose", 0)
    level = max([0] + [w for k, w in weights.items() if k != "dose"] + [5 if dose >= 7 else 0])
    if method and (intent >= 4 or farewell or weights.get("hopeless", 0) >= 4):
        level = max(level, 8)
    if dose >= 7 and (intent or farewell or "preparation" in weights or method):
        level = max(level, 8)
    if dose and (intent >= 4 or farewell):
        level = max(level, 9)
    if "preparation" in weights and (method or intent or farewell):
        level = max(level, 8) + 1
    if "timing" in weights and level >= ALERT_LEVEL:
        level += 1
    if intent >= 6 and (method or dose) and ("timing" in weights or "preparation" in weights or farewell):
        level = MAX_LEVEL
    if ingested and (dose >= 7 or (dose and (intent >= 4 or farewell))):
        level = MAX_LEVEL
    return min(level, MAX_LEVEL)


def _medical_signals(text: str) -> list[Signal]:
    found: list[Signal] = []
    for match in _SPO2.finditer(text):
        if _negated(text, match.start()):
            continue
        value = int(match.group(1))
        if 50 <= value < SPO2_EMERGENCY_BELOW:
            found.append(Signal("spo2", match.group(0), 9))
        elif SPO2_EMERGENCY_BELOW <= value <= SPO2_URGENT_AT_OR_BELOW:
            found.append(Signal("spo2", match.group(0), 7))
    fever_days = None
    unknown_days = False
    if not re.search(r"烧|发热|体温", text):
        return found
    for match in _FEVER_DAYS.finditer(text):
        if match.group(1) is None:
            unknown_days = True
        days = _cn_number(match.group(1)) if match.group(1) else HIGH_FEVER_MAX_DAYS + 1
        fever_days = max(fever_days or 0, days or 0)
    if fever_days is not None and fever_days > HIGH_FEVER_MAX_DAYS:
        temperatures = [float(m.group(1)) for m in _FEVER.finditer(text)]
        if any(HIGH_FEVER_C < t < 43 for t in temperatures) or "高烧" in text:
            found.append(Signal("fever", "高烧不退" if unknown_days else f"高热{fever_days}天", 6))
    return found


def assess(text: str) -> RiskResult:
    """The risk level (0–10) of one message and the signals that fired."""
    norm = normalise(text)
    if not norm:
        return RiskResult(0)
    # Hyperbole and prevention work are blanked with a neutral mark of the same length (positions keep).
    norm = _HYPERBOLE.sub(lambda m: "·" * len(m.group(0)), norm)
    norm = _NEUTRAL.sub(lambda m: "·" * len(m.group(0)), norm)
    quoted = [m.span() for m in _QUOTES.finditer(norm)]

    suicide = _collect(norm, _SUICIDE, quoted) + _doses(norm, quoted)
    if not any(s.kind == "preparation" for s in suicide):
        for match in _PREPARED_OBJECT.finditer(norm):
            if not _in_spans(match.start(), quoted) and not _negated(norm, match.start()):
                suicide.append(Signal("preparation", match.group(1), 5))
                break
    kinds = {s.kind for s in suicide if s.weight or s.kind == "timing"}
    ingested = bool(_INGESTED.search(norm)) and "dose" in kinds
    s_level = _suicide_level(suicide, ingested)
    if ingested and s_level == MAX_LEVEL:
        suicide.append(Signal("overdose", "已服下", 10))
    other = _OTHER_PERSON.search(norm)
    # Hearsay (news, films, "I heard someone ...") lowers a bare mention, never a concrete plan or a worry
    # about someone close.
    if _HEARSAY.search(norm) and not other and not kinds & {"timing", "preparation", "farewell", "dose"}:
        s_level //= 3
    if _PAST.search(norm) and "timing" not in kinds:
        s_level = max(s_level - 2, 0)
    if other and s_level >= ALERT_LEVEL:
        suicide.append(Signal("others_risk", other.group(0), 0))

    medical = _collect(norm, _MEDICAL, quoted) + _medical_signals(norm)
    m_weights: dict[str, int] = {}
    for s in medical:
        m_weights[s.kind] = max(m_weights.get(s.kind, 0), s.weight)
    m_level = max(m_weights.values(), default=0)
    # Combinations count only what was reported as happening (full weight), not a hypothetical.
    if m_weights.get("chest", 0) >= 5 and m_weights.get("breathing", 0) >= 7:
        m_level = max(m_level, 8)
    if m_weights.get("breathing", 0) >= 7 and "spo2" in m_weights:
        m_level = max(m_level, m_weights["spo2"] + 1)
    if _HEARSAY.search(norm) and not other:
        m_level //= 3
    m_level = min(m_level, MAX_LEVEL)

    level = max(s_level, m_level)
    if level == 0:
        return RiskResult(0)
    signals: list[Signal] = []
    if s_level:
        signals += [s for s in suicide if s.weight or s.kind in ("timing", "others_risk")]
    if m_level:
        signals += [s for s in medical if s.weight]
    return RiskResult(level, tuple(signals), "suicide" if s_level >= m_level else "medical")


def label(code: str) -> str:
    """Chinese label of a signal code ("method:安眠药" → "方式与工具：安眠药")."""
    kind, _, text = code.partition(":")
    return f"{LABELS.get(kind, kind)}：{text}" if text else LABELS.get(kind, kind)
