"""People endpoints: scoping, masking, search, cursor paging, create/update with Chinese errors, reveal."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanshe.core.models import AuditEvent
from sanshe.people.models import Person
from tests.factories import HouseholdFactory, PersonFactory, resident_id

NOT_FOUND = {"detail": "未找到该记录，或您无权查看"}
FORBIDDEN = {"detail": "您的角色无权进行此操作"}
ADDRESS = "湖北省武汉市江汉区民族路88号锦绣小区1栋1单元101"


@pytest.fixture
def with_address(world):
    world.head.address = ADDRESS
    world.head.save(update_fields=["address"])
    return world


def secrets_of(*people: Person) -> list[str]:
    """The full protected values that must never appear in an ordinary response."""
    values = []
    for person in people:
        person.refresh_from_db()
        values += [v for v in (person.doc_number, person.phone, person.address) if v]
    return values


def assert_masked(response, *people: Person) -> None:
    body = response.content.decode()
    for value in secrets_of(*people):
        assert value not in body


def names(response) -> list[str]:
    return [p["name"] for p in response.json()["items"]]


# --- who may call what --------------------------------------------------------------------------

def people_calls(world):
    """(method, path, body) for every people endpoint, aimed at a person in the home community."""
    pk = world.head.pk
    return [
        ("GET", "/people", None),
        ("GET", f"/people/{pk}", None),
        ("POST", "/people", {"household_id": world.household.pk, "name": "新住户"}),
        ("PATCH", f"/people/{pk}", {"category": "home_quarantine"}),
        ("POST", f"/people/{pk}/reveal", {"field": "phone", "reason": "电话随访核实"}),
    ]


def test_anonymous_gets_401_everywhere(world, as_user):
    for method, path, body in people_calls(world):
        assert as_user(None).request(method, path, body).status_code == 401, (method, path)


@pytest.mark.parametrize("persona", ["secretary", "medic", "counsellor"])
def test_volunteers_get_403_everywhere_and_the_denial_is_audited(world, as_user, persona, request):
    user = request.getfixturevalue(persona)
    caller = as_user(user)
    for method, path, body in people_calls(world):
        response = caller.request(method, path, body)
        assert (response.status_code, response.json()) == (403, FORBIDDEN), (method, path)
    denials = AuditEvent.objects.filter(action="api.denied", actor=user, outcome="denied")
    assert denials.count() == len(people_calls(world))
    assert not AuditEvent.objects.filter(action="person.reveal").exists()
    assert not Person.objects.filter(name="新住户").exists()


@pytest.mark.parametrize("persona", ["community_worker", "social_worker", "org_admin"])
def test_other_communities_people_are_404(world, as_user, persona, request):
    caller = as_user(request.getfixturevalue(persona))
    pk = world.stranger.pk
    assert caller.get(f"/people/{pk}").json() == NOT_FOUND
    assert caller.get("/people/999999").json() == NOT_FOUND
    assert caller.patch(f"/people/{pk}", {"category": "suspected"}).json() == NOT_FOUND
    response = caller.post(f"/people/{pk}/reveal", {"field": "phone", "reason": "电话随访核实"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    # The attempt itself is in the audit log, as denied.
    assert AuditEvent.objects.filter(action="person.reveal", outcome="denied").count() == 1
    assert "刘洋" not in names(caller.get("/people"))


def test_outsider_sees_only_their_community(world, as_user, outsider):
    assert names(as_user(outsider).get("/people")) == ["刘洋"]


def test_resident_sees_self_and_household_and_may_reveal_only_own(world, as_user, resident):
    caller = as_user(resident)
    assert sorted(names(caller.get("/people"))) == ["张伟", "王芳"]
    assert caller.get(f"/people/{world.spouse.pk}").status_code == 200
    assert caller.get(f"/people/{world.neighbour.pk}").json() == NOT_FOUND
    own = caller.post(f"/people/{world.head.pk}/reveal", {"field": "phone", "reason": "核对本人信息"})
    assert own.status_code == 200 and own.json()["value"] == world.head.phone
    spouse = caller.post(f"/people/{world.spouse.pk}/reveal", {"field": "phone", "reason": "核对家人信息"})
    assert spouse.status_code == 404
    assert caller.patch(f"/people/{world.head.pk}", {"name": "张大伟"}).json() == FORBIDDEN
    assert caller.post("/people", {"household_id": world.household.pk, "name": "新生儿"}).json() == FORBIDDEN


def test_building_steward_sees_their_building_only(world, as_user, building_steward):
    assert sorted(names(as_user(building_steward).get("/people"))) == ["张伟", "王芳"]


# --- masking ------------------------------------------------------------------------------------

def test_list_and_detail_are_masked(with_address, as_user, community_worker):
    world = with_address
    caller = as_user(community_worker)
    listing = caller.get("/people")
    assert_masked(listing, world.head, world.spouse, world.neighbour)
    spouse = next(p for p in listing.json()["items"] if p["name"] == "王芳")
    assert spouse["doc_number_masked"] == "110105********002X"
    assert spouse["phone_masked"] == world.spouse.phone[:3] + "****" + world.spouse.phone[-4:]
    detail = caller.get(f"/people/{world.head.pk}")
    assert_masked(detail, world.head)
    body = detail.json()
    assert body["address_masked"] == "湖北省武汉市****"
    assert body["household_label"] == "1栋-1单元-101"
    assert (body["community_name"], body["compound_name"], body["building_name"]) == ("民族社区", "锦绣小区", "1栋")
    # Birth date would un-mask the middle of an ID number; only the age is given.
    assert "birth_date" not in body and isinstance(body["birth_year"], int) and "age" not in body


def test_vulnerabilities_and_labels_in_detail(world, as_user, community_worker):
    Person.objects.filter(pk=world.spouse.pk).update(elderly_alone=True, chronic_disease=True, population_level=2,
                                                     category="home_quarantine")
    body = as_user(community_worker).get(f"/people/{world.spouse.pk}").json()
    assert body["vulnerabilities"] == [{"code": "elderly_alone", "label": "60岁以上独居"},
                                       {"code": "chronic_disease", "label": "慢性病"}]
    assert (body["category"], body["category_label"]) == ("home_quarantine", "居家隔离人员")
    assert body["population_level_label"].startswith("第二级")
    assert (body["relation"], body["relation_label"]) == ("spouse", "配偶")


# --- search, filters, paging --------------------------------------------------------------------

def test_search_by_chinese_prefix_and_pinyin(world, as_user, community_worker):
    caller = as_user(community_worker)
    assert names(caller.get("/people", q="张")) == ["张伟"]
    assert names(caller.get("/people", q="王芳")) == ["王芳"]
    assert names(caller.get("/people", q="ln")) == ["李娜"]
    assert names(caller.get("/people", q="WangF")) == ["王芳"]
    assert names(caller.get("/people", q="zhang wei")) == ["张伟"]
    assert names(caller.get("/people", q="刘")) == []  # 刘洋 lives in another community


def test_search_by_room_and_a_query_not_understood(world, as_user, community_worker):
    caller = as_user(community_worker)
    assert names(caller.get("/people", q="1-1-101")) == ["王芳", "张伟"]  # building/unit/room order, then pinyin
    assert names(caller.get("/people", q="2栋")) == ["李娜"]
    assert names(caller.get("/people", q="202")) == ["李娜"]
    response = caller.get("/people", q="@@")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "q"
    assert "没有看懂" in response.json()["detail"][0]["message"]


def test_filters(world, as_user, community_worker):
    caller = as_user(community_worker)
    Person.objects.filter(pk=world.neighbour.pk).update(category="home_quarantine")
    assert sorted(names(caller.get("/people", building=world.building.pk))) == ["张伟", "王芳"]
    assert names(caller.get("/people", building=world.building2.pk)) == ["李娜"]
    assert names(caller.get("/people", category="home_quarantine")) == ["李娜"]
    assert len(names(caller.get("/people", compound=world.compound.pk, community=world.home.pk))) == 3
    assert names(caller.get("/people", community=world.away.pk)) == []
    bad = caller.get("/people", category="vip")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "category"
    assert bad.json()["detail"][0]["message"].startswith("取值无效，可选值：")


def test_cursor_pages_through_everyone_once_in_pinyin_order(world, as_user, community_worker):
    # Many people with the same name: the id breaks ties so that no page repeats or skips anyone.
    for _ in range(12):
        PersonFactory(household=HouseholdFactory(unit=world.unit), name="陈静")
    for _ in range(10):
        PersonFactory(household=HouseholdFactory(unit=world.unit), name="赵敏")
    expected = list(Person.objects.filter(community=world.home).order_by("name_pinyin", "id")
                    .values_list("pk", flat=True))
    caller = as_user(community_worker)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 10} | ({"cursor": cursor} if cursor else {})
        page = caller.get("/people", **params).json()
        seen += [p["id"] for p in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == expected
    assert pages == 3 and len(seen) == 25


def test_cursor_carries_no_name_and_follows_an_initials_fallback(world, as_user, community_worker):
    import base64

    for _ in range(3):
        PersonFactory(household=HouseholdFactory(unit=world.unit), name="欧阳娜娜")
    caller = as_user(community_worker)
    # "oy" has vowels, so it is read as pinyin first; nobody's pinyin starts "oy", so initials are used.
    first = caller.get("/people", q="oy", limit=2).json()
    assert [p["name"] for p in first["items"]] == ["欧阳娜娜", "欧阳娜娜"]
    decoded = base64.urlsafe_b64decode(first["next"] + "==").decode()
    assert "ouyang" not in decoded and "欧阳" not in decoded
    second = caller.get("/people", q="oy", limit=2, cursor=first["next"]).json()
    assert [p["name"] for p in second["items"]] == ["欧阳娜娜"] and second["next"] is None


def test_cursor_of_someone_out_of_scope_is_rejected(world, as_user, community_worker):
    from sanshe.api.selectors import encode_cursor

    response = as_user(community_worker).get("/people", cursor=encode_cursor("all", world.stranger.pk))
    assert response.json() == {"detail": [{"field": "cursor", "message": "分页游标已失效，请从第一页重新开始"}]}


def test_numbers_are_refused_in_the_url(world, as_user, community_worker):
    response = as_user(community_worker).get("/people", q=world.spouse.doc_number)
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "q", "message": (
        "证件号、手机号不能放在网址中搜索，请按姓名或拼音搜索；按号码查找请用 POST /people/search")}]}


def test_numbers_are_searched_in_a_post_body(world, as_user, community_worker):
    """The number travels in the body: found by exact ID or phone, within scope, answered masked."""
    caller = as_user(community_worker)
    by_id = caller.post("/people/search", {"q": world.spouse.doc_number.lower()})
    assert by_id.status_code == 200, by_id.content
    assert names(by_id) == ["王芳"] and by_id.json()["next"] is None
    assert by_id.json()["items"][0]["doc_number_masked"] == "110105********002X"
    assert world.spouse.doc_number not in by_id.content.decode()
    phone = world.neighbour.phone
    by_phone = caller.post("/people/search", {"q": f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}"})
    assert names(by_phone) == ["李娜"] and phone not in by_phone.content.decode()
    assert names(caller.post("/people/search", {"q": world.stranger.doc_number})) == []  # out of scope
    assert names(caller.post("/people/search", {"q": world.spouse.doc_number, "building": world.building2.pk})) == []
    # Names work the same as GET /people, cursor included.
    assert names(caller.post("/people/search", {"q": "zw"})) == ["张伟"]
    first = caller.post("/people/search", {"limit": 1}).json()
    second = caller.post("/people/search", {"limit": 1, "cursor": first["next"]}).json()
    assert first["items"][0]["id"] != second["items"][0]["id"]


def test_number_search_needs_the_people_role(world, as_user, secretary):
    assert as_user(secretary).post("/people/search", {"q": world.spouse.doc_number}).json() == FORBIDDEN
    assert as_user(None).post("/people/search", {"q": world.spouse.doc_number}).status_code == 401


def test_exact_page_size_has_no_next(world, as_user, community_worker):
    page = as_user(community_worker).get("/people", limit=3).json()
    assert len(page["items"]) == 3 and page["next"] is None


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "many"}])
def test_limit_must_be_1_to_100(world, as_user, community_worker, params):
    response = as_user(community_worker).get("/people", **params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "limit"
    assert response.json()["detail"][0]["message"] in {"不能小于1", "不能大于100", "应为整数"}


@pytest.mark.parametrize("cursor", ["garbage!", "W10", "eyJhIjoxfQ"])
def test_bad_cursor_is_422_in_chinese(world, as_user, community_worker, cursor):
    response = as_user(community_worker).get("/people", cursor=cursor)
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "cursor", "message": "分页游标无效，请从第一页重新开始"}]}


def test_people_list_query_count_is_constant_and_never_counts(world, with_token, community_worker):
    caller = with_token(community_worker)

    def run() -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            assert caller.get("/people", limit=100).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    run()  # the first call of a token notes its last use
    few = run()
    for _ in range(40):
        PersonFactory(household=HouseholdFactory(unit=world.unit))
    many = run()
    assert len(many) == len(few)
    assert not any("COUNT(" in sql.upper() for sql in many)


# --- create and update --------------------------------------------------------------------------

def test_create_person_derives_from_the_id_and_answers_masked(world, as_user, community_worker):
    number = "11010519491231002X"
    Person.objects.filter(pk=world.spouse.pk).update(doc_number=None, doc_index=None)
    response = as_user(community_worker).post("/people", {
        "household_id": world.household2.pk, "name": " 赵敏 ", "doc_number": number.lower(),
        "phone": "+86 139 1234 5678", "relation": "parent", "category": "home_quarantine", "chronic_disease": True,
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert number not in response.content.decode() and "13912345678" not in response.content.decode()
    assert (body["name"], body["sex"], body["doc_number_masked"], body["phone_masked"]) == \
        ("赵敏", "F", "110105********002X", "139****5678")
    assert body["household_label"] == "2栋-1单元-202"
    person = Person.objects.get(pk=body["id"])
    assert (person.doc_number, person.phone, person.building_id) == (number, "13912345678", world.building2.pk)
    event = AuditEvent.objects.get(action="person.create", object_id=str(person.pk))
    assert event.actor == community_worker


def test_create_reports_every_bad_field_in_chinese(world, as_user, community_worker):
    response = as_user(community_worker).post("/people", {
        "household_id": world.household.pk, "name": "赵敏", "doc_number": "110105194912310021", "phone": "12345",
    })
    assert response.status_code == 422
    detail = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert detail == {"doc_number": "身份证号校验位错误，请核对",
                      "phone": "手机号应为11位中国大陆手机号（1开头，第二位为3-9）"}
    assert not Person.objects.filter(name="赵敏").exists()


def test_create_rejects_missing_and_wrongly_typed_fields(world, as_user, community_worker):
    response = as_user(community_worker).post("/people", {"name": "", "is_representative": "也许", "sex": "X"})
    assert response.status_code == 422
    detail = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert detail == {"household_id": "必填项", "name": "不能为空", "is_representative": "应为 true 或 false",
                      "sex": "取值无效，可选值：'M'、'F'、'U'"}


def test_create_duplicate_document_is_422(world, as_user, community_worker):
    response = as_user(community_worker).post("/people", {
        "household_id": world.household.pk, "name": "王芳", "doc_number": world.spouse.doc_number})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "doc_number", "message": "该证件号码已登记（同一人不能重复登记）"}]


def test_not_json_is_400_in_chinese(world, as_user, community_worker):
    response = as_user(community_worker).post("/people", "{not json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容无法解析，请发送 JSON（Content-Type: application/json）"}


def test_create_in_out_of_scope_household_is_404(world, as_user, community_worker):
    response = as_user(community_worker).post("/people", {"household_id": world.away_household.pk, "name": "某人"})
    assert response.json() == NOT_FOUND
    assert not Person.objects.filter(name="某人").exists()


def test_social_worker_cannot_register_people_in_households(world, as_user, social_worker):
    # Registering means changing a household's members, which needs places.change (community staff).
    response = as_user(social_worker).post("/people", {"household_id": world.household.pk, "name": "某人"})
    assert response.json() == FORBIDDEN


def test_patch_changes_only_sent_fields_and_audits_names_of_fields(world, as_user, social_worker):
    before = Person.objects.get(pk=world.head.pk)
    response = as_user(social_worker).patch(f"/people/{world.head.pk}", {
        "category": "home_quarantine", "population_level": 2, "phone": "13700001111"})
    assert response.status_code == 200, response.content
    assert (response.json()["category"], response.json()["phone_masked"]) == ("home_quarantine", "137****1111")
    after = Person.objects.get(pk=world.head.pk)
    assert (after.name, after.doc_number, after.phone) == (before.name, before.doc_number, "13700001111")
    event = AuditEvent.objects.get(action="person.update", object_id=str(after.pk))
    assert event.detail == {"fields": ["category", "phone", "population_level"]}
    assert "13700001111" not in json.dumps(event.detail)


def test_patch_moves_a_person_to_another_household(world, as_user, community_worker):
    response = as_user(community_worker).patch(f"/people/{world.head.pk}", {"household_id": world.household2.pk})
    assert response.status_code == 200
    assert response.json()["household_label"] == "2栋-1单元-202"
    assert Person.objects.get(pk=world.head.pk).building_id == world.building2.pk
    away = as_user(community_worker).patch(f"/people/{world.head.pk}", {"household_id": world.away_household.pk})
    assert away.json() == NOT_FOUND


def test_patch_errors(world, as_user, community_worker):
    caller = as_user(community_worker)
    assert caller.patch(f"/people/{world.head.pk}", {"name": None}).json() == \
        {"detail": [{"field": "name", "message": "不能为空"}]}
    response = caller.patch(f"/people/{world.head.pk}", {"doc_number": resident_id(999)[:-1] + "0", "sex": "F"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "doc_number"
    assert caller.patch(f"/people/{world.head.pk}", {"birth_date": "2020-02-30"}).json() == \
        {"detail": [{"field": "birth_date", "message": "日期格式应为 YYYY-MM-DD，且须是存在的日期"}]}
    # Clearing an optional field works.
    cleared = caller.patch(f"/people/{world.head.pk}", {"phone": None})
    assert cleared.status_code == 200 and cleared.json()["phone_masked"] == ""


# --- reveal -------------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["doc_number", "phone", "address"])
def test_reveal_returns_the_full_value_uncached_and_audits_the_reason(with_address, as_user, community_worker,
                                                                      field):
    world = with_address
    response = as_user(community_worker).post(f"/people/{world.head.pk}/reveal",
                                              {"field": field, "reason": "核实隔离人员联系方式"})
    assert response.status_code == 200
    world.head.refresh_from_db()
    assert response.json()["value"] == getattr(world.head, field)
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="person.reveal", object_id=str(world.head.pk))
    assert (event.actor, event.reason, event.outcome, event.detail) == \
        (community_worker, "核实隔离人员联系方式", "success", {"field": field})


def test_reveal_without_a_real_reason_is_422_and_not_revealed(world, as_user, community_worker):
    response = as_user(community_worker).post(f"/people/{world.head.pk}/reveal", {"field": "phone", "reason": " 看 "})
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "reason", "message": "请填写查看事由（至少4个字）"}]}
    assert world.head.phone not in response.content.decode()
    assert not AuditEvent.objects.filter(action="person.reveal", outcome="success").exists()


def test_reveal_of_an_unknown_field_is_422(world, as_user, community_worker):
    response = as_user(community_worker).post(f"/people/{world.head.pk}/reveal", {"field": "name", "reason": "核实身份"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "field"


def test_reveal_through_a_token(world, with_token, community_worker):
    response = with_token(community_worker).post(f"/people/{world.spouse.pk}/reveal",
                                                 {"field": "doc_number", "reason": "对接区平台核验身份"})
    assert response.json()["value"] == "11010519491231002X"
    assert AuditEvent.objects.get(action="person.reveal").actor == community_worker
