"""Pages for the places tree: community → compound → building → unit → household."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sanshe.accounts.models import Organisation
from sanshe.accounts.policies import scope_for
from sanshe.core.pages import apply_service_errors, capability_required

from . import selectors, services
from .forms import (
    BuildingForm,
    CommunityForm,
    CompoundForm,
    HouseholdBatchForm,
    HouseholdForm,
    UnitForm,
)
from .models import Building, Community, Compound


def _form_page(request: HttpRequest, *, form: Form, title: str, crumbs: list[tuple[str, str]],
               back_url: str, save: Callable[[dict], str], intro: str = "",
               unique_field: str | None = None) -> HttpResponse:
    """GET shows the form; a valid POST calls `save` (a service) and redirects; errors keep what was typed."""
    if request.method == "POST" and form.is_valid():
        try:
            return redirect(save(form.cleaned_data))
        except ValidationError as error:
            # A duplicate (unique constraint) is reported next to the field the user should change.
            apply_service_errors(form, error, aliases={NON_FIELD_ERRORS: unique_field} if unique_field else None)
    return render(request, "places/place_form.html", {
        "form": form, "title": title, "crumbs": crumbs, "back_url": back_url, "intro": intro,
    })


def _crumbs(actor, *, community: Community | None = None, compound: Compound | None = None,
            building: Building | None = None) -> list[tuple[str, str]]:
    """Breadcrumbs up the tree; a level the actor may not open (a steward's compound) is shown without a link."""
    crumbs = [(_("地点"), reverse("places:community_list"))]
    if community is not None:
        url = reverse("places:community_detail", args=[community.pk])
        crumbs.append((community.name, url if selectors.can(actor, Community.objects, community.pk) else ""))
    if compound is not None:
        url = reverse("places:compound_detail", args=[compound.pk])
        crumbs.append((compound.name, url if selectors.can(actor, Compound.objects, compound.pk) else ""))
    if building is not None:
        crumbs.append((building.name, reverse("places:building_detail", args=[building.pk])))
    return crumbs


@capability_required("places.view")
def community_list(request: HttpRequest) -> HttpResponse:
    """The communities (and stewarded buildings) the user works in."""
    scope = scope_for(request.user)
    return render(request, "places/community_list.html", {
        "rows": selectors.community_list(actor=request.user),
        "stewarded": selectors.stewarded_building_list(actor=request.user),
        "can_create": scope.can("users.manage"),
    })


@capability_required("users.manage")
def community_create(request: HttpRequest) -> HttpResponse:
    """An organisation admin adds a community that their organisation serves."""
    organisations = Organisation.objects.for_actor(request.user, "change")
    first = organisations.first()
    form = CommunityForm(request.POST or None, organisations=organisations,
                         initial={"organisation": first.pk if first else None})

    def save(data: dict) -> str:
        community = services.community_create(
            actor=request.user, organisation_id=data["organisation"].pk, name=data["name"], code=data["code"],
            district=data["district"], street=data["street"], address=data["address"], phone=data["phone"])
        messages.success(request, _("已添加社区：%(name)s") % {"name": community.name})
        return reverse("places:community_detail", args=[community.pk])

    return _form_page(request, form=form, title=_("新增社区"), crumbs=_crumbs(request.user),
                      back_url=reverse("places:community_list"), save=save)


@capability_required("places.view")
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    community = selectors.access_community(actor=request.user, id=pk)
    return render(request, "places/community_detail.html", {
        "community": community,
        "rows": selectors.compound_list(actor=request.user, community=community),
        "can_change": selectors.can(request.user, Community.objects, community.pk, "change"),
        "crumbs": _crumbs(request.user),
    })


@capability_required("places.change")
def community_update(request: HttpRequest, pk: int) -> HttpResponse:
    community = selectors.access_community(actor=request.user, id=pk, action="change")
    initial = {key: getattr(community, key) for key in ("name", "district", "street", "address", "phone")}
    form = CommunityForm(request.POST or None, initial=initial, editing=True)

    def save(data: dict) -> str:
        services.community_update(actor=request.user, community=community, **data)
        messages.success(request, _("已保存"))
        return reverse("places:community_detail", args=[community.pk])

    back = reverse("places:community_detail", args=[community.pk])
    return _form_page(request, form=form, title=_("修改社区信息"), back_url=back, save=save,
                      crumbs=_crumbs(request.user, community=community))


@capability_required("places.change")
def compound_create(request: HttpRequest, community_pk: int) -> HttpResponse:
    community = selectors.access_community(actor=request.user, id=community_pk, action="change")
    form = CompoundForm(request.POST or None)

    def save(data: dict) -> str:
        compound = services.compound_create(actor=request.user, community=community, **data)
        messages.success(request, _("已添加小区：%(name)s") % {"name": compound.name})
        return reverse("places:compound_detail", args=[compound.pk])

    back = reverse("places:community_detail", args=[community.pk])
    return _form_page(request, form=form, title=_("新增小区"), back_url=back, save=save, unique_field="name",
                      crumbs=_crumbs(request.user, community=community))


@capability_required("places.view")
def compound_detail(request: HttpRequest, pk: int) -> HttpResponse:
    compound = selectors.access_compound(actor=request.user, id=pk)
    return render(request, "places/compound_detail.html", {
        "compound": compound,
        "rows": selectors.building_list(actor=request.user, compound=compound),
        "can_change": selectors.can(request.user, Compound.objects, compound.pk, "change"),
        "crumbs": _crumbs(request.user, community=compound.community),
    })


@capability_required("places.change")
def compound_update(request: HttpRequest, pk: int) -> HttpResponse:
    compound = selectors.access_compound(actor=request.user, id=pk, action="change")
    form = CompoundForm(request.POST or None, initial={"name": compound.name, "address": compound.address})

    def save(data: dict) -> str:
        services.compound_update(actor=request.user, compound=compound, **data)
        messages.success(request, _("已保存"))
        return reverse("places:compound_detail", args=[compound.pk])

    back = reverse("places:compound_detail", args=[compound.pk])
    return _form_page(request, form=form, title=_("修改小区信息"), back_url=back, save=save, unique_field="name",
                      crumbs=_crumbs(request.user, community=compound.community, compound=compound))


@capability_required("places.change")
def building_create(request: HttpRequest, compound_pk: int) -> HttpResponse:
    compound = selectors.access_compound(actor=request.user, id=compound_pk, action="change")
    form = BuildingForm(request.POST or None)

    def save(data: dict) -> str:
        building = services.building_create(actor=request.user, compound=compound, **data)
        messages.success(request, _("已添加楼栋：%(name)s") % {"name": building.name})
        return reverse("places:building_detail", args=[building.pk])

    back = reverse("places:compound_detail", args=[compound.pk])
    return _form_page(request, form=form, title=_("新增楼栋"), back_url=back, save=save, unique_field="name",
                      crumbs=_crumbs(request.user, community=compound.community, compound=compound))


@capability_required("places.view")
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    building = selectors.access_building(actor=request.user, id=pk)
    units = selectors.unit_list(actor=request.user, building=building)
    return render(request, "places/building_detail.html", {
        "building": building,
        "units": units,
        "household_total": sum(len(u.households) for u in units),
        "people_total": sum(h.counts["people"] for u in units for h in u.households),
        "can_change": selectors.can(request.user, Building.objects, building.pk, "change"),
        "crumbs": _crumbs(request.user, community=building.community, compound=building.compound),
    })


@capability_required("places.change")
def building_update(request: HttpRequest, pk: int) -> HttpResponse:
    building = selectors.access_building(actor=request.user, id=pk, action="change")
    form = BuildingForm(request.POST or None, initial={"name": building.name})

    def save(data: dict) -> str:
        services.building_update(actor=request.user, building=building, **data)
        messages.success(request, _("已保存"))
        return reverse("places:building_detail", args=[building.pk])

    back = reverse("places:building_detail", args=[building.pk])
    return _form_page(request, form=form, title=_("修改楼栋名称"), back_url=back, save=save, unique_field="name",
                      crumbs=_crumbs(request.user, community=building.community, compound=building.compound,
                                     building=building))


@capability_required("places.change")
def unit_create(request: HttpRequest, building_pk: int) -> HttpResponse:
    building = selectors.access_building(actor=request.user, id=building_pk, action="change")
    form = UnitForm(request.POST or None)

    def save(data: dict) -> str:
        unit = services.unit_create(actor=request.user, building=building, **data)
        messages.success(request, _("已添加单元：%(name)s") % {"name": unit.name})
        return reverse("places:building_detail", args=[building.pk])

    back = reverse("places:building_detail", args=[building.pk])
    return _form_page(request, form=form, title=_("新增单元"), back_url=back, save=save, unique_field="name",
                      crumbs=_crumbs(request.user, community=building.community, compound=building.compound,
                                     building=building))


@capability_required("places.change")
def unit_update(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.access_unit(actor=request.user, id=pk, action="change")
    building = unit.building
    form = UnitForm(request.POST or None, initial={"name": unit.name})

    def save(data: dict) -> str:
        services.unit_update(actor=request.user, unit=unit, **data)
        messages.success(request, _("已保存"))
        return reverse("places:building_detail", args=[building.pk])

    back = reverse("places:building_detail", args=[building.pk])
    return _form_page(request, form=form, title=_("修改单元名称"), back_url=back, save=save, unique_field="name",
                      crumbs=_crumbs(request.user, community=building.community, compound=building.compound,
                                     building=building))


@capability_required("places.change")
def household_create(request: HttpRequest, building_pk: int) -> HttpResponse:
    """Add one or several rooms to a unit of the building."""
    building = selectors.access_building(actor=request.user, id=building_pk, action="change")
    units = list(selectors.unit_choices(actor=request.user, building_id=building.pk))
    back = reverse("places:building_detail", args=[building.pk])
    if not units:
        messages.warning(request, _("请先为该楼栋添加单元，再添加住户"))
        return redirect(reverse("places:unit_create", args=[building.pk]))
    form = HouseholdBatchForm(request.POST or None, units=units,
                              initial={"unit": request.GET.get("unit") or units[0].pk})

    def save(data: dict) -> str:
        unit = next(u for u in units if u.pk == data["unit"])
        created, existing = services.household_create_many(actor=request.user, unit=unit, rooms=data["rooms"])
        if created:
            messages.success(request, _("已添加%(n)d户：%(rooms)s") % {
                "n": len(created), "rooms": "、".join(h.room for h in created)})
        if existing:
            messages.warning(request, _("以下房号已登记，未重复添加：%(rooms)s") % {"rooms": "、".join(existing)})
        return back

    return _form_page(request, form=form, title=_("新增住户"), back_url=back, save=save,
                      crumbs=_crumbs(request.user, community=building.community, compound=building.compound,
                                     building=building))


@capability_required("places.view")
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.access_household(actor=request.user, id=pk)
    can_change = selectors.can(request.user, type(household).objects, household.pk, "change")
    return render(request, "places/household_detail.html", {
        "household": household,
        "members": selectors.household_members(actor=request.user, household=household),
        "can_change": can_change,
        "can_add_person": can_change and scope_for(request.user).can("people.change"),
        "crumbs": _crumbs(request.user, community=household.community, compound=household.compound,
                          building=household.building),
    })


@capability_required("places.change")
def household_update(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.access_household(actor=request.user, id=pk, action="change")
    form = HouseholdForm(request.POST or None, initial={"room": household.room})

    def save(data: dict) -> str:
        services.household_update(actor=request.user, household=household, **data)
        messages.success(request, _("已保存"))
        return reverse("places:household_detail", args=[household.pk])

    back = reverse("places:household_detail", args=[household.pk])
    return _form_page(request, form=form, title=_("修改房号"), back_url=back, save=save, unique_field="room",
                      crumbs=_crumbs(request.user, community=household.community, compound=household.compound,
                                     building=household.building))
