"""Synonym groups for searching the library (pure data and lookup).

Applied when a query is planned, never when text is indexed: changing a group needs no re-indexing.
Each group lists words people use for one thing; a query word found in a group also matches the others.
"""

from __future__ import annotations

from functools import lru_cache

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("新冠", "新冠肺炎", "新冠病毒", "新型冠状病毒", "冠状病毒", "新型冠状病毒肺炎", "covid", "新冠感染"),
    ("发烧", "发热", "高烧", "低烧", "体温高"),
    ("咳嗽", "干咳"),
    ("孩子", "儿童", "小孩", "宝宝", "小朋友", "婴幼儿", "娃"),
    ("老人", "老年人", "长辈", "老人家", "高龄"),
    ("孕妇", "怀孕", "孕期", "准妈妈", "孕产妇"),
    ("核酸", "核酸检测", "咽拭子"),
    ("抗原", "抗原检测", "抗原自测"),
    ("密接", "密切接触者", "密接者"),
    ("疫苗", "接种", "打疫苗", "疫苗接种"),
    ("焦虑", "担心", "紧张", "恐慌", "害怕", "不安", "心慌意乱"),
    ("失眠", "睡不着", "睡不好", "入睡困难", "睡眠"),
    ("抑郁", "情绪低落", "心情不好", "难过", "郁闷"),
    ("买菜", "蔬菜", "生鲜", "团购", "食材"),
    ("物资", "生活物资", "生活用品"),
    ("药", "药品", "药物", "用药"),
    ("买药", "配药", "取药", "开药", "续方"),
    ("就医", "看病", "就诊", "看医生", "去医院"),
    ("消毒", "消杀", "杀菌"),
    ("消毒液", "84消毒液", "含氯消毒剂", "消毒水"),
    ("酒精", "乙醇"),
    ("洗手", "手卫生"),
    ("快递", "包裹", "外卖"),
    ("急救", "120", "救护车"),
    ("呼吸困难", "气短", "喘不上气", "憋气", "气促"),
    ("血氧", "血氧饱和度", "指脉氧", "血氧仪"),
    ("慢性病", "慢病", "基础病", "基础疾病"),
    ("高血压", "血压高"),
    ("糖尿病", "血糖高"),
    ("透析", "血透"),
    ("解除隔离", "解封", "隔离结束", "解除管控"),
    ("复工", "返岗", "上班"),
    ("垃圾", "倒垃圾", "生活垃圾"),
    ("通风", "开窗"),
    ("传播", "传染"),
    ("口罩", "医用口罩", "外科口罩"),
    ("健康码", "绿码", "行程码"),
    ("宠物", "猫", "狗"),
)


@lru_cache(maxsize=1)
def _index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS:
        words = {w.lower() for w in group}
        for word in words:
            index.setdefault(word, set()).update(words)
    return {word: frozenset(others - {word}) for word, others in index.items()}


def synonyms_of(word: str) -> frozenset[str]:
    """The other words of every group `word` belongs to (empty when it has none)."""
    return _index().get(word.lower(), frozenset())


@lru_cache(maxsize=4096)
def canonical(word: str) -> str:
    """One representative per synonym group (for comparing questions), or the word itself."""
    word = word.lower()
    for group in SYNONYM_GROUPS:
        if word in (w.lower() for w in group):
            return group[0].lower()
    return word
