"""Who sees which people: the scoping rules of issue 2, part 7."""

from __future__ import annotations

import pytest

from sanshe.people.models import Person
from sanshe.places.models import Building, Community, Household


def visible(user, action="view"):
    return set(Person.objects.for_actor(user, action).values_list("name", flat=True))


def test_org_admin_sees_their_organisations_communities(world, org_admin):
    assert visible(org_admin) == {"张伟", "王芳", "李娜"}


def test_social_worker_sees_assigned_communities(world, social_worker):
    assert visible(social_worker) == {"张伟", "王芳", "李娜"}


def test_community_worker_sees_own_community_only(world, community_worker, outsider):
    assert visible(community_worker) == {"张伟", "王芳", "李娜"}
    assert visible(outsider) == {"刘洋"}


def test_building_steward_sees_only_stewarded_building(world, building_steward):
    assert visible(building_steward) == {"张伟", "王芳"}
    assert set(Building.objects.for_actor(building_steward).values_list("name", flat=True)) == {"1栋"}


@pytest.mark.parametrize("persona", ["secretary", "medic", "counsellor"])
def test_volunteers_see_no_people(world, persona, request):
    user = request.getfixturevalue(persona)
    assert visible(user) == set()
    assert not Community.objects.for_actor(user).exists()


def test_resident_sees_self_and_household_only(world, resident):
    assert visible(resident) == {"张伟", "王芳"}
    assert visible(resident, "reveal") == {"张伟"}
    assert visible(resident, "change") == set()
    assert list(Household.objects.for_actor(resident)) == [world.household]


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()
    assert visible(None) == set()


def test_unknown_action_is_denied(world, org_admin):
    assert visible(org_admin, "delete-everything") == set()


def test_inactive_membership_gives_nothing(world, social_worker):
    social_worker.memberships.update(is_active=False)
    social_worker._sanshe_scope = None
    del social_worker._sanshe_scope
    assert visible(social_worker) == set()
