"""Forms for the places pages: they parse and check input; services do the writing."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from sanshe.accounts.models import Organisation

_PHONE_CHARS = re.compile(r"^[\d\s\-+()（）转]*$")


class CommunityForm(forms.Form):
    name = forms.CharField(label=_("社区名称"), max_length=100)
    code = forms.CharField(label=_("社区编码"), max_length=32,
                           help_text=_("民政部门的社区代码或机构内部编号，全平台唯一"))
    district = forms.CharField(label=_("区"), max_length=50, required=False)
    street = forms.CharField(label=_("街道"), max_length=50, required=False)
    address = forms.CharField(label=_("社区地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("社区办公电话"), max_length=30, required=False,
                            help_text=_("居民求助时拨打的电话，会显示在居民的工作台上"))
    organisation = forms.ModelChoiceField(label=_("所属机构"), queryset=Organisation.objects.none(),
                                          empty_label=None)

    def __init__(self, *args, organisations=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The code identifies the community in rosters and exports; the organisation link is set up once.
            del self.fields["code"]
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
            if organisations is not None and len(organisations) == 1:
                self.fields["organisation"].widget = forms.HiddenInput()
        self.fields["phone"].widget.input_type = "tel"

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not _PHONE_CHARS.match(phone):
            raise forms.ValidationError(_("电话号码只能包含数字、空格、横线和括号，例如 027-8288 1234"))
        return phone


class CompoundForm(forms.Form):
    name = forms.CharField(label=_("小区名称"), max_length=100)
    address = forms.CharField(label=_("小区地址"), max_length=200, required=False)


class BuildingForm(forms.Form):
    name = forms.CharField(label=_("楼栋"), max_length=50, help_text=_("例如：3栋、A座"))


class UnitForm(forms.Form):
    name = forms.CharField(label=_("单元"), max_length=50, help_text=_("例如：1单元；没有单元的楼栋可填“整栋”"))


class HouseholdForm(forms.Form):
    room = forms.CharField(label=_("房号"), max_length=20, help_text=_("例如：502"))


class HouseholdBatchForm(forms.Form):
    """Add several rooms of one unit at once, the way a steward walks a staircase: 101 102 201 202…"""

    unit = forms.TypedChoiceField(label=_("单元"), coerce=int)
    rooms = forms.CharField(label=_("房号"), widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("可一次填写多个房号，用空格、逗号或换行分隔，例如：101 102 201 202"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(unit.pk, unit.name) for unit in units]

    def clean_rooms(self) -> list[str]:
        rooms = [room for room in re.split(r"[\s,，、;；]+", self.cleaned_data["rooms"]) if room]
        if not rooms:
            raise forms.ValidationError(_("请至少填写一个房号"))
        too_long = [room for room in rooms if len(room) > 20]
        if too_long:
            raise forms.ValidationError(_("房号过长（最多20个字符）：%(rooms)s") % {"rooms": "、".join(too_long)})
        if len(rooms) > 200:
            raise forms.ValidationError(_("一次最多添加200户，请分批添加"))
        return list(dict.fromkeys(rooms))
