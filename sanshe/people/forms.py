"""Forms for the people pages: they parse and check input; services validate identity and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sanshe.core.pii import birth_year
from sanshe.places import selectors as places
from sanshe.places.models import Building

from .choices import VULNERABILITY_FLAGS, Category, DocumentType, PopulationLevel, Relation, Sex
from .models import Person
from .search import MAX_QUERY
from .services import person_normalise


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class _Dependent(forms.Form):
    """A form whose select options depend on earlier selects (compound → building → unit → room)."""

    def _value(self, name: str) -> int | None:
        if self.is_bound:
            return _int(self.data.get(self.add_prefix(name)))
        return _int(self.initial.get(name))


class PersonFilterForm(_Dependent):
    """Search and filters above the people list. The typed text itself never goes into the URL."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=MAX_QUERY, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("房号 1-1-101 / 手机尾号 / 姓名 / 拼音 / 首字母 / 证件号"), "autocomplete": "off",
        "enterkeyhint": "search"}))
    compound = forms.TypedChoiceField(label=_("小区"), required=False, coerce=int, empty_value=None)
    building = forms.TypedChoiceField(label=_("楼栋"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label=_("人员类别"), required=False,
                                 choices=[("", _("全部类别")), *Category.choices])
    vulnerability = forms.ChoiceField(label=_("重点关注"), required=False, choices=[
        ("", _("不限")), ("any", _("任一重点关注情形")), *VULNERABILITY_FLAGS])

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].choices = [("", _("全部小区"))] + [
            (c.pk, c.name) for c in places.compound_choices(actor=actor, action="view")]
        compound_id, building_id = self._value("compound"), self._value("building")
        if compound_id:
            buildings = places.building_choices(actor=actor, compound_id=compound_id, action="view")
        else:  # a link straight to one building (from the building page, say)
            buildings = Building.objects.for_actor(actor, "view").filter(pk=building_id or 0)
        self.fields["building"].choices = [("", _("全部楼栋"))] + [(b.pk, b.name) for b in buildings]
        self.fields["compound"].widget.attrs.update({
            "hx-get": reverse_lazy("people:building_options"), "hx-target": "#id_building",
            "hx-swap": "innerHTML", "hx-trigger": "change"})

    def filters(self) -> dict:
        """The filters as asked: a compound or building outside the scope simply matches nobody."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "compound_id": self._value("compound"), "building_id": self._value("building"),
            "category": data.get("category") or "", "vulnerability": data.get("vulnerability") or "",
        }


class HouseholdPickerForm(_Dependent):
    """Compound → building → unit → room, each select reloaded (htmx) when the one before it changes."""

    compound = forms.TypedChoiceField(label=_("小区"), coerce=int, empty_value=None)
    building = forms.TypedChoiceField(label=_("楼栋"), coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("单元"), coerce=int, empty_value=None)
    household = forms.TypedChoiceField(label=_("房号"), required=False, coerce=int, empty_value=None)
    new_room = forms.CharField(label=_("或填写新房号"), required=False, max_length=20,
                               help_text=_("名单里没有这一户时填写，保存时自动登记该户"))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        compounds = list(places.compound_choices(actor=actor))
        if len(compounds) == 1 and not self._value("compound"):
            self.initial["compound"] = compounds[0].pk
        compound_id = self._value("compound")
        buildings = list(places.building_choices(actor=actor, compound_id=compound_id))
        building_id = self._value("building") if self._value("building") in {b.pk for b in buildings} else None
        units = list(places.unit_choices(actor=actor, building_id=building_id))
        if len(units) == 1 and not self._value("unit"):
            self.initial["unit"] = units[0].pk
        unit_id = self._value("unit") if self._value("unit") in {u.pk for u in units} else None
        households = list(places.household_choices(actor=actor, unit_id=unit_id))
        self.fields["compound"].choices = [("", _("请选择小区"))] + [(c.pk, c.name) for c in compounds]
        self.fields["building"].choices = [("", _("请选择楼栋") if compound_id else _("先选小区"))] + [
            (b.pk, b.name) for b in buildings]
        self.fields["unit"].choices = [("", _("请选择单元") if building_id else _("先选楼栋"))] + [
            (u.pk, u.name) for u in units]
        self.fields["household"].choices = [("", _("请选择房号") if unit_id else _("先选单元"))] + [
            (h.pk, h.room) for h in households]
        self.fields["new_room"].widget.attrs["placeholder"] = _("例如：502")
        for name in ("compound", "building", "unit"):
            self.fields[name].widget.attrs.update({
                "hx-get": reverse_lazy("people:household_picker"), "hx-target": "#household-picker",
                "hx-swap": "outerHTML", "hx-include": "#household-picker", "hx-trigger": "change"})

    def clean(self):
        data = super().clean()
        if "unit" not in self.fields:
            return data
        if not data.get("household") and not (data.get("new_room") or "").strip():
            if data.get("unit"):
                self.add_error("household", _("请选择房号，或在下面填写新房号"))
        return data


PROTECTED = ("doc_number", "phone", "address")


class PersonForm(HouseholdPickerForm):
    """A person's record. On edit, protected fields start empty (blank keeps the stored value)."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN,
                            help_text=_("填写身份证号后按身份证号自动判断"))
    birth_date = forms.DateField(label=_("出生日期"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    doc_type = forms.ChoiceField(label=_("证件类型"), choices=DocumentType.choices, initial=DocumentType.RESIDENT_ID)
    doc_number = forms.CharField(label=_("证件号码"), required=False, max_length=40,
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    phone = forms.CharField(label=_("手机号"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    address = forms.CharField(label=_("详细地址"), required=False, max_length=200,
                              help_text=_("与登记住户不同时填写，例如实际居住地"))
    relation = forms.ChoiceField(label=_("与户主关系"), choices=Relation.choices, initial=Relation.HEAD)
    is_representative = forms.BooleanField(label=_("户代表（每户一名，加入小区居民群）"), required=False)
    category = forms.ChoiceField(label=_("人员类别"), choices=Category.choices, initial=Category.RESIDENT)
    population_level = forms.TypedChoiceField(label=_("人群分级（国家卫健委2020）"), required=False, coerce=int,
                                              empty_value=None, choices=[("", _("未分级")), *PopulationLevel.choices])
    elderly_alone = forms.BooleanField(label=_("60岁以上独居"), required=False)
    chronic_disease = forms.BooleanField(label=_("慢性病"), required=False)
    pregnant = forms.BooleanField(label=_("孕期"), required=False)
    disabled = forms.BooleanField(label=_("残疾"), required=False)
    child_under_14 = forms.BooleanField(label=_("14岁以下儿童"), required=False,
                                        help_text=_("有出生日期时自动判断"))
    needs_care = forms.BooleanField(label=_("需要照料"), required=False)
    is_active = forms.BooleanField(label=_("在册（迁出后取消勾选）"), required=False, initial=True)
    clear_doc_number = forms.BooleanField(label=_("删除已登记的证件号码"), required=False)
    clear_phone = forms.BooleanField(label=_("删除已登记的手机号"), required=False)
    clear_address = forms.BooleanField(label=_("删除已登记的详细地址"), required=False)
    clear_birth_date = forms.BooleanField(label=_("删除已登记的出生日期"), required=False)

    field_order = [
        "name", "doc_type", "doc_number", "clear_doc_number", "sex", "birth_date", "clear_birth_date", "phone",
        "clear_phone",
        "compound", "building", "unit", "household", "new_room", "relation", "is_representative", "address",
        "clear_address", "category", "population_level", "elderly_alone", "chronic_disease", "pregnant",
        "disabled", "child_under_14", "needs_care", "is_active",
    ]
    VULNERABILITY = [name for name, _label in VULNERABILITY_FLAGS]

    def __init__(self, *args, actor, person=None, can_move: bool = True, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.person = person
        self.can_move = can_move
        self.birth_year: int | None = None
        self.birth_from_id = False
        if not can_move:
            # A social worker may correct a record but not register households: the address stays as it is.
            for name in ("compound", "building", "unit", "household", "new_room"):
                del self.fields[name]
        if person is None:
            for name in ("is_active", "clear_birth_date", *(f"clear_{f}" for f in PROTECTED)):
                del self.fields[name]
            return
        masked = {"doc_number": person.doc_number_masked, "phone": person.phone_masked,
                  "address": person.address_masked}
        for name in PROTECTED:
            if masked[name]:
                self.fields[name].help_text = _("已登记：%(masked)s。留空表示不修改，填写则替换。") % {
                    "masked": masked[name]}
            else:
                del self.fields[f"clear_{name}"]
        self._birth_date_on_edit(person)

    def _birth_date_on_edit(self, person: Person) -> None:
        """Never a full birth date beside the masked ID (sanshe.core.pii, rules 2 and 3): the year at most.

        With a resident ID on record the ID is the date's only source, so there is no date field: a new
        ID brings its own date. Otherwise the field starts empty and blank keeps the stored date.
        """
        self.birth_year = birth_year(person.birth_date)
        self.birth_from_id = person.doc_type == DocumentType.RESIDENT_ID and bool(person.doc_number)
        if self.birth_from_id:
            del self.fields["birth_date"]
            del self.fields["clear_birth_date"]
            self.fields["doc_number"].help_text = _(
                "已登记：%(masked)s。留空表示不修改，填写则替换（出生日期随身份证号）。") % {
                "masked": person.doc_number_masked}
            return
        if person.birth_date:
            self.fields["birth_date"].help_text = _("已登记：%(year)s年生。留空表示不修改，填写则替换。") % {
                "year": self.birth_year}
        else:
            del self.fields["clear_birth_date"]

    def clean(self):
        data = super().clean()
        # Check the ID, phone, sex and birth date now, so every mistake shows at once with the others.
        probe = Person(**{key: data.get(key) for key in ("name", "sex", "birth_date", "doc_type", "doc_number", "phone")
                          if key in data})
        try:
            person_normalise(probe)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
        return data

    def service_data(self) -> dict:
        """The values for person_create / person_update: blank protected fields are left out on edit."""
        data = {key: value for key, value in self.cleaned_data.items()
                if key not in {"compound", "building", "unit", "household", "new_room"}
                and not key.startswith("clear_")}
        if self.person is not None:
            for name in PROTECTED:
                if self.cleaned_data.get(f"clear_{name}"):
                    data[name] = ""
                elif not (data.get(name) or "").strip():
                    data.pop(name, None)
            # The date field starts empty on edit: blank keeps the stored date, unless asked to delete it.
            if self.cleaned_data.get("clear_birth_date"):
                data["birth_date"] = None
            elif data.get("birth_date") is None:
                data.pop("birth_date", None)
        return data


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看事由"), max_length=200, min_length=4, widget=forms.TextInput(attrs={
        "placeholder": _("例如：电话回访居家隔离人员"), "autocomplete": "off"}),
        error_messages={"required": _("请填写查看事由（至少4个字）"),
                        "min_length": _("请填写查看事由（至少4个字）")})
