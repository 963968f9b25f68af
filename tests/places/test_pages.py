"""Places pages: the permission matrix, what each page shows, the create/edit forms, no N+1."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanshe.core.models import AuditEvent
from sanshe.places.models import Building, Community, Compound, Household, Unit
from tests.factories import BuildingFactory, CompoundFactory, HouseholdFactory, PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db


def view_urls(world) -> list[str]:
    return [
        reverse("places:community_detail", args=[world.home.pk]),
        reverse("places:compound_detail", args=[world.compound.pk]),
        reverse("places:building_detail", args=[world.building.pk]),
        reverse("places:household_detail", args=[world.household.pk]),
    ]


def change_urls(world) -> list[str]:
    return [
        reverse("places:community_update", args=[world.home.pk]),
        reverse("places:compound_create", args=[world.home.pk]),
        reverse("places:compound_update", args=[world.compound.pk]),
        reverse("places:building_create", args=[world.compound.pk]),
        reverse("places:building_update", args=[world.building.pk]),
        reverse("places:unit_create", args=[world.building.pk]),
        reverse("places:household_create", args=[world.building.pk]),
        reverse("places:unit_update", args=[world.unit.pk]),
        reverse("places:household_update", args=[world.household.pk]),
    ]


def all_urls(world) -> list[str]:
    return [reverse("places:community_list"), reverse("places:community_create"), *view_urls(world),
            *change_urls(world)]


def test_anonymous_users_are_sent_to_login(client, world):
    for url in all_urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize("persona", ["secretary", "medic", "counsellor", "resident"])
def test_roles_without_places_get_403(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for url in all_urls(world):
        assert client.get(url).status_code == 403, url


def test_social_workers_may_look_but_not_change(client, world, social_worker):
    client.force_login(social_worker)
    for url in view_urls(world):
        assert client.get(url).status_code == 200, url
    for url in change_urls(world):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("places:community_create")).status_code == 403


def test_out_of_scope_places_are_404(client, world, outsider):
    client.force_login(outsider)
    for url in view_urls(world) + change_urls(world):
        assert client.get(url).status_code == 404, url
    # Their own community opens.
    assert client.get(reverse("places:community_detail", args=[world.away.pk])).status_code == 200


def test_missing_places_are_404_like_out_of_scope(client, world, community_worker):
    client.force_login(community_worker)
    for name in ("community_detail", "compound_detail", "building_detail", "household_detail"):
        assert client.get(reverse(f"places:{name}", args=[999999])).status_code == 404


def test_only_org_admins_add_communities(client, world, community_worker):
    client.force_login(community_worker)
    assert client.get(reverse("places:community_create")).status_code == 403


def test_steward_sees_their_building_only(client, world, building_steward):
    client.force_login(building_steward)
    page = client.get(reverse("places:community_list")).content.decode()
    assert "我负责的楼栋" in page and "锦绣小区 1栋" in page and "2栋" not in page
    assert client.get(reverse("places:building_detail", args=[world.building.pk])).status_code == 200
    assert client.get(reverse("places:building_detail", args=[world.building2.pk])).status_code == 404
    assert client.get(reverse("places:compound_detail", args=[world.compound.pk])).status_code == 404
    # Breadcrumbs name the compound but do not link to a page the steward cannot open.
    page = client.get(reverse("places:building_detail", args=[world.building.pk])).content.decode()
    assert reverse("places:compound_detail", args=[world.compound.pk]) not in page


def test_community_list_shows_counts(client, world, org_admin):
    client.force_login(org_admin)
    page = client.get(reverse("places:community_list")).content.decode()
    assert "民族社区" in page and "外区社区" not in page
    # 1 compound, 2 buildings, 2 households, 3 people in the home community.
    for figure in ("1 个小区", "2 栋", "2 户", "3 人"):
        assert figure in page


def test_building_page_lists_rooms_in_floor_order_with_people(client, world, community_worker):
    for room in ("1001", "201", "102"):
        HouseholdFactory(unit=world.unit, room=room)
    client.force_login(community_worker)
    page = client.get(reverse("places:building_detail", args=[world.building.pk])).content.decode()
    positions = [page.index(f'<span class="room">{room}</span>') for room in ("101", "102", "201", "1001")]
    assert positions == sorted(positions)
    assert "2人" in page  # 101 holds 张伟 and 王芳


def test_household_page_masks_members(client, world, community_worker):
    client.force_login(community_worker)
    page = client.get(reverse("places:household_detail", args=[world.household.pk])).content.decode()
    assert "张伟" in page and "王芳" in page
    assert world.head.phone not in page and world.head.phone_masked in page


def test_org_admin_adds_a_community(client, world, org_admin):
    client.force_login(org_admin)
    response = client.post(reverse("places:community_create"), {
        "name": "新华社区", "code": "420103001009", "district": "江汉区", "street": "民族街道",
        "address": "", "phone": "027-8288 1234", "organisation": world.org.pk})
    community = Community.objects.get(code="420103001009")
    assert response.status_code == 302 and response["Location"] == reverse(
        "places:community_detail", args=[community.pk])
    assert world.org.communities.filter(pk=community.pk).exists()
    assert AuditEvent.objects.filter(action="community.create", object_id=str(community.pk)).exists()


def test_community_form_errors_are_chinese_and_keep_input(client, world, org_admin):
    client.force_login(org_admin)
    response = client.post(reverse("places:community_create"), {
        "name": "新华社区", "code": world.home.code, "phone": "call me", "organisation": world.org.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "电话号码只能包含数字" in page
    assert 'value="新华社区"' in page and 'value="call me"' in page
    assert not Community.objects.filter(name="新华社区").exists()


def test_duplicate_community_code_is_explained_next_to_the_field(client, world, org_admin):
    client.force_login(org_admin)
    response = client.post(reverse("places:community_create"), {
        "name": "新华社区", "code": world.home.code, "organisation": world.org.pk})
    form = response.context["form"]
    assert "code" in form.errors and "已存在" in form.errors["code"][0]


def test_community_worker_builds_the_tree(client, world, community_worker):
    client.force_login(community_worker)
    client.post(reverse("places:compound_create", args=[world.home.pk]), {"name": "幸福里", "address": "解放大道1号"})
    compound = Compound.objects.get(name="幸福里")
    client.post(reverse("places:building_create", args=[compound.pk]), {"name": "10栋"})
    building = Building.objects.get(compound=compound)
    assert building.sort_key == 10 and building.community_id == world.home.pk
    client.post(reverse("places:unit_create", args=[building.pk]), {"name": "1单元"})
    unit = Unit.objects.get(building=building)
    response = client.post(reverse("places:household_create", args=[building.pk]),
                           {"unit": unit.pk, "rooms": "101 102，201\n202"})
    assert response.status_code == 302
    assert sorted(Household.objects.filter(unit=unit).values_list("room", flat=True)) == ["101", "102", "201", "202"]
    actions = set(AuditEvent.objects.filter(actor=community_worker).values_list("action", flat=True))
    assert {"compound.create", "building.create", "unit.create", "household.create"} <= actions


def test_existing_rooms_are_reported_not_duplicated(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(reverse("places:household_create", args=[world.building.pk]),
                           {"unit": world.unit.pk, "rooms": "101 103"}, follow=True)
    page = response.content.decode()
    assert "已添加1户：103" in page and "以下房号已登记，未重复添加：101" in page
    assert Household.objects.filter(unit=world.unit, room="101").count() == 1


def test_duplicate_compound_name_shows_on_the_name_field(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(reverse("places:compound_create", args=[world.home.pk]), {"name": "锦绣小区"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert Compound.objects.filter(name="锦绣小区").count() == 1


def test_blank_building_name_is_a_chinese_error(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(reverse("places:building_create", args=[world.compound.pk]), {"name": " "})
    assert "这个字段是必填项" in response.content.decode()


def test_edits_go_through_services_and_are_audited(client, world, community_worker):
    client.force_login(community_worker)
    client.post(reverse("places:community_update", args=[world.home.pk]), {
        "name": "民族社区", "district": "江汉区", "street": "民族街道", "address": "民族路1号", "phone": "027-85677767"})
    client.post(reverse("places:building_update", args=[world.building.pk]), {"name": "11栋"})
    client.post(reverse("places:household_update", args=[world.household.pk]), {"room": "0101"})
    world.home.refresh_from_db()
    world.building.refresh_from_db()
    world.household.refresh_from_db()
    assert world.home.phone == "027-85677767"
    assert (world.building.name, world.building.sort_key) == ("11栋", 11)
    assert world.household.room == "0101"
    event = AuditEvent.objects.get(action="community.update")
    assert set(event.detail["fields"]) == {"address", "phone"}


def test_steward_adds_households_to_their_building_but_not_buildings(client, world, building_steward):
    client.force_login(building_steward)
    assert client.get(reverse("places:household_create", args=[world.building.pk])).status_code == 200
    assert client.get(reverse("places:household_create", args=[world.building2.pk])).status_code == 404
    assert client.get(reverse("places:building_create", args=[world.compound.pk])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_place_lists_do_not_grow_queries_with_rows(client, world, org_admin):
    client.force_login(org_admin)
    compound_page = reverse("places:compound_detail", args=[world.compound.pk])
    community_page = reverse("places:community_detail", args=[world.home.pk])
    building_page = reverse("places:building_detail", args=[world.building.pk])
    list_page = reverse("places:community_list")
    _queries(client, list_page)  # warm the per-request caches the same way for both measurements
    small = [_queries(client, url) for url in (list_page, community_page, compound_page, building_page)]
    for n in range(45):
        compound = CompoundFactory(community=world.home)  # more compounds in the community
        BuildingFactory(compound=compound, community=world.home)
        BuildingFactory(compound=world.compound, community=world.home)  # more buildings in the compound
        unit = UnitFactory(building=world.building, name=f"{n + 2}单元")  # more units and rooms in the building
        PersonFactory(household=HouseholdFactory(unit=unit))
        if n % 5 == 0:  # more communities for the organisation
            world.org.communities.add(CompoundFactory().community)
    large = [_queries(client, url) for url in (list_page, community_page, compound_page, building_page)]
    assert large == small
