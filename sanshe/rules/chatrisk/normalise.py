"""Text normalisation before concepts are matched, and number reading. Pure.

People dodge filters and type fast: full-width forms (ｓｉ, ３０), spaces or dots between characters (我 想 死,
想.死), repeated characters (想想想死), traditional characters (殺, 藥, 樓), homophones and pinyin initials
(紫砂 / zs = 自杀, 烧碳 = 烧炭), and every way of writing a number (30, 三十, 卅, 叁拾, ３０).
"""

from __future__ import annotations

import re
import unicodedata

from .prefilter import gate_module

# Traditional → simplified for the characters the concept vocabularies use (a small table, not a converter).
_TRADITIONAL = str.maketrans(
    "殺藥別樓絕遺書見燒陽臺颱邊繩頂農離個這們還沒後說對會結來時開氣淚車軌劑顆喫將謝嗎寫過麼裡裏錢媽爺孫傷殘劃電線帶膠戶橋窩讓為從憂鬱難無應該幾層醫滅煙燙搶歲給幫顧貓兒愛悶夠準備買賣攢點聽報導劇視聞據傳網讀陣頭暈嘔漿鐘鐵壓輕尋斷決歸夢覺鎮靜嗚間遠裝麵腦錯媽爸親戚無聊厭煩瘋鬧累壞發燒藥劑瓶湯揮別囉嗎嘛衝馬陰暗慘淒處計劃盡",
    "杀药别楼绝遗书见烧阳台台边绳顶农离个这们还没后说对会结来时开气泪车轨剂颗吃将谢吗写过么里里钱妈爷孙伤残划电线带胶户桥窝让为从忧郁难无应该几层医灭烟烫抢岁给帮顾猫儿爱闷够准备买卖攒点听报导剧视闻据传网读阵头晕呕浆钟铁压轻寻断决归梦觉镇静呜间远装面脑错妈爸亲戚无聊厌烦疯闹累坏发烧药剂瓶汤挥别啰吗嘛冲马阴暗惨凄处计划尽",
)

_ZERO_WIDTH = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]+")
_CJK = r"\u4e00-\u9fff"
# Isolated single characters separated by any mark ("我,想,死", "自/杀"): the marks are a dodge, not punctuation.
_SPACED = re.compile(rf"(?<![{_CJK}])[{_CJK}](?:[,、.。·•*_\-~/\\|+^#`'!]+[{_CJK}])+(?![{_CJK}])")
_SPACED_SEP = re.compile(r"[,、.。·•*_\-~/\\|+^#`'!]+")
# A dot, dash, star … between two characters is never Chinese punctuation: "想.死", "跳*楼".
_INNER_MARK = re.compile(rf"(?<=[{_CJK}])[.·•*_\-~/\\|+^#`']+(?=[{_CJK}])")
_REPEATS = re.compile(r"([^\d])\1{2,}")

# Homophones, common typos, slang and pinyin initials → the word the vocabularies know.
_VARIANTS = {
    "紫砂": "自杀", "自鲨": "自杀", "自沙": "自杀", "自刹": "自杀", "z杀": "自杀", "zs": "自杀", "zisha": "自杀",
    "qs": "轻生", "轻sheng": "轻生", "烧碳": "烧炭", "木碳": "木炭", "碳盆": "炭盆", "一盆碳": "一盆炭",
    "割婉": "割腕", "割碗": "割腕", "割wan": "割腕", "ge腕": "割腕", "跳搂": "跳楼", "跳lou": "跳楼", "tiao楼": "跳楼",
    "安民药": "安眠药", "按眠药": "安眠药", "安眠要": "安眠药", "安mian药": "安眠药", "安眠yao": "安眠药",
    "百草苦": "百草枯", "甘草膦": "草甘膦", "敌敌为": "敌敌畏", "上掉": "上吊", "上diao": "上吊",
    "想si": "想死", "去si": "去死", "要si": "要死", "si了算了": "死了算了", "wxs": "我想死",
    "bxhl": "不想活了", "不想huo": "不想活", "自sha": "自杀", "zi杀": "自杀", "自sa": "自杀", "想鼠": "想死", "想shi": "想死",
    "去shi": "去死", "安乐si": "安乐死", "💊": "药片", "🔪": "刀", "🏢": "楼", "🪢": "绳子", "🌉": "桥",
    "冇": "没", "莫得": "没有", "没得": "没有", "不想活咯": "不想活了", "不想活喽": "不想活了", "不想活啰": "不想活了",
    "不想活嘞": "不想活了", "活不xia去": "活不下去", "轻身": "轻生", "寻短剑": "寻短见",
    # Cantonese written forms (咗 = 了, 唔 = 不, 搵 = 找, 喺 = 在, 而家 = 现在, 冇得 = 没有).
    "咗": "了", "唔好": "不要", "唔": "不", "搵": "找", "喺": "在", "而家": "现在", "冇得": "没有", "嘅": "的", "佢": "他",
    # Full pinyin and English, after spaces are gone.
    "buxianghuo": "不想活", "woxiangsi": "我想死", "xiangzisha": "想自杀", "wanttodie": "想死", "wannadie": "想死",
    "killmyself": "自杀", "endmylife": "结束生命", "suicide": "自杀", "allthepills": "所有的药",
    "chileyipingyao": "吃了一瓶药",
    # Internet slang for dying (紫砂 is above; 润 is emigrating and stays).
    "噶了": "死了", "嘎了": "死了",
}
_VARIANT = re.compile(
    r"紫砂(?![壶锅杯茶器])|(?<![a-z])(?:zs|qs|wxs|bxhl|zisha)(?![a-z])|"
    + "|".join(re.escape(k) for k in sorted(_VARIANTS, key=len, reverse=True) if k not in ("紫砂", "zs", "qs", "wxs",
                                                                                          "bxhl", "zisha"))
)


def normalise(text: str) -> str:
    """NFKC (full-width forms), lower case, simplified key characters, no spaces or dodge marks, no runs of the
    same character, known variants spelled the usual way."""
    text = unicodedata.normalize("NFKC", text or "").lower().translate(_TRADITIONAL)
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACED.sub(lambda m: _SPACED_SEP.sub("", m.group(0)), text)
    text = _INNER_MARK.sub("", text)
    text = _REPEATS.sub(r"\1", text)
    return _VARIANT.sub(lambda m: _VARIANTS.get(m.group(0), "自杀"), text)


# ---------------------------------------------------------------------------------------------- numbers

_DIGIT = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3, "仨": 3, "四": 4,
          "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_UNIT = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
# A number as people write it: 30, 3.5, 三十, 卅, 廿, 叁拾, 几十, 十几, 二三十, 数十, 一百多.
NUMBER = r"(?:\d+(?:\.\d+)?|好几十|好多|很多|好几|[零〇一壹二贰两俩三叁仨四肆五伍六陆七柒八捌九玖十拾百佰千仟廿卅几数半]+)(?:多|来|余)?"


def number_value(value: str) -> int | None:
    """The count a number stands for (几十 → 20, 十几 → 12, 卅 → 30, 叁拾 → 30); None when it is not a number."""
    if value in ("好多", "很多", "好几十"):
        return 20
    if value == "好几":
        return 5
    value = value.rstrip("多来余")
    if not value:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return int(float(value))
    value = value.replace("廿", "二十").replace("卅", "三十")
    if value in ("几", "数"):
        return 3
    if value == "半":
        return 1
    if value.startswith(("几", "数")) and len(value) > 1:
        value = "二" + value[1:]  # 几十 / 数十 → 20, 几百 → 200
    value = value.replace("几", "二")  # 十几 → 12
    # 二三十 / 三五 (a range): read the lower bound.
    value = re.sub(r"([零〇一壹二贰两俩三叁仨四肆五伍六陆七柒八捌九玖])[零〇一壹二贰两俩三叁仨四肆五伍六陆七柒八捌九玖]+",
                   r"\1", value)
    total, current = 0, 0
    for char in value:
        if char in _DIGIT:
            current = _DIGIT[char]
        elif char in _UNIT:
            total += (current or 1) * _UNIT[char]
            current = 0
        elif char != "半":
            return None
    return total + current


# Same matches, fewer positions tried (see riskmodel.prefilter).
gate_module(globals())
