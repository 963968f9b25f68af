"""The demo community: deterministic synthetic places, people and staff of every role, with printed logins.

Generation (`DemoGenerator`) is plain Python over a seeded random number generator, so the same seed
gives the same street, households and people; `demo_load` writes them with bulk inserts, deriving
pinyin keys, blind indexes, sex and birth date through `person_normalise` exactly as the services do.
"""

from __future__ import annotations

import bisect
import importlib
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from sanshe.accounts.models import Membership, Organisation, User
from sanshe.accounts.responsible import membership_records
from sanshe.accounts.roles import OrganisationKind, Role, WorkerKind
from sanshe.accounts.services import membership_extend
from sanshe.core.audit import audit_record
from sanshe.core.identity import resident_id_check_char
from sanshe.core.pii import blind_index
from sanshe.people.choices import Category, DocumentType, PopulationLevel, Relation, Sex
from sanshe.people.models import Person
from sanshe.people.services import person_normalise
from sanshe.places.models import Building, Community, Compound, Household, Unit
from sanshe.places.services import building_sort_key

# Printed with the logins; satisfies the password policy (8+ characters, 3 classes). It is a demo.
DEMO_PASSWORD = "Sanshe@2020"
# The demo resident's mobile number, for the one-time-code login.
RESIDENT_PHONE = "13907150001"
DEFAULT_PEOPLE = 5000
DEFAULT_SEED = 2020

CITY = "湖北省武汉市"
DISTRICT = "江汉区"
SOCIAL_WORK_ORG = "武汉市江汉区民族街道三社联动社会工作服务中心"
VOLUNTEER_ORG = "江汉区民族街道抗疫志愿者协会"
PROPERTY_ORG = "武汉锦江物业服务有限公司"

# The first street holds the default demo; larger runs (--people 300000) spread over more of 江汉区.
STREETS = ["民族街道", "花楼街道", "水塔街道", "民权街道", "满春街道", "民意街道", "新华街道", "万松街道",
           "唐家墩街道", "北湖街道", "前进街道", "常青街道", "汉兴街道"]
COMMUNITY_STEMS = ["友谊", "民意", "三民", "大兴", "前进", "自治", "民主", "贤乐", "红旗", "振兴", "和平",
                   "复兴", "建设", "永安", "春江", "长青", "新村", "仁寿", "桃源", "荣华", "同兴", "合作",
                   "黄石路", "南京路", "泰宁", "西马", "精武", "华安里", "大智", "生成里"]
ROADS = ["民族路", "民生路", "花楼街", "江汉路", "中山大道", "解放大道", "新华路", "建设大道", "发展大道",
         "唐家墩路", "常青路", "万松园路", "青年路", "香港路", "前进一路", "前进四路", "友谊路", "自治街",
         "大兴路", "单洞路", "泰宁街", "三民路", "统一街", "黄石路"]
COMPOUND_PREFIXES = ["锦绣", "江汉", "民族", "华安", "泰宁", "长江", "汉水", "金桥", "阳光", "幸福", "和谐",
                     "丽景", "翠湖", "紫薇", "福星", "云鹤", "桂苑", "兰亭", "新江", "汉口", "中山", "万松",
                     "宝丰", "泰和"]
COMPOUND_SUFFIXES = ["花园", "小区", "家园", "公寓", "新村", "里", "佳苑", "雅居"]

# Common surnames with rough national frequencies (per mille), a few Hubei ones weighted up.
SURNAMES = [
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 46), ("杨", 31), ("黄", 22), ("胡", 20),
    ("赵", 20), ("吴", 20), ("周", 19), ("徐", 15), ("孙", 15), ("马", 12), ("朱", 12), ("郭", 11),
    ("何", 10), ("熊", 9), ("林", 9), ("高", 9), ("罗", 9), ("郑", 8), ("梁", 8), ("谢", 7), ("宋", 7),
    ("唐", 7), ("许", 6), ("韩", 6), ("冯", 6), ("邓", 6), ("曹", 6), ("彭", 6), ("曾", 6), ("程", 6),
    ("肖", 5), ("田", 5), ("董", 5), ("袁", 5), ("涂", 5), ("潘", 4), ("于", 4), ("蒋", 4), ("蔡", 4),
    ("余", 4), ("杜", 4), ("叶", 4), ("苏", 3), ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3),
    ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3),
    ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3), ("付", 3), ("方", 2), ("白", 2), ("邹", 2),
    ("孟", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("段", 2), ("雷", 2), ("侯", 2),
    ("龙", 2), ("史", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2),
    ("万", 2), ("钱", 2), ("严", 2), ("戴", 1), ("孔", 1), ("汤", 1), ("柯", 1), ("童", 1), ("欧阳", 1),
]
# Given names by sex and by the generation a birth year belongs to (names follow fashions).
GIVEN_NAMES = {
    ("M", "old"): ["建国", "建华", "国强", "国庆", "志明", "德华", "文斌", "卫东", "振华", "春生", "长根",
                   "保国", "金山", "福生", "解放", "胜利", "光明", "家明", "宏伟", "世杰", "连生", "汉生",
                   "新民", "炳坤", "德胜", "树林", "国栋", "启明", "永福", "庆华"],
    ("F", "old"): ["秀英", "桂英", "玉兰", "秀兰", "淑珍", "桂兰", "凤英", "素珍", "翠兰", "秀珍", "玉珍",
                   "桂芳", "美华", "丽华", "春梅", "冬梅", "红英", "金凤", "月英", "兰英", "爱华", "秀芳",
                   "淑英", "翠华", "菊香", "桂香", "玉梅", "素华", "美英", "凤兰"],
    ("M", "mid"): ["伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华",
                   "飞", "波", "峰", "亮", "俊", "志强", "建军", "海涛", "晓东", "文杰", "俊杰", "永刚",
                   "海波", "立新", "国华", "晓峰", "志刚", "红军", "卫国", "建平", "明辉", "德明", "小龙",
                   "文华", "浩"],
    ("F", "mid"): ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "莉", "萍",
                   "红", "琴", "蓉", "洁", "丹", "晓燕", "丽娟", "海燕", "艳红", "雪梅", "晓红", "春燕",
                   "秀丽", "丽萍", "晓丽", "美玲", "小燕", "琳", "倩", "颖", "文静", "思敏", "婉婷",
                   "佳", "瑜"],
    ("M", "young"): ["浩然", "子轩", "宇轩", "梓豪", "俊熙", "一鸣", "博文", "浩宇", "子墨", "睿", "泽宇",
                     "天佑", "思源", "铭", "辰", "宇航", "明轩", "嘉豪", "皓轩", "奕辰", "煜", "锦程",
                     "逸凡", "骏", "昊天", "晨阳", "子豪", "俊宇", "文博", "沐阳"],
    ("F", "young"): ["梓涵", "子涵", "欣怡", "诗涵", "雨桐", "一诺", "可欣", "语嫣", "思琪", "佳怡", "紫萱",
                     "梦瑶", "雨萱", "若曦", "欣妍", "心怡", "可馨", "语桐", "晨曦", "思彤", "佳琪",
                     "梓萱", "诗雨", "雨欣", "悦", "怡", "萱", "瑶", "琪", "安然"],
}
# Birthplace codes for resident IDs: 江汉区, the rest of Wuhan, Hubei, elsewhere (weights).
REGION_CODES = [
    ("420103", 25), ("420102", 7), ("420104", 7), ("420105", 5), ("420106", 6), ("420111", 5),
    ("420112", 2), ("420115", 2), ("420116", 3), ("420117", 2), ("420281", 2), ("420602", 2),
    ("420683", 2), ("420902", 3), ("420984", 3), ("421002", 3), ("421087", 2), ("421102", 2),
    ("421181", 2), ("429004", 3), ("429005", 2), ("429006", 3), ("430102", 1), ("410105", 1),
    ("360102", 1), ("500103", 1), ("110105", 1), ("440305", 1), ("310104", 1), ("340104", 1),
]
PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                  "155", "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183",
                  "185", "186", "187", "188", "189", "191", "198", "199"]
# Household sizes and how often each occurs (mean about 2.5 people).
HOUSEHOLD_SIZES = [(1, 22), (2, 30), (3, 27), (4, 14), (5, 6), (6, 1)]
HOUSEHOLDS_PER_BUILDING = 50
PEOPLE_PER_COMMUNITY = 2500


def _cumulative(weighted: list[tuple]) -> tuple[list, list[int]]:
    values = [value for value, _ in weighted]
    return values, list(itertools.accumulate(weight for _, weight in weighted))


@dataclass
class PlacesPlan:
    """The places tree as plain tuples; indexes point into the parent list."""

    # name, code, street, address, office phone
    communities: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    compounds: list[tuple[int, str, str]] = field(default_factory=list)  # community, name, address
    buildings: list[tuple[int, str]] = field(default_factory=list)  # compound, name
    units: list[tuple[int, str]] = field(default_factory=list)  # building, name
    households: list[tuple[int, str, int]] = field(default_factory=list)  # unit, room, size


class DemoGenerator:
    """Deterministic synthetic data for `people` people: the same seed and day give the same data."""

    def __init__(self, *, people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED, today: date | None = None):
        if people < 10:
            raise ValueError("The demo needs at least 10 people.")
        self.people = people
        self.today = today or timezone.localdate()
        self.rng = random.Random(seed)
        self._surnames = _cumulative(SURNAMES)
        self._regions = _cumulative(REGION_CODES)
        self._sizes = _cumulative(HOUSEHOLD_SIZES)
        self._doc_numbers: set[str] = set()
        self._phones: set[str] = {RESIDENT_PHONE} | {phone for *_, phone in STAFF}

    def _weighted(self, table: tuple[list, list[int]]):
        values, cumulative = table
        return values[bisect.bisect_right(cumulative, self.rng.randrange(cumulative[-1]))]

    # -- places ---------------------------------------------------------------------------------------
    def places(self) -> PlacesPlan:
        """Communities of about 2,500 people, two compounds each, buildings of about 50 households."""
        rng = self.rng
        # The first household is the demo resident's: a family of three, so their page shows a household.
        sizes = [min(3, self.people)]
        remaining = self.people - sizes[0]
        while remaining > 0:
            size = min(self._weighted(self._sizes), remaining)
            sizes.append(size)
            remaining -= size
        plan = PlacesPlan()
        n_communities = max(2, round(self.people / PEOPLE_PER_COMMUNITY))
        n_buildings = max(2 * n_communities, round(len(sizes) / HOUSEHOLDS_PER_BUILDING))
        stems = COMMUNITY_STEMS
        compound_names = [p + s for p in COMPOUND_PREFIXES for s in COMPOUND_SUFFIXES]
        rng.shuffle(compound_names)
        for c in range(n_communities):
            street_no = min(c // 12, len(STREETS) - 1)
            variant = c // len(stems)
            name = stems[c % len(stems)] + ("" if variant == 0 else "东西南北中新"[(variant - 1) % 6]) + "社区"
            road = ROADS[c % len(ROADS)]
            code = f"420103{street_no + 1:03d}{c + 1:03d}"
            plan.communities.append((name, code, STREETS[street_no], f"{road}{rng.randint(1, 300)}号",
                                     f"027-{rng.randint(82000000, 88999999)}"))
            for k in range(2):
                compound_name = compound_names[(2 * c + k) % len(compound_names)]
                if 2 * c + k >= len(compound_names):
                    compound_name += f"{(2 * c + k) // len(compound_names) + 1}期"
                address = f"{ROADS[(c + k * 7) % len(ROADS)]}{rng.randint(1, 400)}号"
                plan.compounds.append((c, compound_name, address))
        # Buildings spread evenly over compounds (numbered 1栋, 2栋… within each); households over buildings.
        numbers = [0] * len(plan.compounds)
        for b in range(n_buildings):
            compound = b * len(plan.compounds) // n_buildings
            numbers[compound] += 1
            plan.buildings.append((compound, f"{numbers[compound]}栋"))
        per_building = [0] * n_buildings
        for h in range(len(sizes)):
            per_building[h * n_buildings // len(sizes)] += 1
        h = 0
        for b, count in enumerate(per_building):
            n_units = 1 if count <= 12 else (2 if count <= 60 else 3 + count // 60)
            unit_indexes = []
            for u in range(n_units):
                unit_indexes.append(len(plan.units))
                plan.units.append((b, f"{u + 1}单元"))
            rooms_per_floor = 2 if count <= 60 else 4
            for i in range(count):
                u = i % n_units
                slot = i // n_units
                floor, door = divmod(slot, rooms_per_floor)
                plan.households.append((unit_indexes[u], f"{floor + 1}{door + 1:02d}", sizes[h]))
                h += 1
        return plan

    # -- people ---------------------------------------------------------------------------------------
    def _birth_date(self, age: int) -> date:
        birth = date(self.today.year - age, 1, 1) + timedelta(days=self.rng.randrange(365))
        if birth > self.today:
            birth = self.today - timedelta(days=self.rng.randrange(1, 300))
        return birth

    def _given_name(self, sex: str, birth: date) -> str:
        generation = "old" if birth.year < 1965 else ("mid" if birth.year < 1998 else "young")
        return self.rng.choice(GIVEN_NAMES[(sex, generation)])

    def _surname(self, *, other_than: str | None = None) -> str:
        while True:
            surname = self._weighted(self._surnames)
            if surname != other_than:
                return surname

    def _resident_id(self, sex: str, birth: date) -> str:
        while True:
            region = self._weighted(self._regions)
            seq = self.rng.randrange(500) * 2 + (1 if sex == Sex.MALE else 0)
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = first17 + resident_id_check_char(first17)
            if number not in self._doc_numbers:
                self._doc_numbers.add(number)
                return number

    def _document(self, sex: str, birth: date) -> tuple[str, str]:
        roll = self.rng.random()
        if roll >= 0.01:
            return DocumentType.RESIDENT_ID, self._resident_id(sex, birth)
        kinds = [(DocumentType.HK_MACAU_PERMIT, "H{:08d}"), (DocumentType.TAIWAN_PERMIT, "{:08d}"),
                 (DocumentType.PASSPORT, "E{:08d}"), (DocumentType.FOREIGNER_PR, "9{:017d}")]
        doc_type, pattern = kinds[int(roll * 400)]
        while True:
            number = pattern.format(self.rng.randrange(10**8 if doc_type != DocumentType.FOREIGNER_PR else 10**17))
            if number not in self._doc_numbers:
                self._doc_numbers.add(number)
                return doc_type, number

    def _phone(self, age: int) -> str | None:
        chance = 0.0 if age < 12 else 0.5 if age < 18 else 0.97 if age < 75 else 0.6
        if self.rng.random() >= chance:
            return None
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def _member(self, relation: str, sex: str, age: int, surname: str) -> dict:
        birth = self._birth_date(max(age, 0))
        doc_type, number = self._document(sex, birth)
        return {
            "name": surname + self._given_name(sex, birth), "sex": sex, "birth_date": birth,
            "doc_type": doc_type, "doc_number": number, "phone": self._phone(age), "relation": relation,
            "is_representative": relation == Relation.HEAD, "age": age,
        }

    def household_members(self, size: int) -> list[dict]:
        """One household's people as plain field values: a head and the relatives a family of `size` has."""
        rng = self.rng
        male_head = rng.random() < 0.6
        head_sex, spouse_sex = (Sex.MALE, Sex.FEMALE) if male_head else (Sex.FEMALE, Sex.MALE)
        head_surname = self._surname()
        spouse_surname = self._surname(other_than=head_surname)
        child_surname = head_surname if male_head or rng.random() < 0.2 else spouse_surname
        roll = rng.random()
        if size == 1:
            head_age = rng.randint(62, 92) if roll < 0.45 else rng.randint(22, 59)
        elif size == 2:
            head_age = rng.randint(60, 86) if roll < 0.5 else rng.randint(24, 52)
        else:
            head_age = rng.randint(28, 50)
        members = [self._member(Relation.HEAD, head_sex, head_age, head_surname)]
        single_parent = size == 2 and roll >= 0.85
        if single_parent:
            child_surname = head_surname
        elif size >= 2:
            members.append(self._member(Relation.SPOUSE, spouse_sex, max(20, head_age + rng.randint(-4, 4)),
                                        spouse_surname))
        children = {3: 1, 4: 2 if rng.random() < 0.5 else 1, 5: 1, 6: 2}.get(size, 1 if single_parent else 0)
        for _ in range(children):
            child_sex = rng.choice([Sex.MALE, Sex.FEMALE])
            members.append(self._member(Relation.CHILD, child_sex, max(0, head_age - rng.randint(24, 34)),
                                        child_surname))
        # The rest are the head's parents, who live with the family.
        parents_needed = size - len(members)
        for i in range(parents_needed):
            parent_sex = Sex.MALE if i == 0 else Sex.FEMALE
            surname = head_surname if parent_sex == Sex.MALE else self._surname(other_than=head_surname)
            members.append(self._member(Relation.PARENT, parent_sex, min(98, head_age + rng.randint(24, 32)),
                                        surname))
        self._classify(members)
        return members

    def _classify(self, members: list[dict]) -> None:
        """Client categories, NHC population levels and vulnerability flags, at realistic rates."""
        rng = self.rng
        for member in members:
            member["category"] = Category.RESIDENT
        roll = rng.random()
        if roll < 0.031:  # a quarantined household member (home, or centralised)
            adults = [m for m in members if m["age"] >= 14] or members
            patient = rng.choice(adults)
            patient["category"] = Category.HOME_QUARANTINE if roll < 0.025 else Category.CENTRAL_QUARANTINE
            for member in members:
                if member is not patient:
                    member["category"] = Category.QUARANTINE_FAMILY
        size = len(members)
        for member in members:
            age, sex = member["age"], member["sex"]
            if member["category"] == Category.RESIDENT and age >= 16:
                roll = rng.random()
                if roll < 0.003:
                    member["category"] = Category.SUSPECTED
                elif roll < 0.015:
                    member["category"] = Category.SEVERE_ANXIETY
                elif roll < 0.017 and 25 <= age <= 55:
                    member["category"] = Category.STRESSED_WORKER
            member["population_level"] = self._population_level(member["category"])
            member["elderly_alone"] = size == 1 and age >= 60
            chronic = 0.38 if age >= 60 else 0.12 if age >= 40 else 0.03 if age >= 14 else 0.005
            member["chronic_disease"] = rng.random() < chronic
            member["pregnant"] = (sex == Sex.FEMALE and 22 <= age <= 40
                                  and member["relation"] in (Relation.HEAD, Relation.SPOUSE) and size >= 2
                                  and rng.random() < 0.06)
            member["disabled"] = rng.random() < (0.05 if age >= 70 else 0.015)
            member["needs_care"] = (age >= 80 and rng.random() < 0.45) or (member["disabled"] and rng.random() < 0.5)

    def _population_level(self, category: str) -> int | None:
        if category in (Category.HOME_QUARANTINE, Category.CENTRAL_QUARANTINE, Category.SUSPECTED):
            return PopulationLevel.L2
        if category in (Category.QUARANTINE_FAMILY, Category.STRESSED_WORKER):
            return PopulationLevel.L3
        roll = self.rng.random()
        if category == Category.SEVERE_ANXIETY:
            return PopulationLevel.L3 if roll < 0.5 else PopulationLevel.L4
        if roll < 0.004:
            return PopulationLevel.L1
        if roll < 0.014:
            return PopulationLevel.L3
        return PopulationLevel.L4 if roll < 0.62 else None

    def people_of(self, plan: PlacesPlan) -> Iterator[tuple[int, list[dict]]]:
        """(household index, members) for every household of the plan, in order."""
        for index, (_unit, _room, size) in enumerate(plan.households):
            members = self.household_members(size)
            if index == 0:
                members[0]["phone"] = RESIDENT_PHONE
            yield index, members


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    phone: str
    scope: str


@dataclass(frozen=True)
class DemoResult:
    communities: int
    compounds: int
    buildings: int
    households: int
    people: int
    logins: list[DemoLogin]


# The staff of the demo: username, name, role, community-worker kind, organisation, printed, phone.
# Organisation keys: "sw" social-work organisation, "vol" volunteer organisation, "cc" the community
# committee of the staff member's community, "prop" the property company.
STAFF: list[tuple[str, str, str, str, str, bool, str]] = [
    ("admin", "陈建华", Role.ORG_ADMIN, "", "sw", True, "13907152001"),
    ("shegong", "刘思远", Role.SOCIAL_WORKER, "", "sw", True, "13907152002"),
    ("shegong2", "何婉婷", Role.SOCIAL_WORKER, "", "sw", False, "13907152003"),
    ("shequ", "王丽娟", Role.COMMUNITY_WORKER, WorkerKind.COMMUNITY_STAFF, "cc", True, "13907152004"),
    ("shequ2", "熊海波", Role.COMMUNITY_WORKER, WorkerKind.COMMUNITY_STAFF, "cc2", False, "13907152005"),
    ("loudong", "张国强", Role.COMMUNITY_WORKER, WorkerKind.BUILDING_STEWARD, "cc", True, "13907152006"),
    ("zuzhang", "李桂兰", Role.COMMUNITY_WORKER, WorkerKind.GROUP_LEADER, "cc", True, "13907152007"),
    ("wuye", "黄志刚", Role.COMMUNITY_WORKER, WorkerKind.PROPERTY_STAFF, "prop", True, "13907152008"),
    ("mishu", "赵欣怡", Role.GENERAL_VOLUNTEER, "", "vol", True, "13907152009"),
    ("mishu2", "周雨桐", Role.GENERAL_VOLUNTEER, "", "vol", False, "13907152010"),
    ("yiwu", "孙海燕", Role.MEDICAL_VOLUNTEER, "", "vol", True, "13907152011"),
    ("yiwu2", "涂文华", Role.MEDICAL_VOLUNTEER, "", "vol", False, "13907152012"),
    ("xinli", "吴晓东", Role.COUNSELLOR, "", "vol", True, "13907152013"),
    ("xinli2", "程思敏", Role.COUNSELLOR, "", "vol", False, "13907152014"),
]
RESIDENT_USERNAME = "jumin"


def demo_is_loaded() -> bool:
    """Whether this database already holds the demo (its social-work organisation exists)."""
    return Organisation.objects.filter(name=SOCIAL_WORK_ORG).exists()


def database_is_empty() -> bool:
    """No places and no users yet: a fresh installation."""
    return not Community.objects.exists() and not User.objects.exists()


def demo_logins() -> list[DemoLogin]:
    """The printed demo logins, read back from the database (empty when the demo is not loaded)."""
    if not demo_is_loaded():
        return []
    logins: list[DemoLogin] = []
    printed = [username for username, *_rest, is_printed, _phone in STAFF if is_printed]
    memberships = (membership_records(condition=Q(user__username__in=printed)).select_related("user", "organisation")
                   .prefetch_related("communities", "buildings__compound").order_by("pk"))
    by_user: dict[str, Membership] = {}
    for membership in memberships:
        by_user.setdefault(membership.user.username, membership)
    for username, _name, role, kind, _org, is_printed, phone in STAFF:
        membership = by_user.get(username)
        if not is_printed or membership is None:
            continue
        label = WorkerKind(kind).label if kind and kind != WorkerKind.COMMUNITY_STAFF else Role(role).label
        if role == Role.ORG_ADMIN:
            scope = membership.organisation.name
        else:
            places = [str(b) for b in membership.buildings.all()] or [c.name for c in membership.communities.all()]
            scope = "、".join(places[:2]) + ("等" if len(places) > 2 else "")
        logins.append(DemoLogin(role=str(label), username=username, password=DEMO_PASSWORD, phone=phone,
                                scope=scope))
    resident = (User.objects.filter(username=RESIDENT_USERNAME).select_related("person__household__building",
                                                                             "person__household__unit").first())
    if resident is not None and getattr(resident, "person", None) is not None:
        household = resident.person.household
        logins.append(DemoLogin(role=str(Role.RESIDENT.label), username=RESIDENT_USERNAME, password=DEMO_PASSWORD,
                                phone=resident.phone or "", scope=str(household) if household else ""))
    return logins


def _batch_size() -> int | None:
    # SQLite: let Django size batches to its variable limit; PostgreSQL: large batches, few round trips.
    return None if connection.vendor == "sqlite" else 2000


@transaction.atomic
def demo_load(*, people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED, today: date | None = None,
              progress=None) -> DemoResult:
    """Write the demo community: places, `people` people, organisations, staff of every role, a resident.

    `progress(done, total)` is called as people are written. Raises RuntimeError if the demo is loaded.
    """
    if demo_is_loaded():
        raise RuntimeError("演示数据已经存在")
    generator = DemoGenerator(people=people, seed=seed, today=today)
    plan = generator.places()
    batch = _batch_size()

    communities = Community.objects.bulk_create([
        Community(name=name, code=code, district=DISTRICT, street=street, address=f"{CITY}{DISTRICT}{address}",
                  phone=phone)
        for name, code, street, address, phone in plan.communities
    ], batch_size=batch)
    compounds = Compound.objects.bulk_create([
        Compound(community=communities[c], name=name, address=address) for c, name, address in plan.compounds
    ], batch_size=batch)
    buildings = Building.objects.bulk_create([
        Building(compound=compounds[c], community_id=compounds[c].community_id, name=name,
                 sort_key=building_sort_key(name))
        for c, name in plan.buildings
    ], batch_size=batch)
    units = Unit.objects.bulk_create([Unit(building=buildings[b], name=name) for b, name in plan.units],
                                     batch_size=batch)
    households = Household.objects.bulk_create([
        Household(unit=units[u], room=room, building=units[u].building, compound=units[u].building.compound,
                  community=units[u].building.compound.community)
        for u, room, _size in plan.households
    ], batch_size=batch)

    organisations, users = _load_staff(communities, buildings)

    today = generator.today
    total = people
    done = 0
    pending: list[Person] = []
    for index, members in generator.people_of(plan):
        household = households[index]
        unit = units[plan.households[index][0]]
        address = (f"{CITY}{DISTRICT}{household.compound.address}{household.compound.name}"
                   f"{unit.building.name}{unit.name}{household.room}室")
        for member in members:
            member.pop("age")
            person = Person(household=household, address=address, **member)
            person_normalise(person, today=today)
            pending.append(person)
        if index == 0:
            resident = users[RESIDENT_USERNAME]
            pending[0].user = resident
            resident.display_name = pending[0].name
            resident.save(update_fields=["display_name"])
        if len(pending) >= 5000:
            Person.objects.bulk_create(pending, batch_size=batch)
            done += len(pending)
            pending = []
            if progress:
                progress(done, total)
    if pending:
        Person.objects.bulk_create(pending, batch_size=batch)
        done += len(pending)
        if progress:
            progress(done, total)

    audit_record(actor=None, action="demo.load", actor_label="manage.py demo",
                 organisation_id=organisations["sw"].pk,
                 detail={"seed": seed, "people": done, "households": len(households),
                         "communities": len(communities)})
    return DemoResult(communities=len(communities), compounds=len(compounds), buildings=len(buildings),
                      households=len(households), people=done, logins=demo_logins())


def _load_staff(communities: list[Community], buildings: list[Building]) -> tuple[dict, dict[str, User]]:
    """Organisations, staff of every role with memberships, and the resident's login account."""
    first, second = communities[0], communities[1]
    organisations = {
        "sw": Organisation.objects.create(name=SOCIAL_WORK_ORG, kind=OrganisationKind.SOCIAL_WORK),
        "vol": Organisation.objects.create(name=VOLUNTEER_ORG, kind=OrganisationKind.VOLUNTEER),
        "cc": Organisation.objects.create(name=f"{first.name}居民委员会", kind=OrganisationKind.COMMUNITY_COMMITTEE),
        "cc2": Organisation.objects.create(name=f"{second.name}居民委员会",
                                           kind=OrganisationKind.COMMUNITY_COMMITTEE),
        "prop": Organisation.objects.create(name=PROPERTY_ORG, kind=OrganisationKind.PROPERTY_COMPANY),
    }
    # The social-work and volunteer organisations serve every demo community; committees their own.
    organisations["sw"].communities.set(communities)
    organisations["vol"].communities.set(communities)
    organisations["cc"].communities.set([first])
    organisations["cc2"].communities.set([second])
    organisations["prop"].communities.set([first])

    # One hash for every demo account: hashing is deliberately slow, and the password is printed anyway.
    probe = User(username="admin", display_name="陈建华")
    validate_password(DEMO_PASSWORD, probe)
    password_hash = make_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for username, name, role, kind, org_key, _printed, phone in STAFF:
        user = User.objects.create(username=username, display_name=name, password=password_hash, phone=phone,
                                   phone_index=blind_index("phone", phone), is_staff=role == Role.ORG_ADMIN)
        users[username] = user
        places: dict = {}
        if role == Role.ORG_ADMIN:
            pass
        elif kind == WorkerKind.BUILDING_STEWARD:
            # A steward looks after the first two buildings of the first compound (the resident's).
            places = {"building_ids": [b.pk for b in buildings[:2]]}
        elif org_key == "cc2":
            places = {"community_ids": [second.pk]}
        elif org_key in ("cc", "prop"):
            places = {"community_ids": [first.pk]}
        else:
            places = {"community_ids": [first.pk, second.pk]}
        membership_extend(user=user, organisation=organisations[org_key], role=role, worker_kind=kind, **places)
    # The resident's name is filled in from their household record when people are written.
    users[RESIDENT_USERNAME] = User.objects.create(
        username=RESIDENT_USERNAME, password=password_hash, phone=RESIDENT_PHONE,
        phone_index=blind_index("phone", RESIDENT_PHONE))
    return organisations, users


def feature_demos() -> list[tuple[str, Callable[..., str]]]:
    """Each installed Sanshe app's own demo on top of this one: `<app>/demo.py: demo_load(*, today) -> str`.

    In INSTALLED_APPS order (so volunteers come before the duty rosters that need them); each is
    idempotent and returns a one-line Chinese summary.
    """
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sanshe.") or config.name == "sanshe.core":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.demo":
                continue
            raise
        loader = getattr(module, "demo_load", None)
        if callable(loader):
            found.append((config.label, loader))
    return found


def format_logins(logins: list[DemoLogin]) -> str:
    """The login table printed by `make run` and `manage.py demo`."""
    if not logins:
        return ""
    width = max(len(login.role) for login in logins)
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}，登录页 /accounts/login/）："]
    for login in logins:
        pad = "　" * (width - len(login.role))
        lines.append(f"  {login.role}{pad}  用户名 {login.username:<9} 手机 {login.phone}  范围：{login.scope}")
    resident = next((login for login in logins if login.username == RESIDENT_USERNAME), None)
    if resident:
        lines.append(f"居民也可用手机号 {resident.phone} 获取验证码登录（验证码显示在服务器控制台）。")
    return "\n".join(lines)

