"""Factories for tests: places, people, users with roles. Deterministic by sequence."""

from __future__ import annotations

import factory

from sanshe.accounts.models import Membership, Organisation, User
from sanshe.accounts.roles import OrganisationKind, Role
from sanshe.core.identity import parse_resident_id, resident_id_check_char
from sanshe.people.models import Person
from sanshe.people.pinyin import name_keys
from sanshe.places.models import Building, Community, Compound, Household, Unit

PASSWORD = "Sanshe-2020!"


def resident_id(seq: int, birth: str = "19800101", region: str = "420106") -> str:
    """A valid 18-character resident ID (GB 11643 check character) unique per seq."""
    first17 = f"{region}{birth}{seq % 1000:03d}"
    return first17 + resident_id_check_char(first17)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试社工机构{n}")
    kind = OrganisationKind.SOCIAL_WORK


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"测试社区{n}")
    code = factory.Sequence(lambda n: f"C{n:05d}")
    district = "江汉区"
    street = "民族街道"


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"幸福{n}小区")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    name = factory.Sequence(lambda n: f"{n + 1}栋")
    sort_key = factory.Sequence(lambda n: n + 1)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"{n % 4 + 1}单元")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    unit = factory.SubFactory(UnitFactory)
    building = factory.SelfAttribute("unit.building")
    compound = factory.SelfAttribute("unit.building.compound")
    community = factory.SelfAttribute("unit.building.community")
    room = factory.Sequence(lambda n: f"{(n % 30) + 1:02d}{n % 4 + 1:02d}")


class PersonFactory(factory.django.DjangoModelFactory):
    """Saved directly (not through the service): for arranging scoped data in tests."""

    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    community = factory.SelfAttribute("household.community")
    compound = factory.SelfAttribute("household.compound")
    building = factory.SelfAttribute("household.building")
    name = factory.Iterator(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨勇", "赵敏", "黄磊"])
    name_pinyin = factory.LazyAttribute(lambda o: name_keys(o.name)[0])
    name_initials = factory.LazyAttribute(lambda o: name_keys(o.name)[1])
    doc_number = factory.Sequence(lambda n: resident_id(n))
    sex = factory.LazyAttribute(lambda o: parse_resident_id(o.doc_number).sex if o.doc_number else "U")
    birth_date = factory.LazyAttribute(lambda o: parse_resident_id(o.doc_number).birth_date if o.doc_number else None)
    phone = factory.Sequence(lambda n: f"138{n:08d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from sanshe.core.pii import blind_index
        from sanshe.people.search import phone_tail_index

        person = model_class(*args, **kwargs)
        person.doc_index = blind_index(f"doc:{person.doc_type}", person.doc_number)
        person.phone_index = blind_index("phone", person.phone)
        person.phone_tail_index = phone_tail_index(person.phone)
        person.save()
        return person


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def grant(user: User, organisation: Organisation, role: str, *, communities=(), buildings=(),
          worker_kind: str = "") -> Membership:
    membership = Membership.objects.create(user=user, organisation=organisation, role=role,
                                           worker_kind=worker_kind)
    membership.communities.set(communities)
    membership.buildings.set(buildings)
    if hasattr(user, "_sanshe_scope"):
        del user._sanshe_scope
    return membership


__all__ = [
    "PASSWORD", "BuildingFactory", "CommunityFactory", "CompoundFactory", "HouseholdFactory",
    "OrganisationFactory", "PersonFactory", "Role", "UnitFactory", "UserFactory", "grant", "resident_id",
]
