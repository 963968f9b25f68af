"""People's choice lists, named as the brief and the guide name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "U", _("未知")


class DocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    HK_MACAU_PERMIT = "hk_macau", _("港澳居民居住证/来往内地通行证")
    TAIWAN_PERMIT = "taiwan", _("台湾居民居住证/来往大陆通行证")
    PASSPORT = "passport", _("护照")
    FOREIGNER_PR = "foreigner_pr", _("外国人永久居留身份证")
    OTHER = "other", _("其他证件")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    SIBLING = "sibling", _("兄弟姐妹")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER_RELATIVE = "relative", _("其他亲属")
    TENANT = "tenant", _("租户/同住人")
    OTHER = "other", _("其他")


class Category(models.TextChoices):
    """Client categories of the guide (一, 六(一)3)."""

    RESIDENT = "resident", _("社区居民")
    HOME_QUARANTINE = "home_quarantine", _("居家隔离人员")
    CENTRAL_QUARANTINE = "central_quarantine", _("集中隔离人员")
    QUARANTINE_FAMILY = "quarantine_family", _("隔离人员家属")
    SUSPECTED = "suspected", _("疑似患者")
    SEVERE_ANXIETY = "severe_anxiety", _("严重焦虑者")
    STRESSED_WORKER = "stressed_worker", _("心理压力较大的社区工作者")


class PopulationLevel(models.IntegerChoices):
    """NHC 2020 four population levels for psychological crisis intervention."""

    L1 = 1, _("第一级：确诊患者、一线医护、疾控和管理人员")
    L2 = 2, _("第二级：居家隔离轻症、密切接触者、疑似患者、发热门诊患者")
    L3 = 3, _("第三级：一二级人员的相关人员及后方救援者")
    L4 = 4, _("第四级：受防控措施影响人群、易感人群及普通公众")


VULNERABILITY_FLAGS = [
    ("elderly_alone", _("60岁以上独居")),
    ("chronic_disease", _("慢性病")),
    ("pregnant", _("孕期")),
    ("disabled", _("残疾")),
    ("child_under_14", _("14岁以下儿童")),
    ("needs_care", _("需要照料")),
]

# Header names used in community household sheets, mapped to import fields (several spellings each).
HOUSEHOLD_SHEET_HEADERS: dict[str, list[str]] = {
    "name": ["姓名", "名字"],
    "sex": ["性别"],
    "doc_type": ["证件类型"],
    "doc_number": ["身份证号", "身份证号码", "证件号码", "证件号"],
    "phone": ["手机号", "手机号码", "联系电话", "电话"],
    "compound": ["小区", "小区名称"],
    "building": ["楼栋", "楼号", "栋"],
    "unit": ["单元", "单元号"],
    "room": ["房号", "门牌号", "房间号"],
    "relation": ["与户主关系", "与户主的关系"],
    "category": ["人员类别", "类别"],
    "address": ["详细地址", "现住址"],
}
