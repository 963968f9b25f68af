"""The places tree in the Django admin: scoped to the organisation admin, written through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sanshe.accounts.models import Organisation
from sanshe.core.admin import ScopedServiceAdmin

from . import services
from .models import Building, Community, Compound, Household, Unit


class PlaceAdmin(ScopedServiceAdmin):
    view_capability = "places.view"
    change_capability = "places.change"
    # The parent of a place is chosen when it is created; moving a subtree is not an edit.
    parent_field = ""
    # What __str__ reads, loaded with the row (autocomplete lists and change forms too, not just the list).
    related = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and self.parent_field:
            readonly.append(self.parent_field)
        return readonly


class CommunityAdminForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(label=_("所属机构"), queryset=Organisation.objects.none(),
                                          required=False)

    class Meta:
        model = Community
        fields = ["name", "code", "district", "street", "address", "phone"]


@admin.register(Community)
class CommunityAdmin(PlaceAdmin):
    form = CommunityAdminForm
    list_display = ("name", "code", "district", "street", "phone")
    search_fields = ("name", "code")

    def has_add_permission(self, request) -> bool:
        return self._can(request, "users.manage")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            form.base_fields["organisation"].queryset = Organisation.objects.for_actor(request.user, "change")
            form.base_fields["organisation"].required = True
        else:
            form.base_fields.pop("organisation", None)
        return form

    def get_readonly_fields(self, request, obj=None):
        # The code identifies the community in rosters and exports.
        return ("code",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = {key: form.cleaned_data[key] for key in ("name", "district", "street", "address", "phone")}
        if change:
            saved = services.community_update(actor=request.user, community=obj, **data)
        else:
            saved = services.community_create(actor=request.user, code=form.cleaned_data["code"],
                                              organisation_id=form.cleaned_data["organisation"].pk, **data)
        self.adopt(obj, saved)


@admin.register(Compound)
class CompoundAdmin(PlaceAdmin):
    parent_field = "community"
    fields = ("community", "name", "address")
    list_display = ("name", "community", "address")
    list_select_related = ("community",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.compound_update(actor=request.user, compound=obj, name=data["name"],
                                             address=data["address"])
        else:
            saved = services.compound_create(actor=request.user, community=data["community"], name=data["name"],
                                             address=data["address"])
        self.adopt(obj, saved)


@admin.register(Building)
class BuildingAdmin(PlaceAdmin):
    parent_field = "compound"
    fields = ("compound", "name")
    list_display = ("name", "compound", "community")
    list_select_related = ("compound", "community")
    search_fields = ("name", "compound__name")
    autocomplete_fields = ("compound",)
    related = ("compound",)
    ordering = ("compound_id", "sort_key", "name")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.building_update(actor=request.user, building=obj, name=data["name"])
        else:
            saved = services.building_create(actor=request.user, compound=data["compound"], name=data["name"])
        self.adopt(obj, saved)


@admin.register(Unit)
class UnitAdmin(PlaceAdmin):
    parent_field = "building"
    fields = ("building", "name")
    list_display = ("name", "building")
    list_select_related = ("building__compound",)
    search_fields = ("name", "building__name", "building__compound__name")
    autocomplete_fields = ("building",)
    related = ("building__compound",)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.unit_update(actor=request.user, unit=obj, name=data["name"])
        else:
            saved = services.unit_create(actor=request.user, building=data["building"], name=data["name"])
        self.adopt(obj, saved)


@admin.register(Household)
class HouseholdAdmin(PlaceAdmin):
    parent_field = "unit"
    fields = ("unit", "room")
    list_display = ("__str__", "compound", "community")
    list_select_related = ("building", "unit", "compound", "community")
    search_fields = ("room", "building__name", "compound__name")
    autocomplete_fields = ("unit",)
    related = ("building", "unit", "compound", "community")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.household_update(actor=request.user, household=obj, room=data["room"])
        else:
            saved = services.household_create(actor=request.user, unit=data["unit"], room=data["room"])
        self.adopt(obj, saved)
