"""The default rumour base: well-known epidemic-era rumours with their debunks and sources. Pure data.

The resource library (sanshe.knowledge) seeds its 辟谣 entries from this list (migration 0004), and the
pure default index (claims.DEFAULT_INDEX) is built from it, so `analysis.analyse` recognises these
rumours without a database. Each rumour is written the way people write it (`claim`) plus a few other
wordings (`variants`); the debunk text is what the admin sends into the group with one tap.

Sources are the public refutations of the time: the National Health Commission (国家卫生健康委员会),
China CDC (中国疾病预防控制中心), the joint rumour-refuting platform (中国互联网联合辟谣平台,
piyao.org.cn), the WHO's "Mythbusters" page, and the peer-reviewed study on the virus's origin.
"""

from __future__ import annotations

from dataclasses import dataclass

NHC = "国家卫生健康委员会"
CDC = "中国疾病预防控制中心"
PIYAO = "中国互联网联合辟谣平台"
WHO = "世界卫生组织（WHO）“破除谣言”专栏"
NATCM = "国家中医药管理局"
LOCAL = "当地政府及疫情防控指挥部官方发布"

NHC_URL = "https://www.nhc.gov.cn/"
CDC_URL = "https://www.chinacdc.cn/"
PIYAO_URL = "https://www.piyao.org.cn/"
WHO_URL = "https://www.who.int/emergencies/diseases/novel-coronavirus-2019/advice-for-public/myth-busters"


@dataclass(frozen=True)
class SeedRumour:
    key: str
    claim: str
    debunk: str
    source: str
    link: str = ""
    variants: tuple[str, ...] = ()


DEFAULT_RUMOURS: tuple[SeedRumour, ...] = (
    SeedRumour(
        "alcohol", "喝白酒能预防新冠病毒",
        "饮酒不能预防新冠病毒感染。75%的医用酒精可以给物体表面和手消毒，但喝下去的酒在体内起不到消毒作用，"
        "过量饮酒反而损伤肝脏、降低免疫力。",
        NHC, NHC_URL, ("多喝高度酒能杀死体内的新冠病毒", "每天喝点白酒就不会感染新冠"),
    ),
    SeedRumour(
        "vinegar", "熏醋能杀灭新冠病毒预防感染",
        "熏醋不能杀灭新冠病毒。食醋中醋酸浓度很低，达不到消毒效果；在密闭房间长时间熏醋还会刺激呼吸道。"
        "预防感染请开窗通风、勤洗手、戴口罩。",
        NHC, NHC_URL, ("家里熏白醋可以消毒防病毒", "用醋熏房间就不会被传染"),
    ),
    SeedRumour(
        "banlangen", "喝板蓝根能预防新冠",
        "板蓝根不能预防新冠病毒感染。目前没有证据表明板蓝根对新冠病毒有预防作用，没有症状不要自行服药。",
        NHC, NHC_URL, ("板蓝根冲剂每天喝一包就能防住新冠", "多喝板蓝根不会被感染"),
    ),
    SeedRumour(
        "shuanghuanglian", "双黄连口服液能预防新冠病毒",
        "“双黄连可抑制新冠病毒”只是实验室初步研究，“抑制”不等于“预防和治疗”，并无临床证据。"
        "请勿抢购、自行服用，药物都有副作用。",
        PIYAO, PIYAO_URL, ("赶紧买双黄连，喝了就能防新冠", "双黄连可以抑制新冠病毒，喝了不会得"),
    ),
    SeedRumour(
        "salt_water", "用盐水漱口能杀死新冠病毒",
        "盐水漱口不能预防新冠病毒感染。淡盐水漱口可以清洁口腔和咽喉，但病毒主要经呼吸道进入，"
        "漱口无法清除呼吸道里的病毒。",
        NHC, NHC_URL, ("每天淡盐水漱口就能预防新冠", "用盐水洗鼻子漱口可以防止感染新冠"),
    ),
    SeedRumour(
        "hot_air", "用吹风机吹热风能杀死新冠病毒",
        "用吹风机对着口鼻或手吹热风不能杀死新冠病毒，还可能烫伤。洗手后擦干、开窗通风才有用。",
        WHO, WHO_URL, ("吹风机对着鼻子吹热风30秒就能杀死病毒", "用热风吹手和脸能预防新冠"),
    ),
    SeedRumour(
        "garlic", "吃大蒜能预防新冠病毒",
        "大蒜是一种健康食品，但没有证据表明吃大蒜能保护人们免于感染新冠病毒。",
        WHO, WHO_URL, ("多吃生大蒜能杀死新冠病毒", "每天吃几瓣大蒜就不会感染新冠"),
    ),
    SeedRumour(
        "5g", "5G基站会传播新冠病毒",
        "病毒不能通过无线电波或移动网络传播。新冠病毒在许多没有5G网络的国家和地区同样传播，"
        "它通过呼吸道飞沫、接触等途径在人与人之间传播。",
        WHO, WHO_URL, ("新冠病毒是5G信号传播的", "5G辐射导致了新冠肺炎"),
    ),
    SeedRumour(
        "vaccine_infertility", "打新冠疫苗会导致不孕不育",
        "没有证据表明新冠疫苗会导致不孕不育。疫苗上市前后都经过安全性评估和持续监测，"
        "备孕人群可以正常接种，具体情况可咨询接种医生。",
        NHC, NHC_URL, ("新冠疫苗会让女性不孕", "打了疫苗以后就生不了孩子"),
    ),
    SeedRumour(
        "vaccine_chip", "新冠疫苗里面有芯片打了会被监控",
        "新冠疫苗中没有芯片。疫苗的成分在说明书中公开，注射针头里不可能放入能定位或监控的电子元件。",
        PIYAO, PIYAO_URL, ("疫苗里植入了纳米芯片用来追踪人", "打疫苗就是给人体里装芯片"),
    ),
    SeedRumour(
        "vaccine_infects", "打新冠疫苗会感染新冠",
        "我国使用的灭活疫苗中的病毒已被灭活，不具有感染性，接种疫苗不会导致感染新冠。"
        "接种后出现的低热、乏力等一般反应通常一两天内消失。",
        CDC, CDC_URL, ("疫苗里有活病毒打了就会阳", "打完疫苗反而会得新冠"),
    ),
    SeedRumour(
        "vaccine_dna", "新冠疫苗会改变人的DNA",
        "新冠疫苗不会改变人的基因。疫苗只是让免疫系统认识病毒，不会进入细胞核、不会与人的DNA结合。",
        WHO, WHO_URL, ("打了疫苗基因就被改了", "疫苗会改变人的基因"),
    ),
    SeedRumour(
        "man_made", "新冠病毒是人造的生化武器",
        "多国科学家对病毒基因组的分析（《自然·医学》2020年）没有发现人为改造的痕迹，"
        "结论是新冠病毒不是实验室构建或人为改造的病毒。不要传播未经证实的阴谋论。",
        "Andersen等，《自然·医学》（Nature Medicine）2020年", "https://www.nature.com/articles/s41591-020-0820-9",
        ("新冠病毒是实验室人工合成的", "病毒是某国故意投放的生物武器", "新冠是实验室泄露出来的人造病毒"),
    ),
    SeedRumour(
        "parcel", "收快递会感染新冠病毒",
        "快递包装被污染并导致感染的可能性很低。收快递时戴口罩、不在室内拆、拆完洗手即可，不必恐慌。",
        CDC, CDC_URL, ("快递包裹上有病毒一碰就会感染", "现在收快递一定会被传染新冠"),
    ),
    SeedRumour(
        "cold_chain", "吃进口冷冻食品一定会感染新冠",
        "冷链食品携带病毒造成消费者感染的风险很低。从正规渠道购买，生熟分开，烧熟煮透，处理后洗手即可。",
        CDC, CDC_URL, ("冷冻肉和海鲜都带新冠病毒吃了必感染", "冷链食品有病毒千万别买"),
    ),
    SeedRumour(
        "lockdown_tomorrow", "明天开始全市封城",
        "是否采取封控措施以当地政府和疫情防控指挥部的官方发布为准。不信谣、不传谣，"
        "请以社区和官方渠道的通知为准，不必抢购囤货。",
        LOCAL, PIYAO_URL, ("内部消息明天全城封锁", "明天零点封城了大家赶紧准备"),
    ),
    SeedRumour(
        "water_power_cut", "今晚开始全城停水停电",
        "封控期间供水、供电、供气等基本生活保障照常运行，计划检修会由供水供电单位提前正式通知。"
        "请以官方渠道发布为准。",
        LOCAL, PIYAO_URL, ("明天全市停水断电赶紧存水", "要全城断水断电好几天"),
    ),
    SeedRumour(
        "antibiotics", "吃抗生素能预防新冠",
        "抗生素对病毒无效，只对细菌起作用。新冠病毒是病毒，服用抗生素不能预防或治疗新冠，"
        "滥用抗生素还会产生耐药。",
        WHO, WHO_URL, ("吃点阿莫西林头孢就能防新冠", "抗生素可以杀死新冠病毒"),
    ),
    SeedRumour(
        "mask_boil", "口罩用开水蒸煮消毒后可以重复使用",
        "医用口罩不能清洗、蒸煮、用微波炉加热后再用，这些做法会破坏口罩的过滤层，失去防护作用。"
        "口罩脏污、变形、潮湿时要及时更换。",
        NHC, NHC_URL, ("医用口罩放锅里蒸一蒸就能再用", "口罩用微波炉加热消毒可以重复戴"),
    ),
    SeedRumour(
        "heat", "天气热了高温能杀死新冠病毒",
        "无论天气多热多晴朗，人都可能感染新冠病毒，炎热潮湿的地区也发生了传播。"
        "天热不是停止防护的理由。",
        WHO, WHO_URL, ("夏天一到病毒就会被热死", "气温超过30度新冠病毒就活不了"),
    ),
    SeedRumour(
        "hot_water", "多喝热水能杀死新冠病毒",
        "喝热水不能杀死新冠病毒。适量饮水对身体有益，但水温无法在体内杀灭病毒。",
        NHC, NHC_URL, ("每15分钟喝一口热水可以把病毒冲进胃里杀死", "喝开水就能把新冠病毒烫死"),
    ),
    SeedRumour(
        "hot_bath", "洗热水澡能预防新冠",
        "洗热水澡不能预防新冠，人的体温会维持在36.5到37度左右；水温过高还会烫伤。",
        WHO, WHO_URL, ("每天洗很烫的热水澡就不会感染", "泡热水澡能杀死身上的新冠病毒"),
    ),
    SeedRumour(
        "vitamin_c", "吃维生素C能预防和治疗新冠",
        "没有证据表明补充维生素C能预防或治疗新冠。均衡饮食即可，过量服用维生素C可能引起腹泻、结石。",
        NHC, NHC_URL, ("大剂量维C可以治好新冠", "每天吃维生素C泡腾片就不会阳"),
    ),
    SeedRumour(
        "moxibustion", "艾灸烧艾草能预防新冠",
        "没有证据表明艾灸或烧艾草能预防新冠病毒感染。在密闭房间里长时间熏艾还会刺激呼吸道。",
        NATCM, "https://www.natcm.gov.cn/", ("家里点艾条熏一熏病毒就没了", "艾灸能杀死新冠病毒"),
    ),
    SeedRumour(
        "folk_cure", "祖传中药偏方能根治新冠",
        "不存在能“根治”新冠的偏方。中医药治疗需要在医生指导下辨证施治，"
        "网上流传的偏方没有经过验证，可能延误治疗或造成伤害。",
        NATCM, "https://www.natcm.gov.cn/", ("这个老中医的偏方三天治好新冠", "祖传秘方包治新冠肺炎"),
    ),
    SeedRumour(
        "smoking", "吸烟能预防新冠",
        "吸烟不能预防新冠，反而会损伤肺部、增加感染后发展为重症的风险。",
        WHO, WHO_URL, ("抽烟的人不会感染新冠", "多抽烟烟雾能杀死病毒"),
    ),
    SeedRumour(
        "sesame_oil", "鼻孔涂香油能预防新冠",
        "在鼻孔里涂香油或芝麻油不能阻挡病毒，也不能预防新冠病毒感染。",
        PIYAO, PIYAO_URL, ("鼻子里抹点芝麻油病毒就进不去", "涂香油能挡住新冠病毒"),
    ),
    SeedRumour(
        "fireworks", "放鞭炮烟花能杀灭新冠病毒",
        "燃放烟花爆竹产生的烟雾不能消杀新冠病毒，反而污染空气、刺激呼吸道，还有安全隐患。",
        CDC, CDC_URL, ("放烟花的硫磺能消杀空气里的病毒", "多放鞭炮可以驱散病毒"),
    ),
    SeedRumour(
        "reinfection", "阳过一次就终身免疫不会再感染",
        "感染后产生的抗体会随时间下降，新的变异株也可能再次感染，阳过的人仍需做好个人防护。",
        CDC, CDC_URL, ("阳过了就有抗体一辈子不会再阳", "得过新冠就永远不会再感染"),
    ),
    SeedRumour(
        "peach_can", "吃黄桃罐头能治新冠",
        "黄桃罐头只是普通食品，不能治疗新冠。发热时注意补水和休息，不必抢购。",
        PIYAO, PIYAO_URL, ("黄桃罐头能退烧治阳", "阳了吃黄桃罐头就能好"),
    ),
    SeedRumour(
        "ibuprofen_prevent", "提前吃布洛芬能预防新冠",
        "布洛芬等退烧药只能缓解发热、疼痛等症状，不能预防新冠，没有症状不要提前服用，也不必囤药。",
        NHC, NHC_URL, ("没阳先吃布洛芬就不会感染", "吃退烧药可以预防新冠"),
    ),
)
