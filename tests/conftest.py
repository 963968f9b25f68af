"""Persona fixtures: one organisation serving one community ("home"), and an outsider elsewhere."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    CompoundFactory,
    HouseholdFactory,
    OrganisationFactory,
    PersonFactory,
    Role,
    UnitFactory,
    UserFactory,
    grant,
)


@pytest.fixture
def world(db):
    """Two communities, each with a compound, building, unit, household and people; one organisation each."""
    org = OrganisationFactory(name="江汉区阳光社工服务中心")
    other_org = OrganisationFactory(name="外区社工机构")
    home = CommunityFactory(name="民族社区")
    away = CommunityFactory(name="外区社区")
    org.communities.add(home)
    other_org.communities.add(away)
    compound = CompoundFactory(community=home, name="锦绣小区")
    building = BuildingFactory(compound=compound, community=home, name="1栋")
    building2 = BuildingFactory(compound=compound, community=home, name="2栋")
    unit = UnitFactory(building=building, name="1单元")
    unit2 = UnitFactory(building=building2, name="1单元")
    household = HouseholdFactory(unit=unit, room="101")
    household2 = HouseholdFactory(unit=unit2, room="202")
    away_household = HouseholdFactory(unit__building__compound__community=away)
    head = PersonFactory(household=household, name="张伟", relation="head")
    spouse = PersonFactory(household=household, name="王芳", relation="spouse",
                           doc_number="11010519491231002X")
    neighbour = PersonFactory(household=household2, name="李娜")
    stranger = PersonFactory(household=away_household, name="刘洋")
    return SimpleNamespace(
        org=org, other_org=other_org, home=home, away=away, compound=compound, building=building,
        building2=building2, unit=unit, household=household, household2=household2,
        away_household=away_household, head=head, spouse=spouse, neighbour=neighbour, stranger=stranger,
    )


def _staff(world, role, *, communities=None, buildings=(), worker_kind="", username=None):
    user = UserFactory(username=username or role)
    grant(user, world.org, role, communities=[world.home] if communities is None else communities,
          buildings=buildings, worker_kind=worker_kind)
    return user


@pytest.fixture
def org_admin(world):
    return _staff(world, Role.ORG_ADMIN, communities=[])


@pytest.fixture
def social_worker(world):
    return _staff(world, Role.SOCIAL_WORKER)


@pytest.fixture
def community_worker(world):
    return _staff(world, Role.COMMUNITY_WORKER, worker_kind="community_staff")


@pytest.fixture
def building_steward(world):
    return _staff(world, Role.COMMUNITY_WORKER, communities=[], buildings=[world.building],
                  worker_kind="building_steward", username="steward")


@pytest.fixture
def secretary(world):
    return _staff(world, Role.GENERAL_VOLUNTEER, communities=[])


@pytest.fixture
def medic(world):
    return _staff(world, Role.MEDICAL_VOLUNTEER, communities=[])


@pytest.fixture
def counsellor(world):
    return _staff(world, Role.COUNSELLOR, communities=[])


@pytest.fixture
def resident(world):
    user = UserFactory(username="resident")
    world.head.user = user
    world.head.save(update_fields=["user"])
    return user


@pytest.fixture
def outsider(world):
    """A community worker of another organisation and community."""
    user = UserFactory(username="outsider")
    grant(user, world.other_org, Role.COMMUNITY_WORKER, communities=[world.away])
    return user


PERSONAS = ["org_admin", "social_worker", "community_worker", "secretary", "medic", "counsellor",
            "resident", "outsider"]
