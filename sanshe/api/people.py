"""People endpoints: search, detail, create, update and the audited reveal of one protected field."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from sanshe.people import services as people_services
from sanshe.people.choices import Category
from sanshe.people.models import Person
from sanshe.people.search import parse_query
from sanshe.places.models import Household

from . import presenters, selectors
from .errors import FieldError
from .schemas import (
    ErrorOut,
    PersonIn,
    PersonOut,
    PersonPage,
    PersonPatch,
    RevealIn,
    RevealOut,
    ValidationErrorOut,
)
from .scoping import actor_of, require_action, scoped, scoped_get

router = Router(tags=["people 人员"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
# PATCH may clear these; every other field needs a value when it is sent.
NULLABLE = {"birth_date", "doc_number", "phone", "address", "population_level"}


class PeopleFilter(Schema):
    q: str = Field("", max_length=50, description="姓名开头或拼音首字母，如 张、张伟、zw、zhangw / name prefix or pinyin initials")
    community: int | None = Field(None, description="社区 / community id")
    compound: int | None = Field(None, description="小区 / compound id")
    building: int | None = Field(None, description="楼栋 / building id")
    category: Category | None = Field(None, description="人员类别 / client category")
    cursor: str | None = Field(None, max_length=400, description="上一页返回的 next / the `next` of the previous page")
    limit: int = Field(20, ge=1, le=selectors.MAX_PAGE, description="每页条数 1–100 / page size")


@router.get("/people", response={200: PersonPage, **ERRORS}, summary="人员搜索 / search people")
def person_list(request: HttpRequest, filters: Query[PeopleFilter]):
    """按拼音排序分页，证件号与手机号已遮蔽 / people in pinyin order, paged by cursor, masked."""
    page = selectors.person_page(
        scoped(request, Person), q=filters.q, community=filters.community, compound=filters.compound,
        building=filters.building, category=filters.category.value if filters.category else None,
        cursor=filters.cursor, limit=filters.limit,
    )
    return {"items": [presenters.person_brief(p) for p in page.items], "next": page.next_cursor}


class PeopleSearch(PeopleFilter):
    q: str = Field("", max_length=50, description=(
        "姓名开头、拼音、首字母，或完整的证件号、手机号（精确匹配）/ name prefix, pinyin, initials, "
        "or a full document or mobile number (exact match)"))


@router.post("/people/search", response={200: PersonPage, **ERRORS},
             summary="人员搜索（可按证件号、手机号）/ search people, by number too")
def person_search(request: HttpRequest, payload: PeopleSearch):
    """与 GET /people 相同，搜索词放在请求体中，因此也可以按完整的证件号或手机号查找：号码不会进入网址、
    服务器日志或浏览器历史。按号码查找时只返回一页（无 next）。
    Like GET /people with the search text in the body, so a full ID or phone number can be looked up
    without it entering a URL, a server log or a browser history. A number search is one page (no next)."""
    people = scoped(request, Person)
    category = payload.category.value if payload.category else None
    query = parse_query(payload.q)
    if query.mode == "number":
        page = selectors.person_number_page(
            people, number=query.text, community=payload.community, compound=payload.compound,
            building=payload.building, category=category, limit=payload.limit)
    else:
        page = selectors.person_page(
            people, q=payload.q, community=payload.community, compound=payload.compound, building=payload.building,
            category=category, cursor=payload.cursor, limit=payload.limit)
    return {"items": [presenters.person_brief(p) for p in page.items], "next": page.next_cursor}


@router.get("/people/{person_id}", response={200: PersonOut, **ERRORS}, summary="人员详情 / person")
def person_get(request: HttpRequest, person_id: int):
    """证件号、手机号、地址均已遮蔽；完整值请用 reveal / masked; use reveal for a full value."""
    return presenters.person_out(scoped_get(request, Person, person_id, refine=selectors.person_detail))


def _person_data(payload: PersonIn | PersonPatch, *, exclude_unset: bool) -> dict:
    data = payload.dict(exclude_unset=exclude_unset)
    data.pop("household_id", None)
    for key, value in list(data.items()):
        if value is None and key not in NULLABLE:
            if exclude_unset:
                raise FieldError(key, _("不能为空"))
            data.pop(key)  # an omitted optional field on create: the model default applies
        elif hasattr(value, "value"):
            data[key] = value.value  # enum → its stored code
    return data


def _detail(request: HttpRequest, person_id: int) -> dict:
    """Re-read through the scope after a write: the response is what the caller may now see."""
    return presenters.person_out(scoped_get(request, Person, person_id, refine=selectors.person_detail))


@router.post("/people", response={201: PersonOut, **ERRORS}, summary="登记人员 / register a person")
def person_create(request: HttpRequest, payload: PersonIn):
    """在您可管理的住户中登记一人；身份证号校验并推算性别、出生日期 / register a person in a household."""
    require_action(request, Person, "change")
    household = scoped_get(request, Household, payload.household_id, "change")
    person = people_services.person_create(
        actor=actor_of(request), household=household, data=_person_data(payload, exclude_unset=False))
    return Status(201, _detail(request, person.pk))


@router.patch("/people/{person_id}", response={200: PersonOut, **ERRORS}, summary="修改人员 / update a person")
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch):
    """只修改传入的字段 / only the fields sent are changed."""
    person = scoped_get(request, Person, person_id, "change")
    household = None
    if payload.household_id is not None:
        household = scoped_get(request, Household, payload.household_id, "change")
    person = people_services.person_update(
        actor=actor_of(request), person=person, data=_person_data(payload, exclude_unset=True),
        household=household)
    return _detail(request, person.pk)


@router.post("/people/{person_id}/reveal", response={200: RevealOut, **ERRORS},
             summary="查看完整信息 / reveal one protected field")
def person_reveal(request: HttpRequest, response: HttpResponse, person_id: int, payload: RevealIn):
    """写明事由后查看一项完整的证件号、手机号或地址；每次查看都记入审计日志。
    Reveal one full document number, phone or address with a written reason; every reveal is audited."""
    require_action(request, Person, "reveal")
    # The service scopes the person itself, so that an out-of-scope attempt is audited as denied.
    revealed = people_services.person_reveal(
        actor=actor_of(request), person_id=person_id, field=payload.field, reason=payload.reason)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return {"field": revealed.field, "label": str(revealed.label), "value": revealed.value}
