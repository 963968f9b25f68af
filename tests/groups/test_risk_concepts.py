"""The concept model on messages written for this test (not copied from the lexicon): imminent and high risk in
many voices reach a human; hard negatives that share words with risk stay quiet; normalisation and numbers."""

from __future__ import annotations

import time

import pytest

from sanshe.groups.risk import ALERT_LEVEL, IMMINENT_LEVEL, LABELS, assess, label, normalise
from sanshe.groups.riskmodel import lexicon
from sanshe.groups.riskmodel.normalise import number_value

IMMINENT = [
    '我现在站在天台上，风很大，对不起爸妈',
    '药我已经全吞了，一百多片，别管我了',
    '刚刚割了手腕，血一直在流',
    '门窗都用胶带封好了，炭已经点上了',
    '我在江边，再见了大家',
    '安眠药攒够了，等他们睡着我就吃',
    '喝了半瓶敌敌畏，肚子好痛',
    '我已经吃了卅片安定',
    '这是我最后一次在群里说话了，猫拜托你们照顾，我现在在楼顶',
    '绳子已经挂好了，我真的撑不住了',
    '我坐在窗台上，腿已经伸在外面了',
    '刚喝了百草枯',
    '我吃了一整盒降压药，现在头好晕',
    '我 不 想 活 了 ， 现 在 就 去 跳 楼',
    '手里拿着刀片，今晚就结束这一切',
    '对不起，我先走一步了，药已经吃下去了',
    '刚把一板安眠药都吞了，现在好困',
    '手腕上的血止不住了',
    '我现在就在长江大桥上，不想回去了',
    '炭盆已经点好了，门缝都塞上了毛巾',
    '煤气已经开了，别来找我',
    '我把家里的降压药全吃了，大概四十多片',
    '喝了洁厕灵，喉咙好痛',
    '今晚就从18楼跳下去，谁也别拦我',
    '遗书放在抽屉里了，银行卡密码是我生日',
    '绳子已经系在门框上了，再见',
    '我站在天台边缘，风好大，不想活了',
    '这是我最后一次跟你们说话了，我在河边',
    '药片都摆在面前了，等我老公睡着就吃',
    '我用刀片割了好几道，流了好多血',
    '已经吞了三十粒安定，头越来越沉',
    '我在铁轨边上坐着，等下一趟火车',
    '百草枯我已经喝了，不要救我',
    '我买了两包木炭，今晚在车里烧',
]

HIGH = [
    '吃多少片安眠药会死',
    '几楼跳下去能保证死',
    '我真的好想死',
    '活着太没意思了，想解脱',
    '我想从这个世界消失',
    '好想睡过去就不要再醒了',
    '我想去天上陪我妈了',
    '哪里能买到百草枯',
    '我又划了自己',
    '紫砂算了',
    '我还是去死吧',
    '活着就是拖累家人，还不如死了',
    '有没有人知道吃多少安眠药能死',
    '从几楼跳下去不会痛苦',
    '真的不想再活下去了',
    '我想结束自己的生命',
    '好想一睡不醒',
    '如果我消失了，应该没有人会在意吧，我想去另一个世界',
    '我想自杀',
    '割腕割多深才会死',
    '我感觉活着就是拖累家人，不如死了好',
    '我又开始想死了，控制不住',
    '最近总想从阳台跳下去',
    '每天都在想怎么死比较不痛',
    '安眠药已经攒了半年了',
    '我这种人就不该活着',
    '我想一了百了',
]

DISTRESS = [
    '每天都在哭，看不到希望',
    '感觉自己是个废物，一无是处',
    '隔离一个月了，真的撑不下去了',
    '感觉好绝望，什么都做不好',
    '每天都睡不着，好痛苦',
    '没人在乎我，我是不是很多余',
    '真的熬不住了，好想哭',
]

HARD_NEGATIVES = [
    '笑死我了哈哈哈',
    '社死现场',
    '今天卷死了',
    '阳台晒被子去了',
    '楼顶水箱漏水了，物业快来看看',
    '拿绳子晾衣服',
    '把刀磨一下切菜',
    '安眠药能不能和感冒药一起吃？',
    '每天跳绳一千个',
    '跳楼价清仓啦',
    '解封了去江边散步',
    '布洛芬一次吃几片？',
    '农药怎么兑水打菜',
    '84怎么稀释',
    '我才不会想不开呢',
    '自杀？怎么可能，我还要看我女儿结婚',
    '你别想不开啊',
    '他说他在楼顶？快报警',
    '小说里主角最后跳崖了',
    '这部电视剧的角色最后自杀了，好虐',
    '如何帮助有自杀倾向的朋友',
    '手机又死机了',
    '死忠粉报到',
    '你这个死鬼',
    '我在楼顶晒被子',
    '降压药吃完了，哪里能买到',
    '刚吃了两片退烧药',
    '门窗都封了，出不去',
    '今晚有核酸吗',
    '新闻说有个人跳河了',
    '这个月真的累死了',
    '我没想过自杀',
    '终于解脱了，隔离结束',
    '笑死，我家猫又把花盆打翻了',
    '今天排了三个小时队，累死我了',
    '热死了，空调还坏了',
    '这破网卡死了',
    '我社死了，视频会议忘关麦',
    '卷死了卷死了，孩子网课作业太多',
    '死鬼，还不回家吃饭',
    '我是周杰伦的死忠粉',
    '电脑又死机了，烦',
    '这道题把我难死了',
    '饿死了，团购的菜还没到',
    '气死我了，快递又被退回',
    '我才不会想不开，日子还长着呢',
    '自杀？怎么可能，我还要看我儿子结婚呢',
    '我从来没想过要死，放心吧',
    '别担心，我不会做傻事的',
    '你是不是想不开了？有事跟我说',
    '你最近还好吗，有没有想过伤害自己？',
    '你别想不开啊，有什么事大家一起扛',
    '他说他在楼顶？快报警！',
    '听说隔壁楼有人跳楼了，太可怕了',
    '新闻说有个大学生烧炭自杀了',
    '网上说有人在江边轻生被救了',
    '这部电视剧的女主最后跳河了',
    '小说里的主角吃安眠药自杀，写得好压抑',
    '剧情太虐了，男主死了',
    '游戏里我的角色又死了',
    '心理援助热线的电话是多少？',
    '如何帮助身边想自杀的朋友',
    '社区今晚有心理讲座，主题是预防自杀',
    '珍爱生命，远离毒品',
    '布洛芬一次吃几片？孩子发烧38.5',
    '感冒药一天吃几次？',
    '降压药快吃完了，哪里能买到？',
    '84消毒液怎么稀释？',
    '洁厕灵和84能混用吗',
    '老鼠药放哪里比较好，楼道里好多老鼠',
    '杀虫剂喷完要开窗吗',
    '阳台晒被子，太阳真好',
    '在楼顶晒被子，顺便晒太阳',
    '天台的门锁坏了，小孩别上去',
    '拿绳子在阳台晾衣服',
    '绳子哪里有卖，想捆一下纸箱',
    '刀磨一下切菜',
    '剪刀借我用一下，拆快递',
    '菜刀钝了，谁家有磨刀石',
    '每天在家跳绳一千个',
    '跳楼价清仓，最后三天',
    '下班去河边跑步',
    '周末去桥上拍夜景',
    '窗台上的花开了',
    '坐在窗台上看书，阳光很好',
    '站在阳台上等大白送菜',
    '今晚有核酸吗？',
    '明天早上七点做核酸，今晚早点睡',
    '门窗都封了，出不去，只能网购',
    '我们楼被封了，门口贴了封条',
    '炭火锅今晚吃起来',
    '煤气罐没气了，谁知道哪里能换',
    '天然气费怎么交',
    '吃了两片退烧药，好多了',
    '我刚吃了一片安眠药，希望今晚能睡着',
    '隔离结束，终于解脱了',
    '考试考砸了，我死定了',
    '这个月工资又没发，穷死了',
    '孩子太皮了，我要被气死了',
    '累得想死的心都有了，天天加班',
    '我以前想过自杀，现在好多了，谢谢大家',
    '去年我也很抑郁，现在都过去了',
    '谢谢志愿者这段时间的照顾，辛苦了',
    '谢谢大家一直以来的帮助，解封后请大家吃饭',
    '大家保重，注意防护',
    '再见了大家，我明天搬走了，有空回来看你们',
    '最后一次核酸了，明天解封',
    '我的快递密码是1234，麻烦帮我取一下',
    '帮我照顾一下我家猫，我去做核酸',
    '头好晕想吐，是不是阳了',
    '发烧39度，浑身没力气',
    '流了好多鼻血，怎么止',
    '切菜不小心割到手了，流了点血',
    '不要吓我，我心脏不好',
    '打死我也不吃方便面了',
    '这手机慢得要死',
    '我妈又在唠叨了，烦死了',
    '有没有人一起跳操',
    '我爸说他想去江边钓鱼',
    '这个价格简直是跳楼价',
    '我想消失一会儿，别打扰我打游戏',
    '蚊子都被我拍死了',
    '家里的绿萝死了',
    '我想去见我妈了，三个月没见了，解封就回去',
    '下辈子还想做你的朋友',
]
# Everyday lockdown chat, hyperbole, negation, questions to others, hearsay, fiction, prevention talk and benign
# medicine / pesticide / cleaning questions that share words with risk.
HARD_NEGATIVES += [
    "洁厕灵和84能混用吗",
    "周末去桥上拍夜景",
    "今天从18楼往下看，小区里一个人都没有，好安静",
    "钥匙放在门口地垫下了，快递小哥帮忙放一下",
    "我家猫拜托楼下照顾三天，我去方舱了",
    "今天把孩子的旧衣服都送人了，有需要的还有",
    "热得我想跳进冰箱里",
    "我家娃今天把墙画满了，我差点晕过去",
    "孩子说想从沙发上跳下来当超人",
    "楼长今天问我有没有想过自杀，我说没有，就是累",
    "老鼠药放在哪里小孩够不着，怕误食",
    "炭火锅在家能吃吗，怕一氧化碳中毒",
    "这个家让我窒息",
    "我不活了，这道题怎么都做不出来哈哈哈",
    "不想活是气话，我还要看我儿子结婚呢",
    "今天培训了怎么劝阻想跳楼的人",
    "今天休息，睡个长觉",
    "明天就上路了，回老家",
    "我先走了，明天见",
    "买了30片布洛芬备着，今天吃了两片",
    "差点见阎王",
    "紫砂壶泡茶真香",
]

# Other voices: elders, migrant workers, teenagers, dialect.
IMMINENT += [
    '老伴走了三年了，我也该去找她了，安眠药都准备好了',
    '我在工地塔吊上面，工钱要不回来，不活了',
    '俺已经把农药喝了，别管俺',
    '家人们我真的撑不住了，已经在天台了，拜拜',
    'emo到极点了，药已经吞了一大把',
    '刀片已经划下去了，好多血，好痛',
    '妈，对不起，我在大桥上，下辈子再做你女儿',
    '已经在厂里宿舍楼顶了，老板欠的钱我不要了，这辈子就这样吧',
    '我把自己反锁在房间里，炭盆点着了，头开始晕了',
    '我现在就站在窗户外面的台子上，手在发抖',
    '喝了一整瓶白酒加安眠药，现在意识有点模糊',
    '我女儿把自己关在厕所里，说吃了好多药，叫她不开门',
    '我割了好几刀，手上全是血，眼前有点黑',
    '刚从药店回来，一次吞了两盒感冒药',
    '坐在江边，准备走进水里，别找我了',
]
HIGH += [
    '不想拖累儿女了，活这么大岁数也够了',
    '活着好累，真想睡一觉就再也不醒了',
    '老子受够了，真想一死了之',
    '你们说人从多高摔下来会死',
    '最近一直在想如果我死了会怎样，已经写了几封信',
    '我这种人活着就是浪费粮食，还不如死了',
    '想找个没人的地方安安静静地走',
    '上个月吞过药，现在又想了',
    '能不能告诉我哪里能买到大量的安眠药',
    '以后我不在了，你们帮我照顾好我妈',
]
DISTRESS += [
    '每天一个人在出租屋里，好孤独，没人说话',
    '感觉自己就是个废物，工作也丢了',
    '最近一直睡不着，什么都不想做，觉得好累',
]
HARD_NEGATIVES += [
    '今天emo了，奶茶没抢到',
    '破防了，这个视频太感人了',
    '我们老人家不怕死，就怕给儿女添麻烦，所以天天锻炼',
    '今天工地上好热，热死人了',
    '厂里宿舍的天台上晒了好多被子',
    '谁家有多余的农药，菜地里生虫了',
    '我已经把药吃了，谢谢医生',
    '阳台上的绳子断了，衣服掉下去了',
    '刀片用完了，剃须刀谁家有多的',
    '安眠药吃一片就够了吧，医生开的',
    '老伴，今晚吃什么',
    '这个游戏我又死了十次',
    '看了个纪录片，讲跳楼自杀的，心里挺难受',
    '今天去江边钓鱼，钓了一条大鱼',
    '楼顶的太阳能热水器坏了',
    '孩子在阳台上玩，要小心别掉下去',
    '我想死你们了，解封第一天就去找你们',
    '你们谁知道致死率是多少，新冠这么可怕吗',
    '今晚最后一次核酸，大家下楼吧',
    '我们小区今天解封啦，大家再见，有空来玩',
    "写了一封信给自己，十年后再打开",
    "发烧第一天，全身酸痛，吃了布洛芬好多了",
]

# The way people post online about wanting to die, and its look-alikes.
HIGH += [
    '我有抑郁症，所以就去死一死，没什么重要的原因，大家不必在意',
    '今天又是想死的一天',
    '每天醒来第一个念头就是为什么还活着',
    '好想就这样一睡不起啊',
    '我是不是死了比较好',
    '真的好想结束这一切，太累了',
    '想从这个世界上彻底消失',
    '不想再醒过来了',
    '再见了，这个世界对我太残忍',
    '如果有来生，我不想再做人了',
    '有没有一起走的，我已经准备好了',
    '我不想活下去了，真的',
    '已经在想用什么方法了',
]
DISTRESS += [
    '我活着就是个错误',
    '我好没用啊，什么都做不好',
    '心里好空，好难受',
    '撑得好辛苦，不知道还能坚持多久',
]
HARD_NEGATIVES += [
    '今天又是加班到想死的一天哈哈',
    '这部剧结局所有人都死了，哭死我了',
    '推荐一本书《自杀论》，涂尔干写的',
    '我奶奶今天出院了，终于放心了',
    '我们家的狗狗走了，陪了我们十二年，好难过',
    '快递员说今天不送了，明天再说',
    '大白辛苦了，站了一天',
    '楼下在修剪树枝，拿着大剪刀',
    '我家阳台能看到江，风景特别好',
    '煤气灶打不着火了，谁会修',
]


@pytest.mark.parametrize("text", IMMINENT)
def test_imminent_messages_reach_9(text):
    result = assess(text)
    assert result.level >= IMMINENT_LEVEL, (text, result)


@pytest.mark.parametrize("text", HIGH)
def test_high_risk_messages_alert(text):
    result = assess(text)
    assert result.level >= ALERT_LEVEL, (text, result)


@pytest.mark.parametrize("text", DISTRESS)
def test_distress_is_noticed_without_alarm(text):
    result = assess(text)
    assert 3 <= result.level < IMMINENT_LEVEL, (text, result)


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_stay_at_3_or_below(text):
    result = assess(text)
    assert result.level <= 3, (text, result)


@pytest.mark.parametrize("text, expected", [
    ("我 想 死", "我想死"), ("想.死", "想死"), ("我,想,死", "我想死"), ("想想想想死", "想死"), ("我想ｓｉ", "我想死"),
    ("吃了３０片", "吃了30片"), ("我要zs", "我要自杀"), ("紫砂算了", "自杀算了"), ("紫砂壶", "紫砂壶"), ("殺", "杀"),
    ("烧碳", "烧炭"), ("跳樓", "跳楼"), ("安眠藥", "安眠药"),
])
def test_normalise_undoes_dodges(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("value, expected", [
    ("30", 30), ("三十", 30), ("卅", 30), ("叁拾", 30), ("几十", 20), ("十几", 12), ("二三十", 20), ("一百多", 100),
    ("廿", 20), ("三十五", 35), ("好多", 20),
])
def test_every_way_of_writing_a_number(value, expected):
    assert number_value(value) == expected


@pytest.mark.parametrize("text", ["我已经吃了30片安定", "我已经吃了三十片安定", "我已经吃了卅片安定", "我已经吃了叁拾片安定",
                                  "我已经吃了３０片安定", "我已經吃了三十片安定"])
def test_a_dose_in_any_writing_is_an_overdose(text):
    result = assess(text)
    assert result.level == 10 and "overdose:已服下" in result.codes, (text, result)


def test_levels_are_explained_by_the_concepts_found():
    result = assess("我现在站在天台边上，对不起爸妈")
    kinds = {code.split(":")[0] for code in result.codes}
    assert result.level >= IMMINENT_LEVEL and {"in_place", "farewell"} <= kinds
    assert all(kind in LABELS for kind in kinds)
    assert label("seeking:吃多少片会死") == "打听致死方法或工具：吃多少片会死"


def test_every_concept_kind_has_a_chinese_label():
    kinds = {kind for kind, _w, _p in lexicon.CONCEPTS} | {kind for kind, _w, _p in lexicon.MEDICAL}
    assert kinds <= set(LABELS), kinds - set(LABELS)


def test_combinations_not_words_make_the_level():
    assert assess("我在楼顶").level == 0  # a place alone
    assert assess("不想活了").level in (6, 7)  # intent alone alerts
    assert assess("不想活了，我在楼顶").level >= IMMINENT_LEVEL  # intent + in place
    assert 3 <= assess("每天都在哭，看不到希望").level <= 5  # hopelessness alone is distress
    assert 6 <= assess("吃多少片安眠药会死").level < IMMINENT_LEVEL  # seeking lethality is high
    assert assess("刚割了手腕，血止不住").level == 10  # done + injured


def test_scanning_stays_fast():
    """≥ 2,000 messages a second on one core is the goal; the test allows a loaded machine half of that."""
    messages = (IMMINENT + HIGH + HARD_NEGATIVES) * 5
    start = time.perf_counter()
    for text in messages:
        assess(text)
    rate = len(messages) / (time.perf_counter() - start)
    assert rate >= 1_000, rate
