"""Pure claim reading: the rumour base by meaning, claim shapes, private data, and notices that are never held."""

from __future__ import annotations

import pytest

from sanshe.groups import claims
from sanshe.groups.analysis import analyse
from sanshe.groups.rules import DEFAULT_RULEBOOK
from sanshe.groups.rumours import DEFAULT_RUMOURS


def _held(text: str) -> list[str]:
    return analyse(text)["moderation"]


def test_the_seed_base_is_large_sourced_and_every_wording_finds_its_own_entry():
    assert len(DEFAULT_RUMOURS) >= 25
    assert len({r.key for r in DEFAULT_RUMOURS}) == len(DEFAULT_RUMOURS)
    for rumour in DEFAULT_RUMOURS:
        assert rumour.debunk and rumour.source
        for wording in (rumour.claim, *rumour.variants):
            found = claims.DEFAULT_INDEX.match(wording)
            assert found is not None and found.rumour.claim == rumour.claim, wording


@pytest.mark.parametrize(("text", "claim"), [
    ("听说多喝高度白酒可以防新冠病毒，大家试试", "喝白酒能预防新冠病毒"),
    ("每天喝二两白酒，新冠就不会找上你", "喝白酒能预防新冠病毒"),
    ("板蓝根每天一包，新冠病毒防得住", "喝板蓝根能预防新冠"),
    ("双黄连能抑制新冠病毒，快去药店买", "双黄连口服液能预防新冠病毒"),
    ("淡盐水漱口能把病毒杀死", "用盐水漱口能杀死新冠病毒"),
    ("吹风机吹热风对着鼻子能杀病毒", "用吹风机吹热风能杀死新冠病毒"),
    ("多吃大蒜就不会感染新冠", "吃大蒜能预防新冠病毒"),
    ("5G信号塔在传播病毒", "5G基站会传播新冠病毒"),
    ("疫苗里面有芯片，打完就被监控了", "新冠疫苗里面有芯片打了会被监控"),
    ("新冠病毒就是实验室人工合成的", "新冠病毒是人造的生化武器"),
    ("快递上都有病毒，收了就会感染", "收快递会感染新冠病毒"),
    ("明天全市封城，内部人说的", "明天开始全市封城"),
    ("吃阿莫西林能防新冠", "吃抗生素能预防新冠"),
    ("口罩放锅里蒸一下还能再戴", "口罩用开水蒸煮消毒后可以重复使用"),
    ("多喝开水能杀死新冠病毒", "多喝热水能杀死新冠病毒"),
    ("老中医祖传偏方三天根治新冠", "祖传中药偏方能根治新冠"),
    ("抽烟的人不容易感染新冠", "吸烟能预防新冠"),
    ("放鞭炮能驱散病毒", "放鞭炮烟花能杀灭新冠病毒"),
    ("阳过一次以后就终身免疫了", "阳过一次就终身免疫不会再感染"),
    ("先吃布洛芬就不会阳", "提前吃布洛芬能预防新冠"),
    ("泡热水澡能杀死身上的新冠病毒", "洗热水澡能预防新冠"),
])
def test_a_paraphrase_of_a_base_claim_matches_that_claim(text, claim):
    found = claims.DEFAULT_INDEX.match(text)
    assert found is not None and found.rumour.claim == claim
    verdict = DEFAULT_RULEBOOK.check(text, rumours=claims.DEFAULT_INDEX)
    assert verdict.categories[0] == "rumour" and verdict.rumour is not None


@pytest.mark.parametrize("text", [
    "喝白酒能预防新冠是谣言，别信",
    "熏醋不能杀灭病毒，请开窗通风",
    "5G基站传播病毒的说法没有科学依据",
    "双黄连能预防新冠是真的吗？",
    "板蓝根能预防新冠吗",
    "辟谣：吃大蒜不能预防新冠病毒",
    "板蓝根在哪能买到",
    "布洛芬哪里有卖",
    "家里的醋用完了",
    "大蒜和白菜明天到货",
    "5G信号不好，打电话断断续续",
    "天气热了注意防暑",
    "喝热水对嗓子好",
    "我阳过了，现在有抗体",
    "快递今天下午到，去北门取",
    "冷链食品要从正规渠道买",
    "我打完疫苗胳膊有点疼",
    "注意预防新冠，勤洗手",
])
def test_a_debunk_a_question_or_a_plain_mention_does_not_match(text):
    assert claims.DEFAULT_INDEX.match(text) is None
    assert "rumour" not in _held(text)


@pytest.mark.parametrize(("text", "category"), [
    # cure / prevention claims about a substance not in the base
    ("每天吃三颗洋葱就能杀死新冠病毒", "rumour"),
    ("用花椒水泡脚可以预防新冠", "rumour"),
    ("这个秘方专治新冠，一副见效", "rumour"),
    # conspiracies
    ("疫苗就是害死老人的阴谋", "rumour"),
    ("5G辐射让疫情更严重", "rumour"),
    ("病毒是故意投放的", "rumour"),
    # internal news / cover-up
    ("小区其实有20个阳性，居委会瞒报了", "rumour"),
    ("真实感染人数是公布的十倍，马上就要被删", "rumour"),
    # panic buying
    ("赶紧囤米囤油，过两天就买不到了", "panic"),
    ("超市都被抢空了，快去抢", "panic"),
    # unverified forwards
    ("【重磅】速转！明天开始全面停运", "unapproved_news"),
    ("紧急扩散，转给所有人", "unapproved_news"),
    # superstition and paid rituals
    ("请大师做法事保平安，转账88元", "superstition"),
    ("随喜红包就能为全家祈福消灾", "superstition"),
    # incitement not to cooperate
    ("大家都别去做核酸，看他们能怎样", "incitement"),
    ("咱们一起冲出去，别配合他们", "incitement"),
    ("今晚一起砸了卡口", "incitement"),
    # violence against workers
    ("再不放我出去我就砍了那个大白", "violence"),
    ("明天我就捅了那个志愿者", "violence"),
])
def test_claim_shapes_beyond_the_base_are_held_with_their_category(text, category):
    assert category in _held(text)


@pytest.mark.parametrize(("text", "kind"), [
    # A mistyped check digit is still someone's ID number when the message says so; unlabelled, it is not.
    ("他的身份证号是110101199003077777，大家帮忙查一下", "id_number"),
    ("订单号110101199003077777请核对", None),
    ("我的身份证 11010519491231002X 帮忙登记一下", "id_number"),
    ("王阿姨电话 139 1234 5678", "phone"),
    ("联系我：138-0013-8000", "phone"),
    ("+86 13800138000", "phone"),
    ("3号楼2单元501确诊了，大家小心", "diagnosis"),
    ("5栋1102的核酸阳性", "diagnosis"),
    ("张伟确诊了，千万别和他接触", "diagnosis"),
    ("老李得了抑郁症，大家离他远点", "diagnosis"),
    ("刘阿姨是HIV携带者", "diagnosis"),
])
def test_private_data_in_a_group_is_found(text, kind):
    found = claims.private_data(text)
    if kind is None:
        assert found == []
        return
    assert kind in [f.kind for f in found]
    assert "private_data" in _held(text)


@pytest.mark.parametrize("text", [
    # everyday notices and chat, the way staff and official bulletins write them: never held
    "今天下午2点到5点在3号楼前做核酸，请带好手机",
    "明天上午8点到11点全员核酸，请按楼栋顺序下楼",
    "物资已到，请各楼栋居民下午3点到北门领取蔬菜包",
    "团购的大米明天到，请到小区东门自提",
    "卫健委通报：昨日新增确诊病例3例，无症状感染者12例",
    "据市疾控中心通报，我区新增2例阳性，均已转运",
    "疾控提醒：戴口罩、勤洗手、常通风，接种疫苗能有效预防重症",
    "接种疫苗可以有效预防重症和死亡",
    "辟谣：网传明天全市封城是假消息，请以官方通知为准",
    "熏醋、喝白酒都不能预防新冠，不要相信",
    "物资供应充足，请大家不要恐慌囤货",
    "大家别慌，不用抢购，超市都有货",
    "社区办公室电话 027-84561234，24小时值班",
    "心理援助热线 400-161-9995，有需要请拨打",
    "急救请拨打120，报警110，市民热线12345，卫生热线12320",
    "3号楼有人阳了吗？",
    "我阳了，在家隔离，大家注意",
    "阳性人员的生活垃圾请单独打包",
    "收快递后记得洗手",
    "75%酒精可以杀灭病毒，用来擦门把手",
    "医生说奈玛特韦可以治疗新冠，需要处方",
    "今天降温了，大家多穿点",
    "我想问一下明天还发菜吗？",
    "谢谢志愿者们辛苦了",
    "楼下大白真辛苦，给他们送点水",
    "通知：明天上午9点至11点停水检修，请提前储水",
    "居委会电话是多少？",
    "大家要配合核酸检测，早测早安心",
    "请大家积极配合，不要聚集",
    "孩子发烧了，吃了布洛芬退了",
    "今天做了核酸，结果阴性",
    "王府井那边也有确诊病例",
    "中午吃了大蒜炒肉",
    "有没有人知道哪里能买到板蓝根",
])
def test_everyday_notices_and_chat_are_never_held(text):
    assert _held(text) == [], text


def test_analyse_keeps_its_shape_and_reports_new_categories():
    result = analyse("赶紧囤货，明天就买不到了！")
    assert set(result) == {"text", "risk_level", "risk_signals", "moderation", "is_question"}
    assert "panic" in result["moderation"]


def test_an_organisation_index_from_library_entries_matches_its_own_claims():
    index = claims.RumourIndex([claims.Rumour(7, "喝茶叶水能杀死新冠病毒", "茶叶水不能杀死病毒。", "市卫健委")])
    found = index.match("听说多喝浓茶叶水可以杀死新冠病毒")
    assert found is not None and found.rumour.entry_id == 7
    assert found.rumour.snapshot(found.score)["debunk"] == "茶叶水不能杀死病毒。"
    assert index.match("茶叶水不能杀死新冠病毒，别信") is None
    assert index.match("家里的茶叶喝完了") is None


@pytest.mark.parametrize("text", [
    "朋友圈都在传，喝醋能杀死奥密克戎",
    "疫苗打了以后会得白血病，千万别打",
    "这个病毒就是实验室泄漏的，官方不敢说",
    "我表哥在政府上班，说明天要封城了",
    "快点去超市抢菜，晚了就没了",
    "扩散！！疾控内部人员透露真实感染人数上万",
    "家里放几个洋葱能吸走病毒",
    "供奉这尊菩萨可以保佑全家不被感染，请一尊只要199",
    "转发此条可保全家平安",
    "吃了连花清瘟就百分百不会阳",
    "打完疫苗DNA就被改了",
    "天气一热病毒就死了，不用戴口罩了",
    "阳过的人一辈子都不会再阳",
    "内部通报：隔壁小区死了好几个，上面压着不让说",
    "赶快把米面油都买回家，要封一个月",
    "大师说在门口挂艾草就能防疫，法事一次300元",
    "再关我们，就跟那些志愿者拼了",
    "6栋2单元302那家有人得了艾滋",
    "海鲜市场的冻虾都带新冠，吃了必中招",
    "核酸阳性名单：李建国 13812345678",
    "喝白酒能预防新冠，你们知道吗",  # rhetorical, not a question asking whether it is true
])
def test_fresh_phrasings_of_harmful_claims_are_held(text):
    assert _held(text), text


@pytest.mark.parametrize("text", [
    "快去领菜，北门在发",
    "赶紧下楼做核酸，队伍不长",
    "吃了退烧药体温降下来了",
    "阳了以后多喝水多休息",
    "感染过的人也要戴口罩",
    "我爸阳了，在家养着",
    "转发一下社区的通知：明天核酸",
    "5G手机信号真差",
    "我在网上看到说喝醋能防新冠，是真的吗？",
    "家里挂了艾草，端午节快乐",
    "打死我也不信这些谣言",
    "砍价团购的菜到了",
    "停水通知：因管道维修，7号楼今晚停水",
    "明天超市正常营业，物资充足",
])
def test_everyday_chat_sharing_words_with_harmful_claims_is_not_held(text):
    assert _held(text) == [], text


@pytest.mark.parametrize("text", [
    "今天混管阳性的两户：7-502黎明、7-1101严丹，大家注意",   # the people after the result, flat as building-room
    "群里说的阳性名单 / 6-203 钱多多 / 9-1704 顾佳",
    "确诊的就是8栋那个唐志远，他家是1502",
    "名字不打码了：罗晓峰、段丽华，核酸异常",                  # a list of names
    "体温登记：邵刚 38.2、汤敏 36.6，仅供参考",                 # names with their temperatures
    "混管有问题的是三楼那户姓邹的",
    "孔令辉今天抗原两道杠了，他家在12楼",
])
def test_private_health_data_about_named_people_is_found_before_or_after_the_result(text):
    assert [f.kind for f in claims.private_data(text)] == ["diagnosis"], text


@pytest.mark.parametrize("text", [
    "麻烦大家今天把抗原结果在小程序上报一下",
    "请3-5号楼的居民今晚接龙报抗原结果",
    "疾控提醒：抗原阳性请在小程序上报，并居家观察",
    "新冠疫苗第三针明天在社区医院打，带身份证",
])
def test_notices_about_results_name_nobody(text):
    assert claims.private_data(text) == [], text
