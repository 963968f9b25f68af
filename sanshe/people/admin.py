"""People in the Django admin: scoped, masked, and written through person_create / person_update.

The encrypted fields are never form fields: the admin shows them masked, and a new number typed into
the "new value" boxes replaces the stored one (blank keeps it). The birth date is shown as its year only
(the full date is the masked part of the ID) and is changed the same way. Revealing a full value happens only on
the person page, with a reason, in the audit log.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sanshe.core.admin import ScopedServiceAdmin
from sanshe.core.pii import birth_year
from sanshe.places.models import Community

from . import services
from .choices import VULNERABILITY_FLAGS, DocumentType
from .models import Person

EDITABLE = ["name", "sex", "doc_type", "household", "relation", "is_representative", "category",
            "population_level", *[flag for flag, _label in VULNERABILITY_FLAGS], "is_active"]
PROTECTED = ("doc_number", "phone", "address")


class PersonAdminForm(forms.ModelForm):
    new_doc_number = forms.CharField(label=_("新证件号码"), required=False, max_length=40,
                                     help_text=_("留空表示不修改"))
    new_phone = forms.CharField(label=_("新手机号"), required=False, max_length=20, help_text=_("留空表示不修改"))
    new_address = forms.CharField(label=_("新详细地址"), required=False, max_length=200,
                                  help_text=_("留空表示不修改"))
    # Never the stored full date beside the masked ID (sanshe.core.pii, rules 2 and 3): the year is shown.
    new_birth_date = forms.DateField(label=_("新出生日期"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                     help_text=_("留空表示不修改；已登记身份证号的，出生日期随身份证号"))

    class Meta:
        model = Person
        fields = EDITABLE

    def clean(self):
        data = super().clean()
        # The same identity checks as the service, shown on the form instead of failing on save.
        keeps_id = (self.instance.pk and self.instance.doc_type == DocumentType.RESIDENT_ID
                    and self.instance.doc_number and not data.get("new_doc_number"))
        if keeps_id and data.get("new_birth_date"):
            self.add_error("new_birth_date", _("已登记身份证号，出生日期按身份证号推算，不能单独修改；"
                                               "如有错误，请填写正确的身份证号"))
        probe = Person(name=data.get("name") or "", sex=data.get("sex") or "U",
                       birth_date=None if keeps_id else data.get("new_birth_date"),
                       doc_type=data.get("doc_type") or "resident_id",
                       doc_number=data.get("new_doc_number") or None, phone=data.get("new_phone") or None)
        try:
            services.person_normalise(probe)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                target = {"doc_number": "new_doc_number", "phone": "new_phone"}.get(field, field)
                if target in self.fields and target not in self.errors:
                    self.add_error(target, messages)
        if not data.get("household") and not self.instance.pk:
            self.add_error("household", _("请选择住户"))
        return data

    def service_data(self) -> dict:
        data = {key: self.cleaned_data[key] for key in EDITABLE if key in self.cleaned_data and key != "household"}
        for name in PROTECTED:
            value = (self.cleaned_data.get(f"new_{name}") or "").strip()
            if value:
                data[name] = value
        if self.cleaned_data.get("new_birth_date"):
            data["birth_date"] = self.cleaned_data["new_birth_date"]
        return data


class CommunityFilter(admin.SimpleListFilter):
    """Only the communities the admin covers (the default related filter would list everyone's)."""

    title = _("社区")
    parameter_name = "community"

    def lookups(self, request, model_admin):
        return [(c.pk, c.name) for c in Community.objects.for_actor(request.user, "view")]

    def queryset(self, request, queryset):
        return queryset.filter(community_id=self.value()) if self.value() else queryset


@admin.register(Person)
class PersonAdmin(ScopedServiceAdmin):
    view_capability = "people.view"
    change_capability = "people.change"
    form = PersonAdminForm
    list_display = ("name", "doc_masked", "phone_masked", "community", "building", "category", "is_active")
    list_select_related = ("community", "building")
    list_filter = (CommunityFilter, "category", "population_level", "is_active",
                   *[flag for flag, _label in VULNERABILITY_FLAGS])
    # Prefix searches use the same indexes as the people list (name, pinyin, initials).
    search_fields = ("^name", "^name_pinyin", "^name_initials")
    # The admin searches by GET: an ID or phone typed here would land in URLs and logs (and find nobody).
    search_help_text = _("按姓名、拼音或首字母搜索；按证件号、手机号查找请用“人员”页面的搜索框")
    autocomplete_fields = ("household",)
    ordering = ("name_pinyin", "id")
    show_full_result_count = False
    readonly_fields = ("birth_year_shown", "doc_masked", "phone_masked", "address_masked", "community", "compound", "building",
                       "created_at", "updated_at")
    fieldsets = (
        (_("身份"), {"fields": ("name", "sex", "birth_year_shown", "new_birth_date", "doc_type", "doc_masked",
                              "new_doc_number")}),
        (_("联系方式"), {"fields": ("phone_masked", "new_phone", "address_masked", "new_address")}),
        (_("住户"), {"fields": ("household", "relation", "is_representative", "community", "compound",
                              "building")}),
        (_("分类"), {"fields": ("category", "population_level", *[f for f, _label in VULNERABILITY_FLAGS],
                              "is_active")}),
        (_("时间"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("出生年份"))
    def birth_year_shown(self, obj: Person) -> str:
        year = birth_year(obj.birth_date)
        return str(year) if year else "—"

    @admin.display(description=_("证件号码"))
    def doc_masked(self, obj: Person) -> str:
        return obj.doc_number_masked

    @admin.display(description=_("手机号"))
    def phone_masked(self, obj: Person) -> str:
        return obj.phone_masked

    @admin.display(description=_("详细地址"))
    def address_masked(self, obj: Person) -> str:
        return obj.address_masked

    def get_queryset(self, request):
        # The list shows masked values only; the address stays encrypted and unread.
        return super().get_queryset(request).defer("address")

    def save_model(self, request, obj, form, change):
        household = form.cleaned_data.get("household")
        if change:
            saved = services.person_update(actor=request.user, person=obj, data=form.service_data(),
                                           household=household)
        else:
            saved = services.person_create(actor=request.user, household=household, data=form.service_data())
        self.adopt(obj, saved)
