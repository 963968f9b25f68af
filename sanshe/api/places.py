"""Places endpoints: community → compound → building → unit → household, scoped to the caller."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from sanshe.people.models import Person
from sanshe.places.models import Building, Community, Compound, Household, Unit

from . import presenters, selectors
from .schemas import (
    BuildingOut,
    CommunityOut,
    CompoundOut,
    ErrorOut,
    HouseholdDetailOut,
    HouseholdOut,
    UnitOut,
    ValidationErrorOut,
)
from .scoping import scoped, scoped_get, visible, visible_or_404

router = Router(tags=["places 地点"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get("/communities", response={200: list[CommunityOut], **ERRORS}, summary="社区列表 / communities")
def community_list(request: HttpRequest):
    """您可查看的社区 / the communities you may see."""
    return [presenters.community_out(c) for c in scoped(request, Community)]


@router.get("/communities/{community_id}", response={200: CommunityOut, **ERRORS}, summary="社区 / community")
def community_get(request: HttpRequest, community_id: int):
    return presenters.community_out(scoped_get(request, Community, community_id))


@router.get("/compounds", response={200: list[CompoundOut], **ERRORS}, summary="小区列表 / compounds")
def compound_list(request: HttpRequest, community: Query[int | None] = None):
    """您可查看的小区，可按社区筛选 / compounds you may see, optionally of one community."""
    compounds = scoped(request, Compound)
    if community is None:
        return [presenters.compound_out(c) for c in compounds]
    rows = list(compounds.filter(community_id=community))
    if not rows:
        visible_or_404(request, Community, community)
    return [presenters.compound_out(c) for c in rows]


@router.get("/buildings", response={200: list[BuildingOut], **ERRORS}, summary="楼栋列表 / buildings")
def building_list(request: HttpRequest, compound: int):
    """一个小区中您可查看的楼栋 / the buildings of a compound that you may see."""
    rows = list(scoped(request, Building).filter(compound_id=compound))
    if not rows:
        visible_or_404(request, Compound, compound)
    return [presenters.building_out(b) for b in rows]


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="单元列表 / units")
def unit_list(request: HttpRequest, building: int):
    """一栋楼的单元 / the units of a building."""
    rows = list(scoped(request, Unit).filter(building_id=building))
    if not rows:
        visible_or_404(request, Building, building)
    return [presenters.unit_out(u) for u in rows]


@router.get("/households", response={200: list[HouseholdOut], **ERRORS}, summary="住户列表 / households")
def household_list(request: HttpRequest, building: int):
    """一栋楼的住户 / the households of a building."""
    rows = list(selectors.household_list(scoped(request, Household).filter(building_id=building)))
    if not rows:
        visible_or_404(request, Building, building)
    return [presenters.household_out(h) for h in rows]


@router.get("/households/{household_id}", response={200: HouseholdDetailOut, **ERRORS},
            summary="住户及成员 / household with its members")
def household_get(request: HttpRequest, household_id: int):
    """住户及其成员（证件号、手机号已遮蔽）/ a household and its members, masked."""
    household = scoped_get(request, Household, household_id, refine=selectors.household_list)
    members = selectors.person_list_base(visible(request, Person).filter(household_id=household.pk))
    data = presenters.household_out(household)
    data["members"] = [presenters.person_brief(p) for p in members.order_by("id")]
    return data
