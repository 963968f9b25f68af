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


def clear_for_duty(user, organisation, role):
    """Make `user` a cleared volunteer of `organisation` for `role` (approved, trained, current agreement
    signed), written directly as the rows the volunteers feature keeps; its own tests go through its services."""
    from django.utils import timezone

    from sanshe.volunteers.clearance import current_agreements, required_modules
    from sanshe.volunteers.models import (
        AgreementSignature,
        ApplicationStatus,
        Recruitment,
        TrainingCompletion,
        VolunteerApplication,
    )
    from sanshe.volunteers.seed import seed_guide_defaults

    seed_guide_defaults()  # a transactional test's flush removes what the data migration wrote
    recruitment, _ = Recruitment.objects.get_or_create(organisation=organisation, title="测试招募",
                                                      defaults={"token": f"t{organisation.pk}-{user.pk}"})
    key = f"test-{user.pk}-{organisation.pk}"
    VolunteerApplication.objects.get_or_create(status_token_hash=key, defaults=dict(
        recruitment=recruitment, organisation=organisation, name=user.display_name or user.username, sex="F",
        political_status="masses", doc_type="resident_id", doc_number="110105194912310021", doc_index=key,
        years_of_work=3, school="-", major="-", education="bachelor", skills="-", region="-",
        phone="13900000000", phone_index=key, hours_per_week=4, consent_at=timezone.now(),
        status=ApplicationStatus.APPROVED, approved_roles=[role], user=user))
    for module_id, version in required_modules([organisation.pk], role)[organisation.pk].items():
        TrainingCompletion.objects.get_or_create(user=user, module_id=module_id, version=version)
    agreement = current_agreements([organisation.pk])[organisation.pk]
    AgreementSignature.objects.get_or_create(user=user, organisation=organisation, agreement=agreement,
                                             defaults={"signer_name": user.display_name or user.username,
                                                       "signature_png": b"", "fingerprint": "test"})
    return user


@pytest.fixture
def secretary(world):
    return clear_for_duty(_staff(world, Role.GENERAL_VOLUNTEER, communities=[]), world.org, Role.GENERAL_VOLUNTEER)


@pytest.fixture
def medic(world):
    return clear_for_duty(_staff(world, Role.MEDICAL_VOLUNTEER, communities=[]), world.org, Role.MEDICAL_VOLUNTEER)


@pytest.fixture
def counsellor(world):
    return clear_for_duty(_staff(world, Role.COUNSELLOR, communities=[]), world.org, Role.COUNSELLOR)


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
