"""Roster forms: parse input only; the services decide."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from sanshe.groups.models import DutyKind

from .models import RosterPolicy
from .rules import clock, parse_clock

WEEKDAYS = [(0, _("一")), (1, _("二")), (2, _("三")), (3, _("四")), (4, _("五")), (5, _("六")), (6, _("日"))]


class ClockField(forms.Field):
    """A time of day typed as 08:00 (24:00 allowed as the end of the day); cleaned to minutes from midnight."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "08:00",
                                                           "maxlength": 5, "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = (value or "").strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        minutes = parse_clock(value)
        if minutes is None:
            raise forms.ValidationError(_("请按“08:00”的格式填写时间"))
        return minutes

    def prepare_value(self, value):
        return clock(value) if isinstance(value, int) else value


class NeedsMixin:
    def add_need_fields(self) -> None:
        for kind, label in DutyKind.choices:
            self.fields[f"need_{kind}"] = forms.IntegerField(label=label, min_value=0, max_value=50, initial=0,
                                                             required=False,
                                                             widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def needs(self) -> dict[str, int]:
        return {kind: self.cleaned_data.get(f"need_{kind}") or 0 for kind in DutyKind.values}

    def need_fields(self):
        return [self[f"need_{kind}"] for kind in DutyKind.values]


class SlotForm(NeedsMixin, forms.Form):
    start = ClockField(label=_("开始"), required=False)
    end = ClockField(label=_("结束"), required=False)
    weekdays = forms.TypedMultipleChoiceField(label=_("星期"), choices=WEEKDAYS, coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_need_fields()

    def clean(self):
        data = super().clean()
        filled = data.get("start") is not None or data.get("end") is not None
        if filled:
            if data.get("start") is None:
                self.add_error("start", _("请填写开始时间"))
            if data.get("end") is None:
                self.add_error("end", _("请填写结束时间"))
        data["used"] = filled
        return data


SlotFormSet = formset_factory(SlotForm, extra=0, max_num=12, absolute_max=12)


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("模板名称"), max_length=60, initial=_("日常排班"))


class GenerateForm(forms.Form):
    date_from = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))


class ShiftEditForm(NeedsMixin, forms.Form):
    start = ClockField(label=_("开始"))
    end = ClockField(label=_("结束"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    scope = forms.ChoiceField(label=_("修改范围"), widget=forms.RadioSelect, initial="one",
                              choices=[("one", _("只改这一个班次")), ("later", _("这个及以后同一时段的所有班次"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_need_fields()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class GroupRosterForm(forms.Form):
    claim_window_days = forms.IntegerField(label=_("可提前认领天数"), min_value=1, max_value=90)


class ManualHoursForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("服务机构"), queryset=None, empty_label=None)
    service_date = forms.DateField(label=_("服务日期"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("时长（小时，不含路程）"), min_value=0.1, max_value=24, decimal_places=1)
    content = forms.CharField(label=_("服务内容"), max_length=200)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class CorrectionForm(forms.Form):
    hours = forms.DecimalField(label=_("应为（小时）"), min_value=0, max_value=24, decimal_places=2)
    reason = forms.CharField(label=_("更正理由"), max_length=300)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = RosterPolicy
        fields = ["max_hours_per_24h", "min_rest_hours", "no_show_limit", "free_drop_hours", "reminder_minutes",
                  "person_in_charge", "handler", "contact_phone"]
