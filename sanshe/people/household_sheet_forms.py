"""Forms of the household sheet pages: upload, import choice, export options."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import Category
from .household_sheet_services import household_sheet_upload_check
from .models import ImportMode


class HouseholdSheetUploadForm(forms.Form):
    community = forms.ModelChoiceField(label=_("导入到哪个社区"), queryset=None, empty_label=None,
                                       error_messages={"required": _("请选择社区"),
                                                       "invalid_choice": _("请选择您可以导入的社区")})
    file = forms.FileField(label=_("名册文件"), help_text=_("Excel表格（.xlsx、.xls）或CSV文件，一次最多10万行"),
                           error_messages={"required": _("请选择要上传的名册文件"),
                                           "empty": _("文件是空的（0字节），请重新选择文件")},
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.xlsm,.csv"}))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            household_sheet_upload_check(file_name=upload.name, size=upload.size)
        except ValidationError as error:
            raise ValidationError(error.message_dict["file"]) from error
        return upload


class HouseholdSheetImportForm(forms.Form):
    mode = forms.ChoiceField(choices=ImportMode.choices, error_messages={"required": _("请选择导入方式")})


class HouseholdSheetExportForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=None, required=False,
                                       empty_label=_("我负责的全部社区"))
    compound = forms.ModelChoiceField(label=_("小区"), queryset=None, required=False, empty_label=_("全部小区"))
    building = forms.ModelChoiceField(label=_("楼栋"), queryset=None, required=False, empty_label=_("全部楼栋"))
    category = forms.ChoiceField(label=_("人员类别"), required=False,
                                 choices=[("", _("全部类别"))] + list(Category.choices))
    unmasked = forms.BooleanField(label=_("导出完整证件号、出生日期、手机号和地址（须填写事由，将记入审计日志）"), required=False)
    reason = forms.CharField(label=_("导出事由"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("例如：报送街道防控指挥部核酸检测名单")}))

    def __init__(self, *args, communities, compounds, buildings, can_unmask: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["compound"].queryset = compounds
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = lambda b: f"{b.compound.name} {b.name}"
        if not can_unmask:
            del self.fields["unmasked"]
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        if data.get("unmasked") and len((data.get("reason") or "").strip()) < 4:
            self.add_error("reason", _("导出完整证件号和手机号，须填写事由（至少4个字）"))
        compound, building = data.get("compound"), data.get("building")
        community = data.get("community")
        if compound and community and compound.community_id != community.pk:
            self.add_error("compound", _("这个小区不在所选社区"))
        if building and compound and building.compound_id != compound.pk:
            self.add_error("building", _("这栋楼不在所选小区"))
        return data
