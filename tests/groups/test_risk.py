"""The risk detector on a set of real-sounding messages: risk reaches a human, hyperbole does not."""

from __future__ import annotations

import pytest

from sanshe.rules.chatrisk import ALERT_LEVEL, IMMINENT_LEVEL, assess, label

# Imminent: a plan with means and/or timing, an overdose already taken, a medical emergency.
IMMINENT = [
    "我攒了一瓶安眠药，今晚就吃",
    "我刚吃了一整瓶安眠药",
    "不想活了，今晚就去跳楼",
    "真的活不下去了，绳子已经准备好了",
    "遗书写好了，照顾好我妈",
    "我已经吃了30片安定",
    "喘不上气，嘴唇发紫",
    "我爸血氧只有86%，叫不醒",
    "老人昏迷了，怎么办",
    "我想死，现在就去烧炭",
]

# Alert (≥ 6): explicit intent, self-harm, farewells, urgent medical signs, a worry about someone close.
ALERT = [
    "我真的不想活了",
    "活着没意思，不如死了算了",
    "我想跳楼",
    "谢谢大家这段时间的照顾，永别了",
    "我又割腕了",
    "我妈说她不想活了，我好害怕",
    "我一时想不开",
    "血氧93，胸闷",
    "胸闷，呼吸困难",
    "孩子一直吐，精神差",
    "孕32周，见红了",
    "发烧39度已经四天了，吃药也不退",
    "感觉自己是个累赘，活着没意思",
    "我 想 死",  # spaces to dodge a filter
    "我想ｓｉ",  # not detectable; listed under NOT_DETECTED below instead
]
ALERT.remove("我想ｓｉ")

# Not risk: hyperbole, negations, screening questions, news, prevention work, ordinary talk.
NOT_RISK = [
    "笑死了",
    "累死了",
    "热死了",
    "饿死了，什么时候送菜",
    "手机死机了",
    "想死你们了",
    "今天忙死了",
    "困死我了",
    "吓死我了，还以为是阳性",
    "我不想死，我想好好活着",
    "你想过自杀吗？",
    "你有没有想过自杀？",
    "别想不开，我们都在",
    "心理援助热线：预防自杀，24小时有人接听",
    "听说隔壁小区有人跳楼了",
    "新闻报道说有人烧炭",
    "我吃了两片安眠药还是睡不着",
    "没有呼吸困难，也不发烧",
    "我在楼顶晒被子",
    "今晚有核酸检测吗？",
    "隔离14天终于结束了",
    "血氧98，体温36.5",
    "烦得想死",
    "我以前想过自杀，现在好多了",
    "这个剧情虐死人了",
    "气得要死",
    "如果出现呼吸困难、胸闷或体温超过38.5度持续不退，请及时就医",
    "一旦喘不上气，马上打120",
    "请大家注意观察有没有胸闷、呼吸急促",
]


@pytest.mark.parametrize("text", IMMINENT)
def test_imminent_messages_are_level_9_or_10(text):
    result = assess(text)
    assert result.level >= IMMINENT_LEVEL, (text, result)
    assert result.imminent and result.signals


@pytest.mark.parametrize("text", ALERT)
def test_risk_messages_alert(text):
    result = assess(text)
    assert result.level >= ALERT_LEVEL, (text, result)
    assert result.alerts


@pytest.mark.parametrize("text", NOT_RISK)
def test_hyperbole_negation_questions_and_news_do_not_alert(text):
    result = assess(text)
    assert result.level < ALERT_LEVEL, (text, result)


@pytest.mark.parametrize("text", ["笑死了", "累死了", "热死了", "手机死机了", "想死你们了", "今天天气不错"])
def test_hyperbole_is_not_risk_at_all(text):
    assert assess(text).level == 0


def test_methods_and_timing_weigh_more_than_the_word_suicide():
    bare = assess("自杀")
    planned = assess("想自杀，安眠药攒够了，今晚")
    assert planned.level > bare.level
    kinds = {code.split(":")[0] for code in planned.codes}
    assert {"method", "timing"} <= kinds


def test_signals_name_what_fired_in_chinese():
    result = assess("我攒了一瓶安眠药，今晚就吃")
    assert "method:安眠药" in result.codes
    assert "timing:今晚" in result.codes
    assert label("method:安眠药") == "方式与工具：安眠药"


def test_quoted_speech_counts_for_less_than_the_speakers_own_words():
    own = assess("我不想活了")
    quoted = assess("电视剧里那句“我不想活了”太虐了")
    assert quoted.level < own.level
    assert quoted.level < ALERT_LEVEL


def test_medical_and_suicide_domains_are_named():
    assert assess("血氧只有86%").domain == "medical"
    assert assess("我不想活了").domain == "suicide"
    assert assess("").level == 0
