"""The one recipient resolver: live holders only, volunteers only when cleared, admins by organisation."""

from __future__ import annotations

from sanshe.accounts import responsible
from sanshe.accounts.models import Membership
from tests.conftest import clear_for_duty
from tests.factories import OrganisationFactory, Role, UserFactory, grant


def test_social_workers_of_a_community_and_nobody_elsewhere(world, social_worker, community_worker, outsider):
    assert responsible.holder_ids(roles=[Role.SOCIAL_WORKER], community_id=world.home.pk) == {social_worker.pk}
    assert responsible.holder_ids(roles=[Role.SOCIAL_WORKER], community_id=world.away.pk) == set()
    assert responsible.holder_ids(roles=[Role.COMMUNITY_WORKER], community_id=world.away.pk) == {outsider.pk}


def test_a_deactivated_user_is_nobody_responsible(world, social_worker, org_admin):
    social_worker.is_active = False
    social_worker.save(update_fields=["is_active"])
    org_admin.is_active = False
    org_admin.save(update_fields=["is_active"])
    assert responsible.holder_ids(roles=[Role.SOCIAL_WORKER], community_id=world.home.pk) == set()
    assert responsible.org_admin_ids(community_id=world.home.pk) == set()
    assert responsible.org_admin_ids(organisation_id=world.org.pk) == set()
    assert responsible.roles_of(social_worker) == set()
    assert list(responsible.holders(roles=[Role.SOCIAL_WORKER], community_id=world.home.pk)) == []


def test_a_revoked_membership_counts_for_nothing(world, social_worker):
    Membership.objects.filter(user=social_worker).update(is_active=False)
    assert responsible.holder_ids(roles=[Role.SOCIAL_WORKER], community_id=world.home.pk) == set()
    assert not responsible.holds_role(social_worker, [Role.SOCIAL_WORKER])
    assert responsible.role_community_pairs(social_worker) == []


def test_account_records_still_see_a_deactivated_users_roles(world, social_worker):
    """Account management (deactivate, reactivate, audit names) reads roles whatever the account's state."""
    social_worker.is_active = False
    social_worker.save(update_fields=["is_active"])
    assert responsible.holds_role(social_worker, [Role.SOCIAL_WORKER], any_account_state=True)
    assert responsible.staff_ids([social_worker.pk]) == {social_worker.pk}
    assert responsible.other_organisation_records(social_worker, []).count() == 1


def test_org_admins_by_community_and_by_organisation(world, org_admin):
    """A community's admins are those of every organisation serving it; an organisation's, its own."""
    second = OrganisationFactory(name="第二家机构")
    second.communities.add(world.home)
    other_admin = UserFactory(username="admin2")
    grant(other_admin, second, Role.ORG_ADMIN)
    assert responsible.org_admin_ids(community_id=world.home.pk) == {org_admin.pk, other_admin.pk}
    assert responsible.org_admin_ids(organisation_id=world.org.pk) == {org_admin.pk}
    assert responsible.org_admin_ids(community_id=world.away.pk) == set()
    # Through holder_ids, an admin covers their organisation's communities as their Scope does.
    assert responsible.holder_ids(roles=[Role.ORG_ADMIN], community_id=world.home.pk) == {org_admin.pk,
                                                                                            other_admin.pk}


def test_a_volunteer_counts_only_once_cleared(world):
    medic = UserFactory(username="medic-in-home")
    grant(medic, world.org, Role.MEDICAL_VOLUNTEER, communities=[world.home])
    place = {"roles": [Role.MEDICAL_VOLUNTEER], "community_id": world.home.pk}
    assert responsible.holder_ids(**place) == set()
    assert responsible.holder_ids(**place, cleared=False) == {medic.pk}
    clear_for_duty(medic, world.org, Role.MEDICAL_VOLUNTEER)
    assert responsible.holder_ids(**place) == {medic.pk}


def test_stewards_by_building_and_staff_by_worker_kind(world, building_steward, community_worker):
    assert responsible.holder_ids(roles=[Role.COMMUNITY_WORKER], building_id=world.building.pk) == {
        building_steward.pk}
    assert responsible.holder_ids(roles=[Role.COMMUNITY_WORKER], building_id=world.building2.pk) == set()
    assert responsible.holder_ids(roles=[Role.COMMUNITY_WORKER], community_id=world.home.pk,
                                  worker_kind="community_staff") == {community_worker.pk}
    # A community or a building: a steward of the building covers the building's place too.
    assert responsible.holder_ids(roles=[Role.COMMUNITY_WORKER], community_id=world.home.pk,
                                  building_id=world.building.pk) == {building_steward.pk, community_worker.pk}


def test_roles_of_a_user(world, social_worker):
    grant(social_worker, world.other_org, Role.COMMUNITY_WORKER, communities=[world.away])
    assert responsible.roles_of(social_worker) == {Role.SOCIAL_WORKER, Role.COMMUNITY_WORKER}
    assert responsible.roles_of(social_worker, community_id=world.away.pk) == {Role.COMMUNITY_WORKER}
    assert set(responsible.role_community_pairs(social_worker)) == {(Role.SOCIAL_WORKER, world.home.pk),
                                                                    (Role.COMMUNITY_WORKER, world.away.pk)}


def test_organisation_members(world, social_worker, medic, outsider):
    assert set(responsible.organisation_member_ids(world.org.pk).values_list("user_id", flat=True)) == {
        social_worker.pk, medic.pk}
    assert set(responsible.organisation_member_ids(world.org.pk, roles=[Role.MEDICAL_VOLUNTEER])
               .values_list("user_id", flat=True)) == {medic.pk}


def test_no_membership_query_outside_the_resolver():
    """The issue's promise: a grep finds no `Membership.objects.filter` outside the resolver."""
    from pathlib import Path

    import sanshe

    root = Path(sanshe.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if "migrations" not in path.parts and path.name != "responsible.py"
                 and "Membership.objects.filter" in path.read_text(encoding="utf-8")]
    assert offenders == []
