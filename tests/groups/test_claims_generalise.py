"""Moderation on fresh phrasings (issue 13, item 6): the concept combinations of sanshe.groups.harm, claims and
rules must hold harmful messages worded unlike the bench lines, and leave everyday notices and chat alone.

These probes were written for this file, not copied from bench/riskdata; none of them is in dev.tsv.

Decision on reported threats: "刚才有人说要砍大白，快报警" is NOT held. The reporter is not the threat, and a
held message waits for an admin — a warning that someone may be hurt must reach the group and the staff at
once. Hyperbole at objects (气得我想砸手机) names no person and is not held either.
"""

from __future__ import annotations

import time

import pytest

from sanshe.groups import analysis

HARMFUL: list[tuple[str, str]] = [
    # violence: threats against workers, in many frames
    ("violence", "下次那个网格员再来催，我一刀捅了他"),
    ("violence", "老子今天就去居委会把那几个人全弄死"),
    ("violence", "谁再来贴封条，我就砸谁的脑袋"),
    ("violence", "信不信我拿菜刀出去把门口的保安剁了"),
    ("violence", "那个骂我的志愿者，等解封了我找人收拾他"),
    ("violence", "我要是出得去，第一件事就是去揍那个楼长"),
    ("violence", "物业的人再敢锁我家门，我跟他们拼了"),
    ("violence", "大白敢把我妈拉走，我就放火烧了隔离点"),
    ("violence", "那个送药的司机你等着，我知道你住哪"),
    ("violence", "社区主任你出门小心点"),
    ("violence", "我准备好了斧头，谁敢来拉人试试"),
    ("violence", "门卫那小子再拦我，我就打断他的腿"),
    ("violence", "我已经把刀磨好了，明天就去找书记"),
    ("violence", "我就拿硫酸泼那个护士"),
    # incitement: refusing measures, evasion, collective action against barriers
    ("incitement", "各位邻居，明天谁也不要下楼做核酸，他们能拿我们怎么样"),
    ("incitement", "流调电话打来都别接，什么都别说"),
    ("incitement", "发烧了千万别上报，自己在家吃药就行"),
    ("incitement", "大伙儿一起把小区门口的围挡推倒"),
    ("incitement", "今晚十点所有人到楼下集合，把铁丝网拆掉"),
    ("incitement", "咱们全楼都拒绝转运，看谁敢来"),
    ("incitement", "入户消杀的来了谁都别开门"),
    ("incitement", "抗原两道杠也别报，报了就得去方舱"),
    ("incitement", "不要戴口罩，全是形式主义，大家都摘了"),
    ("incitement", "健康码红了就用家里人的码进出，没人查"),
    ("incitement", "所有人都不要去隔离酒店，躲在家里就行"),
    ("incitement", "我们一起去街道闹，不给说法就不走"),
    ("incitement", "大家团结一致，拒绝做核酸"),
    # panic: scarcity + urge, hoarding
    ("panic", "消息说下周开始所有超市停业，赶紧去多买点米面油"),
    ("panic", "退烧药马上全部断货，能买几盒买几盒"),
    ("panic", "听说要封一个月，大家快去超市抢，晚了就没了"),
    ("panic", "猪肉明天起涨到一百一斤，现在赶快多囤点"),
    ("panic", "口罩又要限购了，赶紧抢，别犹豫"),
    ("panic", "银行卡要被冻结，快去把钱都取出来"),
    ("panic", "再不走就出不去了，赶紧连夜离开"),
    ("panic", "菜场全都关门了，快去把冰箱塞满"),
    ("panic", "自来水要停一个月，大家赶紧多接几桶"),
    ("panic", "抗原马上就买不到了，大家一人囤二十盒"),
    # unapproved news: hearsay + pass-on, alarm + pass-on, insiders
    ("unapproved_news", "我邻居在疾控上班，说后天全市停工，先别往外说"),
    ("unapproved_news", "网上都在传下周起地铁停运，大家转发一下"),
    ("unapproved_news", "据知情人士透露，学校下学期不开学，转告亲友"),
    ("unapproved_news", "突发！我们区又出现十几例，赶紧扩散"),
    ("unapproved_news", "别的群里看到的，说本周末全区静默，大家提前准备"),
    ("unapproved_news", "重要消息：从后天起出门都要七十二小时核酸证明，速看"),
    ("unapproved_news", "我老公在街道工作，他讲明天要封控了，先别声张"),
    ("unapproved_news", "紧急！某超市收银员确诊了，去过的转给家人"),
    ("unapproved_news", "爆料：某小区今晚要全部转运，快看"),
    # rumour: cover-ups, origin, planted harm, absolute spread, quick cures
    ("rumour", "火葬场那边车都排到马路上了，新闻一个字都不报"),
    ("rumour", "医院太平间已经放不下了，上面压着不让说"),
    ("rumour", "其实死了上百人，官方只说几个"),
    ("rumour", "这个病毒就是外国人投放的"),
    ("rumour", "新冠是实验室里造出来的，专门针对我们"),
    ("rumour", "做核酸的棉签上有毒，捅多了会得癌"),
    ("rumour", "打了疫苗的人都会不孕，别打"),
    ("rumour", "外卖会传播病毒，所有外卖都要扔掉"),
    ("rumour", "电梯按钮传染性极强，全楼一定都会感染"),
    ("rumour", "喝了这个汤当天就好了，比药管用"),
    ("rumour", "每天熏艾条就能防病毒"),
    ("rumour", "喝醋能杀死体内的病毒"),
    ("rumour", "用盐水洗鼻子可以防新冠"),
    ("rumour", "我们区的通报数字是假的，实际阳了好几千"),
    # superstition: rituals, paid rituals, chain letters
    ("superstition", "门口撒点朱砂，鬼怪病毒都进不来"),
    ("superstition", "请道长给你们家做一场法事，保准不阳"),
    ("superstition", "这张符贴在门上，全家平安，十块钱一张"),
    ("superstition", "今年犯太岁的容易中招，找我看看，一次三百"),
    ("superstition", "转发这条锦鲤，一家人都不会阳"),
    ("superstition", "阳了是因为家里风水不好，要摆个貔貅"),
    ("superstition", "晚上烧点纸钱给过世的老人，求他们保佑"),
    ("superstition", "我们村的仙姑算过了，瘟神下个月走"),
    ("superstition", "师父开光的手串，戴上百毒不侵，私聊我"),
    # private data: ID numbers, phones, diagnoses about named people
    ("private_data", "赵敏的身份证是 110105198507071234，谁帮她填一下表"),
    ("private_data", "孙海涛 手机13912345678，他家阳了"),
    ("private_data", "7号楼李建国的检测结果是阳性，离他远点"),
    ("private_data", "王丽得了乳腺癌，大家别跟她说"),
    ("private_data", "1203的刘阿姨怀孕了，大家帮忙照顾一下"),
    ("private_data", "周明的核酸报告显示阳性，截图在这"),
]

EVERYDAY: list[str] = [
    # staff notices: tests, supplies, pickups, official bulletins
    "明早六点半开始核酸，请各楼按顺序下楼，带好手机",
    "今天的保供蔬菜已到，请一户一人到南门领取",
    "区卫健委通知：即日起本小区调整为低风险区",
    "疾控中心提醒：抗原阳性请在小程序上报，并居家观察",
    "根据街道要求，本周继续足不出户，物资统一配送",
    "请没做核酸的居民尽快联系楼长，补采时间下午三点",
    "志愿者明天上午上门收集抗原结果，请提前准备好",
    "物业提醒：今晚十点至十二点小区停电检修，请提前准备",
    "团购的牛奶到了，放在2号楼大厅，请按名单领取",
    "居委会通知：明天上午入户消杀，请家中留人开门",
    "各位居民请注意，做核酸时不要交谈，保持一米间距",
    "请大家不要在群里转发未经核实的消息",
    "市疾控发布：出现发热症状请及时到发热门诊就诊",
    "今天下午两点社区医生到各楼栋巡诊，有需要的请登记",
    "本周末暂停团购，下周一恢复",
    "请住在5号楼的居民明天上午九点下楼领取口罩",
    "接区防控办通知，本小区明日解除封控管理",
    "核酸检测结果已出，全部阴性，感谢大家的配合",
    "明天起超市恢复营业，请错峰购物，无需囤货",
    "物资供应充足，请大家不要恐慌抢购",
    # debunks
    "辟谣：网传“明天全市停电”不实，请以供电公司公告为准",
    "网传“快递会传播病毒”没有科学依据，快递可以正常收取",
    "网上说喝醋能防病毒，这是谣言，别信",
    "有人说疫苗会导致不孕，卫健委已经辟谣了",
    "关于“实验室泄漏”的说法，经核实不属实，请勿传播",
    "贴符能防病毒吗？肯定是迷信，大家别信",
    "听说要封城是假消息，居委会已经澄清了",
    # questions and ordinary chat
    "请问明天还做核酸吗？",
    "谁家有多余的体温计，借我用一下",
    "今天做了红烧鱼，味道还不错",
    "有没有人知道药店几点开门",
    "我家孩子网课的账号登不上去了，谁知道怎么办",
    "楼下的快递能取了吗",
    "阳了第三天，嗓子疼得厉害，有什么好办法吗",
    "我家老人需要降压药，哪里能配到",
    "小区里的猫好像饿了，有人喂过吗",
    # complaints without incitement
    "这封控太久了真难受",
    "天天做核酸，烦死了",
    "我不想做核酸了，太累了，但还是得去",
    "隔离了二十天，感觉人都要疯了",
    "物业这次办事真拖拉，菜送得太晚了",
    "居委会电话一直打不通，急死人",
    "领导一句话，我们跑断腿",
    # hyperbole and threats to objects, self-talk
    "气得我想砸手机",
    "网太卡了，我要把路由器砸了",
    "这道数学题我跟它拼了",
    "饿死我了，菜什么时候到",
    "我要把这堆衣服全洗了",
    "今天非把这部剧追完不可",
    # reports of threats and fights (must reach staff at once, not be held)
    "刚才有人说要砍大白，快报警",
    "楼下有人在打志愿者，快叫保安",
    "3栋那个人扬言要捅社区的人，大家注意安全",
    # private matters handled properly and public numbers
    "有需要的请拨打社区热线12345",
    "身份证记得带上，核酸要扫",
    "我阳了，在家隔离，大家不用担心",
    "我家今天抗原都是阴性",
    "楼长的电话贴在电梯里了，有事可以打",
    # ordinary words that overlap with harmful vocabularies
    "今天买了几斤猪肉，涨价了不少",
    "超市鸡蛋限购两盒，大家按需购买",
    "孩子画了一张画，说是送给大白叔叔的",
    "谢谢门口的保安大哥，辛苦了",
    "红纸剪的窗花很好看，过年贴上",
    "我奶奶每天念佛，说心里踏实",
]

# A second batch, written after the first one passed; before the vocabularies were widened it held 21 of 46
# (and one everyday message): the figure to expect from messages nobody tuned to.
HARMFUL += [
    ("violence", "这个破小区的管事的，哪天让我逮到非打残不可"),
    ("violence", "你们这些穿白衣服的再来一次试试，我让你们横着出去"),
    ("violence", "明天我提着刀去居委会，看谁敢拦"),
    ("violence", "那个量体温的小姑娘再凶我，我就扇她"),
    ("violence", "等我出去第一个去找网格员算账"),
    ("violence", "我发誓出来后一定要弄那个保安"),
    ("violence", "今晚我就去把物业办公室点了"),
    ("violence", "谁把我关在家里，我就让谁全家不得安宁"),
    ("incitement", "今天下午三点，全小区业主到大门口集合，不开门就硬冲"),
    ("incitement", "不要去方舱，去了就回不来，大家都躲着"),
    ("incitement", "核酸不用做了，反正做了也是走过场，大家都别去排队"),
    ("incitement", "发烧的别说，问就说没症状"),
    ("incitement", "我们楼的人都商量好了，明天一律不开门"),
    ("incitement", "大家把健康码截图改一下，绿码就能出去"),
    ("incitement", "别理那些打电话的流调员，挂掉就行"),
    ("incitement", "所有人不要接种，联合起来抵制"),
    ("panic", "物流全停了，下个月什么都买不到，赶快备够三个月的粮"),
    ("panic", "今晚十二点后所有药店关门，现在马上去买药"),
    ("panic", "听说米价下周翻倍，我已经买了五百斤，你们也快点"),
    ("panic", "煤气要断供了，赶紧去买个电磁炉"),
    ("panic", "大家赶快把油箱加满，明天开始限行"),
    ("panic", "奶粉马上断货，有孩子的赶紧抢"),
    ("unapproved_news", "群里有人发的截图，说明天开始全市停止所有快递，大家相互转告"),
    ("unapproved_news", "刚刚接到可靠消息，今晚全区封闭，转给你们的亲戚朋友"),
    ("unapproved_news", "一个在医院上班的朋友说，现在去医院都要排十个小时，大家扩散一下"),
    ("unapproved_news", "据说从周一开始小孩不能出小区了，消息是我同事的老公说的，你们转一下"),
    ("unapproved_news", "震惊！隔壁小区一家五口全部确诊，速转"),
    ("unapproved_news", "消息可靠，我姐夫在市政府，下周学校全部停课，先别外传"),
    ("rumour", "医院门口拉尸体的车一辆接一辆，报道的死亡数都是骗人的"),
    ("rumour", "这病毒就是有人故意放出来的，为了卖疫苗"),
    ("rumour", "抗原试剂盒里有病毒，拆开就会被传染"),
    ("rumour", "打疫苗会往身体里植入芯片"),
    ("rumour", "吃洋葱就能把病毒赶走，我亲测有效"),
    ("rumour", "用吹风机对着鼻子吹热风，病毒马上就死了"),
    ("rumour", "每天喝一杯淡盐水，就不会被感染"),
    ("rumour", "我在医院的亲戚说，重症病房早就满了，只是不让说"),
    ("superstition", "找个师傅来家里看看风水，病就走了"),
    ("superstition", "阳了去庙里拜一拜，三天就转阴"),
    ("superstition", "把这个咒语念一百遍，全家不会被传染"),
    ("superstition", "大仙说今年有瘟疫，要请神保平安，一次八百"),
    ("superstition", "家里供一尊关公像，邪气病毒都挡在外面"),
    ("superstition", "不转这条消息的人家里会有人阳"),
    ("private_data", "5号楼302的张建华，身份证号是 44030119900101123X"),
    ("private_data", "刘芳电话 186 0000 1234，她家里两个人都阳了"),
    ("private_data", "吴磊确诊了艾滋病，大家要小心"),
    ("private_data", "王老师的女儿查出了抑郁症，真可怜"),
]

EVERYDAY += [
    "温馨提示：明天起核酸采样点改在东门，时间照旧",
    "区政府发布：本区新增阳性病例已全部转运，请居民保持正常生活",
    "今天物资是米和油，每户一份，请到4号楼领",
    "志愿者辛苦了，我给大家准备了点水果",
    "这个网格员真负责，半夜还在送药",
    "为什么今天的菜这么少，有点不满意",
    "说真的，天天被关着想打人",
    "我家猫把花盆砸了，气死了",
    "我准备好了明天的核酸码，早点睡了",
    "有谁知道方舱里能带电脑吗",
    "我朋友在医院上班，她说最近挺累的",
    "听说明天天气不错，可以开窗通风",
    "卫健委提示：不要听信偏方，身体不适请就医",
    "刚看到居委会发的通知，明天核酸改到八点",
    "明天是不是要停水？有人知道吗",
    "小区门口的保安今天换人了",
    "送菜的骑手今天迟到了一个小时，不过也理解",
    "转发社区通知：明天上午发放抗原试剂",
    "大家别慌，物资每天都会送",
    "我把家里囤的菜分一些给隔壁老人",
    "昨晚梦到自己去算命，笑醒了",
    "拜托大家做核酸时别挤，排好队",
    "有人问能不能不做核酸，居委会说老人卧床的可以上门",
    "打疫苗后有点发烧，正常吗",
    "健康码变黄了，怎么办？要去哪里做核酸",
    "今天我们楼有人跟保安吵起来了，后来被劝开了",
    "楼上装修的太吵了，真想上去揍他一顿",
    "妈妈说烧香拜佛让她心里平静一点",
]

# A third batch, written after the second one passed; before the vocabularies were widened again it held 9 of 38
# (no everyday message held).
HARMFUL += [
    ("violence", "今天那个敲门的大白要是再多说一句，我一拳打爆他的头"),
    ("violence", "等老子出去，把这帮当官的一个个吊起来"),
    ("violence", "我家有把刀，谁敢进门就给谁一刀"),
    ("violence", "那个拍视频的志愿者，我会让他付出代价"),
    ("violence", "谁拦我出门，我就开车撞过去"),
    ("violence", "那个物业经理，晚上我去他家门口堵他"),
    ("violence", "我一定要让那个居委会的女的好看"),
    ("incitement", "明天早上全楼的人都不要下去，让他们自己上来"),
    ("incitement", "大家都把门反锁，谁敲都别开"),
    ("incitement", "不要去打那个疫苗，咱们全村都不打"),
    ("incitement", "核酸排队的时候大家一起喊，要求解封"),
    ("incitement", "有症状的吃点药压下去再去测，别被查出来"),
    ("incitement", "把社区发的通知撕了，我们不认"),
    ("incitement", "抗原阳了就说是阴的，谁知道呢"),
    ("panic", "方便面已经卖疯了，再不去就只剩包装袋了"),
    ("panic", "后天起要全面管控，今天赶紧把一个月的菜买齐"),
    ("panic", "药店的感冒药都快没了，大家手慢无"),
    ("panic", "下周开始水电都要限量供应，快去买储水桶"),
    ("panic", "听说要打仗了，赶紧囤粮食和水"),
    ("unapproved_news", "最新通知（未经证实）：明天全市停止公交，大家转起来"),
    ("rumour", "有内部人士爆料，下个月还要封，大家做好准备"),
    ("unapproved_news", "这是我在抖音上看到的，说我们区有人死在家里，大家传一传"),
    ("unapproved_news", "刚在业主群里看到，说小区明天要全部转运去酒店，快通知家里人"),
    ("unapproved_news", "【紧急】全市所有超市今晚关门，请互相转发"),
    ("rumour", "火化场的烟一直没停过，死的人比报的多十倍"),
    ("rumour", "病毒是从冷冻海鲜里来的，这些海鲜吃了就会阳"),
    ("rumour", "奥密克戎其实就是大号流感，国家故意夸大来管人"),
    ("rumour", "维生素C每天吃十片，新冠就不会找上门"),
    ("rumour", "做了核酸以后反而更容易阳，捅鼻子会把病毒带进去"),
    ("rumour", "用淡盐水漱口，病毒马上就被冲掉了"),
    ("rumour", "疫苗打多了免疫系统就崩了，所以才会死那么多人"),
    ("superstition", "去寺里求个平安符，挂在孩子脖子上就不会阳"),
    ("superstition", "师傅说家里的镜子对着门招病，赶紧挪开"),
    ("superstition", "这是灵验的护身咒，念了不得病，要的私聊，88一份"),
    ("superstition", "给土地爷上三炷香，小区就不会再有阳性"),
    ("private_data", "8号楼的周文斌，他家电话 13755556666，一家子都阳了"),
    ("private_data", "听说隔壁单元的陈秀英查出来肺癌晚期"),
    ("private_data", "我把马强的核酸结果截图发群里，大家看看是不是阳"),
]

EVERYDAY += [
    "明天早上七点在小区广场统一采样，请大家准时",
    "今天发的物资有大米、面条和鸡蛋，按户登记领取",
    "经区疾控确认，我们楼的阳性已经转运，密接已隔离",
    "请大家配合流调电话，如实说明行程",
    "核酸结果显示异常的居民，社区会单独电话通知",
    "我今天下楼做核酸，排了一个小时，好累",
    "昨天做的核酸到现在还没出结果，有人一样吗",
    "大家注意，最近有骗子冒充疾控打电话要验证码，不要上当",
    "菜价是贵了点，但能买到就不错了",
    "我家的米还够吃一周，暂时不用买",
    "物业的人今天态度挺好，给我们送了水",
    "那个大白小伙子挺负责的，一直在楼下守着",
    "我要把这次的核酸证明打印出来，单位要",
    "我的刀工太差了，切个土豆切了半小时",
    "气得我想把电视砸了，这剧太烂了",
    "老公说要跟游戏拼了，今晚不睡",
    "我奶奶说阳了要多喝水多休息",
    "看新闻说疫苗加强针很有必要",
    "居委会今天在群里辟谣了，说小区不会转运",
    "网上那个说喝醋防病毒的视频是假的，大家别转",
    "明天停水的事是物业正式通知的，请提前储水",
    "我们群是正规的业主群，请不要发广告",
    "楼下超市在打折，需要的可以去看看",
    "孩子发烧了，吃了退烧药好多了",
    "谁家有不用的纸箱，我要寄东西",
]

# A fourth batch, written after the third one passed; before the last widening it held 15 of 35
# (no everyday message held).
HARMFUL += [
    ("violence", "再让我看到那个穿防护服的在我家门口晃，我直接拿砖头招呼"),
    ("violence", "说实话我现在就想冲下去把那个卡口的人揍一顿，谁拦我揍谁"),
    ("violence", "告诉居委会那个姓李的，他再敢断我家的菜，我让他活不过今年"),
    ("violence", "我买了汽油，哪天忍不了就去街道办同归于尽"),
    ("violence", "明天谁来给我贴封条，我就把他手剁了"),
    ("violence", "那几个大白晚上回去的路上，我们几个在路口等着"),
    ("incitement", "下午统一行动，各家各户都不要开门，来了就装没人"),
    ("incitement", "核酸这种东西，做了也白做，咱们小区就别去了"),
    ("incitement", "阳了的邻居别傻傻上报，关好门自己扛过去就行"),
    ("incitement", "大家把小区门口的卡口挪开，我们自己出去买菜"),
    ("incitement", "什么流调，问你去过哪就说哪都没去过"),
    ("incitement", "我们联名不做核酸，看他们能把我们怎样"),
    ("panic", "有消息说过几天要全城断网，赶紧充好话费，多备现金"),
    ("panic", "布洛芬一盒都买不到了，有门路的赶快下手囤"),
    ("panic", "超市的肉只剩最后一批了，不去就没了"),
    ("panic", "汽油要涨到十块，明天之前赶紧去加"),
    ("panic", "各位赶紧去药店，听说连花清瘟要停产了"),
    ("unapproved_news", "刚才朋友圈刷到的，我们区昨天死了一个老人，没人管，大家扩散让更多人知道"),
    ("unapproved_news", "不知道真假，有人说下周全市居家办公，先转给大家看看"),
    ("unapproved_news", "惊天消息！隔离酒店发生大规模感染，快转发"),
    ("unapproved_news", "小道传闻，下周起菜场全部关闭，大家相互通知一下"),
    ("unapproved_news", "我看到一个视频，说我们这边有人跳楼了，大家转发一下，看看是不是真的"),
    ("rumour", "核酸检测其实是在收集我们的DNA，卖给国外"),
    ("rumour", "我跟你们说，死的人都被偷偷拉走烧了，官方根本不统计"),
    ("rumour", "吃生姜泡水，连喝三天，病毒就被逼出来了"),
    ("rumour", "病毒怕热，大家多洗热水澡就能杀死"),
    ("rumour", "这个病是5G基站搞出来的"),
    ("rumour", "打了疫苗的人反而更容易重症，这些都被隐瞒了"),
    ("superstition", "这次疫情是老天爷的惩罚，要多烧香磕头才能躲过"),
    ("superstition", "我师父能隔空发功治阳，一次一百，效果很好"),
    ("superstition", "把这张图设成头像，全家都平安不阳"),
    ("superstition", "初一十五在门口烧点纸，病毒就不会进门"),
    ("private_data", "住2单元的钱桂兰是艾滋病人，大家离她远点"),
    ("private_data", "宋晓东身份证号610102199205060018，刚才登记漏了，帮他补一下"),
    ("private_data", "隔壁郭阿姨确诊了宫颈癌，家里人都不知道"),
]

EVERYDAY += [
    "麻烦大家今天把抗原结果在小程序上报一下",
    "居委会提醒：核酸检测是免费的，请大家不要相信收费的说法",
    "明天早上我去做核酸，谁要帮忙带东西吗",
    "物资车到了，大家排队，别挤",
    "今天有志愿者上门送药，如果有需要可以提前说",
    "社区通知：明天起菜场恢复营业，不需要抢购",
    "我一直在家，十多天没下楼了，闷死了",
    "这段时间辛苦大白们了，真心感谢",
    "天太热了，想吃冰淇淋",
    "大家注意防诈骗，不要随便转账",
    "街道发布：本周六全员核酸，时间另行通知",
    "刚才打120，医生说没事，在家观察就好",
    "我砍了点排骨，晚上炖汤",
    "昨晚楼上吵架砸东西，好吓人，后来安静了",
    "别的小区有人拿刀闹事被抓了，大家别学",
    "我家那口子说要去跟物业理论一下，希望别吵起来",
    "看到网上说疫苗有芯片，这种谣言真离谱",
    "疫情期间大家保重，有困难群里说",
    "听说明天会下雨，出门记得带伞",
    "这次解封了要好好吃一顿火锅",
]

# A fifth batch, written after the fourth one passed; before the last widening it held 11 of 31 and held one
# everyday message (跟这盘红烧肉同归于尽): fresh phrasings still escape the vocabularies (see the module docstring).
HARMFUL += [
    ("violence", "那个天天在群里催核酸的网格员，我记得他长啥样，出来了有他好果子吃"),
    ("violence", "我把菜刀放门口了，哪个大白敢硬闯就别怪我"),
    ("violence", "老子憋了一个月了，谁今天来敲门谁倒霉，非揍得他满地找牙"),
    ("violence", "明天去社区办公室，一把火点了，大家都别想好过"),
    ("violence", "那个拉我爸去方舱的司机，我一定要他偿命"),
    ("incitement", "以后核酸喇叭喊了也别理，装听不见"),
    ("incitement", "大家都把抗原阳的结果藏好，别往群里发"),
    ("incitement", "小区业主们，明天上午十点一起去物业门口静坐，不解封不走"),
    ("incitement", "谁家被通知转运的就说孩子小走不开，拖着就行"),
    ("incitement", "别让社区的人进门做消杀，那药水有毒"),
    ("panic", "城里马上要乱了，赶紧把家里能换钱的都换成黄金"),
    ("panic", "菜场的大妈说明天开始不卖菜了，现在去还能抢到一点"),
    ("panic", "退烧药要全面管控了，手里有的赶紧多买几盒备着"),
    ("panic", "鸡蛋一天一个价，再不屯就吃不起了"),
    ("unapproved_news", "大家看这个聊天记录截图，街道干部说我们小区要封到年底，扩散一下"),
    ("unapproved_news", "听楼上说的，物业有人阳了还在上班，大家快告诉亲戚"),
    ("unapproved_news", "独家猛料：市里某医院医生集体辞职，看完转发"),
    ("unapproved_news", "我二姨在疾控，她说这波要持续半年，先别跟别人说"),
    ("rumour", "那些白色消毒液喷多了会致癌，是故意给我们喷的"),
    ("rumour", "新闻里说的治愈率都是编的，实际上没几个好的"),
    ("rumour", "中药方子一副就能把新冠治好，医院不让用是因为赚不到钱"),
    ("rumour", "病毒是通过下水道传到每一家的，马桶盖一定要用胶带封死"),
    ("rumour", "喝84消毒液稀释的水能消灭体内病毒"),
    ("rumour", "政府故意把疫情说严重，就是为了卖核酸赚钱"),
    ("superstition", "我们家请了个神婆看过，说今年属鸡的要破财消灾，捐两千就行"),
    ("superstition", "阳了别吃药，去河边放生几条鱼，病就好了"),
    ("superstition", "这串佛珠是高僧加持过的，戴着百病不侵，仅售299"),
    ("superstition", "家里摆个铜葫芦能吸走病气，我这里有货"),
    ("private_data", "刚才救护车拉走的是3号楼的黄志刚，他是阳性"),
    ("private_data", "隔壁楼的孙丽娜有精神病，最近又犯了，大家小心"),
    ("private_data", "这是我们楼的住户名单和电话：李红 13512345678，张军 13687654321"),
]

EVERYDAY += [
    "明天下午两点到四点，核酸检测车在北门，错过的可以去补",
    "各位邻居，小区内的快递柜已经开放，注意消毒",
    "今天谁的菜还没到？快递小哥说晚点送",
    "居委会：请大家不要轻信网上关于封控时间的传言",
    "医生说阳了多喝水、多休息，发烧超过38.5度可以吃布洛芬",
    "卫健委发布最新诊疗方案，轻症居家，重症就医",
    "我家孩子说想念学校了，希望早点开学",
    "昨天做的梦太可怕了，梦到被困在电梯里",
    "门口的大白给我们送了一箱苹果，太感动了",
    "今天我拿刀切西瓜，不小心切到手了",
    "哈哈我要跟这盘红烧肉同归于尽",
    "我们楼的群规：不发广告，不传谣言",
    "物业说今晚十点以后不要在楼道里大声喧哗",
    "请问抗原阳性需要隔离几天？",
    "谁知道附近的核酸点几点开门？",
    "隔壁的老王又在阳台唱歌了，挺好听的",
    "提醒一下，出门一定要戴口罩，勤洗手",
    "听说解封后商场打折，到时候一起去逛",
    "社区通知：请各户明天上午九点前将垃圾放在门口",
    "今天电梯维修，请大家走楼梯",
]

# A sixth batch, written after the fifth one passed; before the last widening it held 12 of 30 (11 with the right
# category), no everyday message held.
HARMFUL += [
    ("violence", "那个管门禁的保安，今晚下班别让我遇上，不然腿给他打折"),
    ("violence", "居委会的人听好了，再不给我家送药，我扛着煤气罐过去"),
    ("violence", "谁举报我家聚餐，查出来我弄死他全家"),
    ("violence", "我已经在网上买好了防狼喷雾和甩棍，就等那个楼长上门"),
    ("violence", "明天带上兄弟们去卡口，见到穿白衣服的就打"),
    ("incitement", "做什么核酸，反正都是走形式，咱们楼下次集体请假"),
    ("incitement", "有人来问就说家里没人，门别开，电话别接"),
    ("incitement", "楼下的铁栅栏晚上一起去拆了，明天咱们就自由了"),
    ("incitement", "大家听我的，下次流调电话一律挂掉"),
    ("incitement", "阳了的千万别去医院，也别告诉任何人"),
    ("panic", "明天早上超市开门第一时间冲进去，能拿多少拿多少"),
    ("panic", "过几天要全市停气，家里赶紧多买几个煤气罐"),
    ("panic", "米面油这周就要涨一倍，有钱的赶紧屯"),
    ("panic", "听说银行要限制取款了，大家赶紧把存款都拿出来"),
    ("unapproved_news", "有个在市里当官的亲戚刚透露，春节前都不会解封，先别往外说"),
    ("unapproved_news", "今天在快手上看到的，隔壁镇已经死了好几个，大家赶紧转发告诉家里人"),
    ("unapproved_news", "这是一份内部文件截图，明天起全市停止所有堂食，大家看看"),
    ("unapproved_news", "重大消息！我们小区要被征用做方舱，大家快转"),
    ("rumour", "疫苗里面有追踪器，打了就能被定位"),
    ("rumour", "这次其实是禽流感，他们故意说成新冠"),
    ("rumour", "多晒太阳，紫外线能把体内的病毒杀死"),
    ("rumour", "吃了布洛芬会让新冠变重，千万别吃"),
    ("rumour", "养老院里老人死了一大片，都没上新闻"),
    ("rumour", "医院里其实根本没有病床了，官方说床位充足是骗人的"),
    ("superstition", "把菜刀挂在门上能斩断病气，老一辈都这么做"),
    ("superstition", "阳了去找村里的神医喝一碗符水就好"),
    ("superstition", "算命先生说我们家今年有灾，要做一场法事化解"),
    ("superstition", "吃斋念佛一个月，病毒不敢靠近"),
    ("private_data", "5栋602的许文杰去过高风险区，已经是密接了，大家小心"),
    ("private_data", "群里那个叫冯燕的，她老公是阳性，还天天下楼"),
]

EVERYDAY += [
    "今天的核酸人比较多，大家耐心排队",
    "志愿者们中午没吃饭，谁家有多的饭可以送点",
    "有需要买药的，药店可以线上下单送到门口",
    "疾控专家建议：发烧时多喝水，必要时服用退烧药",
    "我打算解封后去爬山，有没有一起的",
    "物业今天把楼道清理得很干净，点赞",
    "我快被网课逼疯了，孩子一点都不听话",
    "群里别吵了，大家都不容易",
    "社区医院的电话是多少？我妈需要开药",
    "谁家有酱油，借一点，明天还",
    "请住户配合核酸检测，这是为了大家的安全",
    "网传“某小区有人死亡”经核实是谣言，请勿传播",
    "今天有点发烧，已经上报社区了",
    "楼长辛苦，每天都在群里统计",
    "解封的事情居委会说等通知，大家耐心等",
    "这菜刀该磨了，切肉都切不动",
    "老公说要把厨房的旧柜子砸了换新的",
    "今天是我生日，在家自己做了蛋糕",
    "快递小哥说明天会送到，大家别急",
    "小区的流浪猫生了小猫，好可爱",
]


def _held(text: str) -> list[str]:
    return analysis.analyse(text)["moderation"]


def test_there_are_enough_probes():
    assert len(HARMFUL) + len(EVERYDAY) >= 120
    assert {category for category, _text in HARMFUL} >= {
        "violence", "incitement", "panic", "unapproved_news", "rumour", "superstition", "private_data"}


@pytest.mark.parametrize(("category", "text"), HARMFUL)
def test_harmful_messages_in_fresh_words_are_held(category, text):
    held = _held(text)
    assert held, f"not held: {text}"
    assert category in held, f"held as {held}, expected {category}: {text}"


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_notices_and_chat_are_not_held(text):
    assert _held(text) == [], text


def test_a_long_notice_is_read_quickly():
    notice = ("【通知】根据区卫健委通知，本小区明天上午8点到11点在南门做核酸，请带好身份证，按楼栋顺序下楼，"
              "老人和孩子优先，保持两米间距，全程佩戴口罩，不要聚集，做完按原路返回。") * 4
    notice = notice[:400]
    analysis.analyse(notice)
    start = time.perf_counter()
    for _ in range(20):
        assert _held(notice) == []
    per_message = (time.perf_counter() - start) / 20
    assert per_message < 0.05  # generous for a shared machine; the bench measures the real rate
