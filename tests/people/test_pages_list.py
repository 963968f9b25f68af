"""The people list: permissions, search (characters, pinyin, initials, exact number), filters, keyset pages."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanshe.accounts.policies import forget_scope
from sanshe.people.search import parse_query, prefix_upper_bound
from sanshe.people.selectors import PersonFilters, person_list
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    CompoundFactory,
    HouseholdFactory,
    PersonFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/people/"


def names(response) -> list[str]:
    return [person.name for person in response.context["page"].people]


def search(client, text: str, **filters):
    """Search the way the page does: POST, then follow the redirect to the tokenised GET."""
    response = client.post(reverse("people:person_list"), {"q": text, **filters})
    assert response.status_code == 302
    location = response["Location"]
    return location, client.get(location)


# ---------------------------------------------------------------------------------------------- permissions


def test_anonymous_users_are_sent_to_login(client, world):
    for url in (LIST, reverse("people:building_options"), reverse("people:household_picker")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["secretary", "medic", "counsellor", "resident"])
def test_roles_without_people_get_403(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {"q": "张"}).status_code == 403


def test_each_role_sees_only_its_scope(client, world, community_worker, outsider, building_steward):
    client.force_login(community_worker)
    assert sorted(names(client.get(LIST))) == sorted(["张伟", "王芳", "李娜"])
    client.force_login(outsider)
    assert names(client.get(LIST)) == ["刘洋"]
    client.force_login(building_steward)
    assert sorted(names(client.get(LIST))) == sorted(["张伟", "王芳"])


# ---------------------------------------------------------------------------------------------- search


def test_query_kinds_are_recognised():
    assert parse_query("张").mode == "name"
    assert parse_query(" 张 伟 ").text == "张伟"
    assert parse_query("zw").mode == "initials"
    assert parse_query("ZhangWei").text == "zhangwei"
    assert parse_query("zhang wei").mode == "pinyin"
    assert parse_query("11010519491231002x").mode == "number"
    assert parse_query("+86 138 0000 0001").mode == "number"
    assert parse_query("").mode == "all"
    assert prefix_upper_bound("zw") == "zx"


def test_search_by_chinese_characters_is_a_prefix(client, world, community_worker):
    PersonFactory(household=world.household, name="张伟明")
    PersonFactory(household=world.household, name="小张")
    client.force_login(community_worker)
    _, response = search(client, "张伟")
    assert sorted(names(response)) == ["张伟", "张伟明"]


def test_search_by_initials(client, world, community_worker):
    PersonFactory(household=world.household, name="赵文")
    client.force_login(community_worker)
    _, response = search(client, "zw")
    assert sorted(names(response)) == sorted(["张伟", "赵文"])
    assert "按拼音首字母查找" in response.content.decode()


def test_search_by_full_pinyin_and_its_prefix(client, world, community_worker):
    PersonFactory(household=world.household, name="章为")  # also zhangwei
    client.force_login(community_worker)
    _, response = search(client, "zhangwei")
    assert sorted(names(response)) == sorted(["张伟", "章为"])
    _, response = search(client, "Wang F")
    assert names(response) == ["王芳"]


def test_pinyin_that_finds_nobody_falls_back_to_initials(client, world, community_worker):
    PersonFactory(household=world.household, name="欧阳娜娜")
    client.force_login(community_worker)
    _, response = search(client, "oy")  # has a vowel, but no name's pinyin starts with "oy"
    assert names(response) == ["欧阳娜娜"]


def test_exact_id_number_finds_the_person_without_entering_the_url_or_session(client, world, community_worker):
    client.force_login(community_worker)
    location, response = search(client, "11010519491231002x")
    assert names(response) == ["王芳"]
    assert "11010519491231002" not in location
    assert re.fullmatch(r"/people/\?s=[\w-]+", location)
    page = response.content.decode()
    assert "11010519491231002X" not in page and "11010519491231002x" not in page
    assert "110105********002X" in page  # shown back masked
    session_data = str(dict(client.session))
    assert "11010519491231002" not in session_data


def test_exact_phone_number_in_any_common_form(client, world, community_worker):
    client.force_login(community_worker)
    phone = world.neighbour.phone
    location, response = search(client, f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}")
    assert names(response) == ["李娜"]
    assert phone not in location and phone not in response.content.decode()


def test_exact_number_outside_scope_finds_nobody(client, world, community_worker):
    client.force_login(community_worker)
    _, response = search(client, world.stranger.doc_number)
    assert names(response) == []
    assert "没有找到符合条件的人员" in response.content.decode()


@pytest.mark.parametrize("number", ["11010519491231002X", "+86 138 0000 0001"])
def test_a_number_in_the_query_string_is_not_searched(client, world, community_worker, number):
    """A link carrying an ID or phone is refused (not honoured, so nobody relies on it), and dropped."""
    client.force_login(community_worker)
    response = client.get(LIST, {"q": number, "category": "resident"})
    assert response.status_code == 302
    location = response["Location"]
    assert "q=" not in location and number[:6] not in location and "s=" not in location
    assert "category=resident" in location  # the filters stay
    page = client.get(location)
    assert "证件号、手机号不能放在网址中搜索" in page.content.decode()
    assert len(names(page)) == 3  # the unsearched list, not the person
    assert "number" not in str(dict(client.session))


def test_a_name_in_the_query_string_still_searches(client, world, community_worker):
    client.force_login(community_worker)
    response = client.get(LIST, {"q": "王"})
    assert response.status_code == 302 and "q=" not in response["Location"]
    assert names(client.get(response["Location"])) == ["王芳"]


def test_every_people_search_box_posts(client, world, community_worker):
    """The list, the home page and any htmx control send the typed text in a POST body, never a URL."""
    client.force_login(community_worker)
    for url in (LIST, reverse("home:home")):
        page = client.get(url).content.decode()
        search_forms = [form for form in re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S)
                        if 'name="q"' in form]
        assert search_forms, url
        for form in search_forms:
            assert 'method="post"' in form.split(">", 1)[0], url
            assert "hx-get" not in form.split(">", 1)[0], url
        for tag in re.findall(r"<[^>]*hx-get[^>]*>", page):
            assert 'name="q"' not in tag and "hx-include" not in tag, (url, tag)


def test_search_text_is_shown_back_and_can_be_cleared(client, world, community_worker):
    client.force_login(community_worker)
    location, response = search(client, "张")
    page = response.content.decode()
    assert 'value="张"' in page and "搜索：张" in page
    assert "张" not in location  # the URL holds only a token


def test_stale_search_token_says_so(client, world, community_worker):
    client.force_login(community_worker)
    response = client.get(LIST, {"s": "no-such-token"})
    assert "搜索条件已过期" in response.content.decode()
    assert len(names(response)) == 3


# ---------------------------------------------------------------------------------------------- filters


def test_filters_by_compound_building_category_and_vulnerability(client, world, community_worker):
    other_compound = CompoundFactory(community=world.home, name="幸福里")
    other_building = BuildingFactory(compound=other_compound, community=world.home, name="9栋")
    PersonFactory(household=HouseholdFactory(unit=UnitFactory(building=other_building)), name="孙丽",
                  category="home_quarantine", elderly_alone=True)
    world.neighbour.category = "home_quarantine"
    world.neighbour.save()
    world.head.chronic_disease = True
    world.head.save()
    client.force_login(community_worker)
    assert names(client.get(LIST, {"compound": other_compound.pk})) == ["孙丽"]
    assert sorted(names(client.get(LIST, {"compound": world.compound.pk}))) == sorted(["张伟", "王芳", "李娜"])
    assert names(client.get(LIST, {"compound": world.compound.pk, "building": world.building2.pk})) == ["李娜"]
    assert sorted(names(client.get(LIST, {"category": "home_quarantine"}))) == sorted(["孙丽", "李娜"])
    assert names(client.get(LIST, {"vulnerability": "chronic_disease"})) == ["张伟"]
    assert sorted(names(client.get(LIST, {"vulnerability": "any"}))) == sorted(["孙丽", "张伟"])
    # Filters and a search combine.
    _, response = search(client, "s", category="home_quarantine")
    assert names(response) == ["孙丽"]


def test_filter_for_a_building_outside_scope_shows_nobody(client, world, community_worker):
    client.force_login(community_worker)
    away_building = world.away_household.building_id
    assert names(client.get(LIST, {"building": away_building})) == []


def test_building_options_follow_the_compound(client, world, community_worker, outsider):
    client.force_login(community_worker)
    page = client.get(reverse("people:building_options"), {"compound": world.compound.pk}).content.decode()
    assert "1栋" in page and "2栋" in page
    client.force_login(outsider)
    page = client.get(reverse("people:building_options"), {"compound": world.compound.pk}).content.decode()
    assert "1栋" not in page


# ---------------------------------------------------------------------------------------------- pages


@pytest.fixture
def crowd(world):
    """70 people in the home community with known pinyin order."""
    surnames = ["安", "白", "陈", "邓", "方", "高", "韩"]
    given = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    people = [PersonFactory(household=world.household2, name=s + g) for s in surnames for g in given]
    return people


def _walk(client, url) -> list[list[str]]:
    pages = []
    while url:
        response = client.get(url)
        pages.append(names(response))
        url = response.context["next_url"]
    return pages


def test_pages_follow_building_unit_room_order_without_gaps_or_repeats(client, world, community_worker, crowd):
    client.force_login(community_worker)
    pages = _walk(client, LIST)
    assert [len(page) for page in pages] == [30, 30, 13]
    seen = [name for page in pages for name in page]
    assert len(seen) == len(set(seen)) == 73
    # 1栋 1单元 101 first, then 2栋's room (the crowd and 李娜); within a household by pinyin.
    by_pinyin = lambda people: [p.name for p in sorted(people, key=lambda p: (p.name_pinyin, p.pk))]  # noqa: E731
    assert seen == by_pinyin([world.head, world.spouse]) + by_pinyin(crowd + [world.neighbour])


def test_browsing_orders_by_building_number_unit_and_room(world, community_worker):
    b10 = BuildingFactory(compound=world.compound, community=world.home, name="10栋", sort_key=10)
    type(world.building).objects.filter(pk__in=[world.building.pk, world.building2.pk]).update(sort_key=1)
    type(world.building).objects.filter(pk=world.building2.pk).update(sort_key=2)
    PersonFactory(household=HouseholdFactory(unit=world.unit, room="1201"), name="高楼")
    PersonFactory(household=HouseholdFactory(unit=world.unit, room="202"), name="二楼")
    PersonFactory(household=HouseholdFactory(unit=UnitFactory(building=b10, name="1单元"), room="101"), name="十栋")
    PersonFactory(household=None, community=world.home, compound=None, building=None, name="无房")
    page = person_list(actor=community_worker, filters=PersonFilters())
    assert [p.name for p in page.people] == ["王芳", "张伟", "二楼", "高楼", "李娜", "十栋", "无房"]


def test_previous_page_returns_the_same_rows(client, world, community_worker, crowd):
    client.force_login(community_worker)
    first = client.get(LIST)
    second = client.get(first.context["next_url"])
    assert second.context["prev_url"]
    back = client.get(second.context["prev_url"])
    assert names(back) == names(first)
    assert not back.context["prev_url"]


def test_paging_a_search_keeps_the_search(client, world, community_worker, crowd):
    client.force_login(community_worker)
    _, response = search(client, "c")  # initials: 陈一 … 陈十
    pages = [names(response)]
    url = response.context["next_url"]
    while url:
        response = client.get(url)
        pages.append(names(response))
        url = response.context["next_url"]
    found = [name for page in pages for name in page]
    assert sorted(found) == sorted(p.name for p in crowd if p.name.startswith("陈"))


def test_cursor_ids_not_names_travel_in_urls(client, world, community_worker, crowd):
    client.force_login(community_worker)
    next_url = client.get(LIST).context["next_url"]
    assert re.fullmatch(r"/people/\?after=\d+", next_url)


def test_merges_several_communities_in_one_order(world, org_admin):
    # The org admin covers two communities: the page merges both communities' runs in one order.
    second = CommunityFactory(name="第二社区")
    world.org.communities.add(second)
    household = HouseholdFactory(unit=UnitFactory(building=BuildingFactory(compound=CompoundFactory(
        community=second, name="A小区"))))
    for name in ("艾青", "毕升", "曹雪芹", "赵一曼"):
        PersonFactory(household=household, name=name)
    forget_scope(org_admin)
    page = person_list(actor=org_admin, filters=PersonFilters(), limit=4)
    assert [p.name for p in page.people] == ["艾青", "毕升", "曹雪芹", "赵一曼"]  # A小区 before 锦绣小区
    page = person_list(actor=org_admin, filters=PersonFilters(), after=page.next_after, limit=4)
    assert [p.name for p in page.people] == ["王芳", "张伟", "李娜"]
    assert page.next_after is None


def test_list_masks_phone_numbers(client, world, community_worker):
    client.force_login(community_worker)
    page = client.get(LIST).content.decode()
    for person in (world.head, world.spouse, world.neighbour):
        assert person.phone not in page
        assert person.phone_masked in page
        assert person.doc_number not in page


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_rows(client, world, community_worker):
    client.force_login(community_worker)
    _count(client, LIST)
    few = _count(client, LIST)  # 3 people
    for n in range(47):
        unit = UnitFactory(building=world.building2, name=f"{n + 2}单元")
        PersonFactory(household=HouseholdFactory(unit=unit), category="suspected", needs_care=True)
    many = _count(client, LIST)  # a full page of 30
    assert len(client.get(LIST).context["page"].people) == 30
    assert many == few
    assert _count(client, f"{LIST}?category=suspected") == few


def test_list_never_counts_the_table(client, world, community_worker, crowd):
    client.force_login(community_worker)
    with CaptureQueriesContext(connection) as captured:
        client.get(LIST)
    people_queries = [q["sql"] for q in captured.captured_queries if "people_person" in q["sql"]]
    assert not [sql for sql in people_queries if "COUNT(" in sql.upper()]
    assert not [sql for sql in people_queries if "OFFSET" in sql.upper() and "OFFSET 0" not in sql.upper()]
