"""Places endpoints: who gets what (401/403/404), and what the lists contain."""

from __future__ import annotations

import pytest

from tests.factories import HouseholdFactory, PersonFactory

NOT_FOUND = {"detail": "未找到该记录，或您无权查看"}
FORBIDDEN = {"detail": "您的角色无权进行此操作"}


def place_paths(world) -> dict[str, str]:
    """One path per places endpoint, all pointing at the home community's places."""
    return {
        "communities": "/communities",
        "community": f"/communities/{world.home.pk}",
        "compounds": f"/compounds?community={world.home.pk}",
        "buildings": f"/buildings?compound={world.compound.pk}",
        "units": f"/units?building={world.building.pk}",
        "households": f"/households?building={world.building.pk}",
        "household": f"/households/{world.household.pk}",
    }


def out_of_scope_paths(world) -> dict[str, str]:
    """The same endpoints pointing at the other organisation's community."""
    away = world.away_household
    return {
        "community": f"/communities/{world.away.pk}",
        "compounds": f"/compounds?community={world.away.pk}",
        "buildings": f"/buildings?compound={away.compound_id}",
        "units": f"/units?building={away.building_id}",
        "households": f"/households?building={away.building_id}",
        "household": f"/households/{away.pk}",
    }


def _get(caller, path: str):
    base, _, query = path.partition("?")
    params = dict(part.split("=") for part in query.split("&")) if query else {}
    return caller.get(base, **params)


def test_anonymous_gets_401(world, as_user):
    for path in place_paths(world).values():
        assert _get(as_user(None), path).status_code == 401, path


@pytest.mark.parametrize("persona", ["secretary", "medic", "counsellor"])
def test_volunteers_get_403_everywhere(world, as_user, persona, request):
    caller = as_user(request.getfixturevalue(persona))
    for path in place_paths(world).values():
        response = _get(caller, path)
        assert (response.status_code, response.json()) == (403, FORBIDDEN), path


@pytest.mark.parametrize("persona", ["org_admin", "social_worker", "community_worker"])
def test_staff_of_the_community_see_every_level(world, as_user, persona, request):
    caller = as_user(request.getfixturevalue(persona))
    results = {name: _get(caller, path) for name, path in place_paths(world).items()}
    assert {name: r.status_code for name, r in results.items()} == dict.fromkeys(results, 200)
    assert [c["name"] for c in results["communities"].json()] == ["民族社区"]
    assert results["community"].json()["code"] == world.home.code
    assert [c["name"] for c in results["compounds"].json()] == ["锦绣小区"]
    assert [b["name"] for b in results["buildings"].json()] == ["1栋", "2栋"]
    assert [u["name"] for u in results["units"].json()] == ["1单元"]
    assert [(h["label"], h["member_count"]) for h in results["households"].json()] == [("1栋-1单元-101", 2)]
    household = results["household"].json()
    assert household["label"] == "1栋-1单元-101"
    assert sorted(m["name"] for m in household["members"]) == ["张伟", "王芳"]


@pytest.mark.parametrize("persona", ["org_admin", "social_worker", "community_worker"])
def test_other_communities_are_404_with_the_same_body_as_missing(world, as_user, persona, request):
    caller = as_user(request.getfixturevalue(persona))
    for path in out_of_scope_paths(world).values():
        response = _get(caller, path)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), path
    assert _get(caller, "/communities/999999").json() == NOT_FOUND
    assert _get(caller, "/households/999999").json() == NOT_FOUND


def test_outsider_sees_only_their_own_community(world, as_user, outsider):
    caller = as_user(outsider)
    assert [c["name"] for c in caller.get("/communities").json()] == ["外区社区"]
    for path in out_of_scope_paths(world).values():
        assert _get(caller, path).status_code == 200, path
    for name in ("community", "compounds", "buildings", "units", "households", "household"):
        assert _get(caller, place_paths(world)[name]).status_code == 404, name


def test_building_steward_sees_their_building_only(world, as_user, building_steward):
    caller = as_user(building_steward)
    assert caller.get("/communities").json() == []
    # The steward sees no compound, yet the compound's building list shows the building they steward.
    assert [b["name"] for b in caller.get("/buildings", compound=world.compound.pk).json()] == ["1栋"]
    assert caller.get("/households", building=world.building.pk).status_code == 200
    assert caller.get("/households", building=world.building2.pk).status_code == 404
    assert caller.get(f"/households/{world.household2.pk}").status_code == 404


def test_resident_sees_own_household_and_nothing_else(world, as_user, resident):
    caller = as_user(resident)
    household = caller.get(f"/households/{world.household.pk}")
    assert household.status_code == 200
    assert sorted(m["name"] for m in household.json()["members"]) == ["张伟", "王芳"]
    assert caller.get(f"/households/{world.household2.pk}").json() == NOT_FOUND
    assert caller.get("/communities").status_code == 403
    assert caller.get("/compounds").status_code == 403


def test_compounds_without_filter_lists_all_in_scope(world, as_user, community_worker):
    assert [c["name"] for c in as_user(community_worker).get("/compounds").json()] == ["锦绣小区"]


def test_empty_building_in_scope_is_an_empty_list_not_404(world, as_user, community_worker):
    from tests.factories import BuildingFactory

    empty = BuildingFactory(compound=world.compound, community=world.home, name="9栋")
    caller = as_user(community_worker)
    assert caller.get("/units", building=empty.pk).json() == []
    assert caller.get("/households", building=empty.pk).json() == []


def test_household_members_are_masked(world, as_user, community_worker):
    body = as_user(community_worker).get(f"/households/{world.household.pk}").content.decode()
    for person in (world.head, world.spouse):
        assert person.doc_number not in body
        assert person.phone not in body
    assert world.spouse.doc_number[:6] + "********" + world.spouse.doc_number[-4:] in body


def test_household_list_query_count_is_constant(world, as_user, community_worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    caller = as_user(community_worker)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert caller.get("/households", building=world.building.pk).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request of a session also writes the session
    before = count()
    for _ in range(15):
        PersonFactory(household=HouseholdFactory(unit=world.unit))
    assert count() == before
