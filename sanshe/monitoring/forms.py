"""Forms of monitoring: they parse what was typed (Chinese messages); the services decide."""

from __future__ import annotations

import secrets
import unicodedata

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanshe.rules.redflags import (
    BREATHING_LABELS,
    CHILD_DANGER_SIGNS,
    HIGH_RISK_CONDITIONS,
    PREGNANCY_DANGER_SIGNS,
    Breathing,
)

from .choices import (
    ADULT_ONLY_SITUATIONS,
    SYMPTOMS,
    AlertOutcome,
    ContactMethod,
    Exposure,
    Need,
    OrderedHow,
    QuarantineKind,
)
from .screening_services import child_situation_error, is_child, situation_choices
from .services import CheckInInput


def new_key() -> str:
    """A fresh idempotency key for one check-in form (a retry or double tap re-sends the same one)."""
    return secrets.token_urlsafe(18)


def _number_text(value: str) -> str:
    """Full-width digits and the Chinese full stop typed on a phone IME become a plain number."""
    text = unicodedata.normalize("NFKC", value or "").strip().replace("。", ".").replace("，", ".")
    for suffix in ("℃", "°C", "°", "%", "次/分", "次"):
        text = text.removesuffix(suffix).strip()
    return text


class LooseFloatField(forms.CharField):
    """A decimal number typed on a phone: full-width digits, 。 and units tolerated."""

    def __init__(self, *, message: str, **kwargs) -> None:
        self.message = message
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        text = _number_text(super().clean(value))
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise forms.ValidationError(self.message) from None


class LooseIntField(LooseFloatField):
    def clean(self, value):
        number = super().clean(value)
        if number is None:
            return None
        if not float(number).is_integer():
            raise forms.ValidationError(self.message)
        return int(number)


def _checkboxes(choices, label, **kwargs):
    return forms.MultipleChoiceField(label=label, choices=choices, required=False,
                                     widget=forms.CheckboxSelectMultiple, **kwargs)


class CheckInForm(forms.Form):
    """The health report: by the person on their phone, or typed in by a worker during a call."""

    temperature_c = LooseFloatField(
        label=_("体温（℃）"), message=_("体温请填写数字，例如 36.5"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "36.5",
                                      "class": "big-number"}))
    symptoms = _checkboxes([(code, label) for code, label in SYMPTOMS], _("今天有没有这些不适？（没有就不用勾）"))
    breathing = forms.ChoiceField(
        label=_("呼吸困难或气促"), choices=[(b.value, BREATHING_LABELS[b]) for b in Breathing],
        initial=Breathing.NONE, widget=forms.RadioSelect)
    spo2 = LooseFloatField(label=_("血氧饱和度（%，家里有血氧仪时填写）"), message=_("血氧饱和度请填写数字，例如 97"),
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                         "placeholder": "97"}))
    breathing_rate = LooseIntField(label=_("呼吸次数（每分钟，安静时数满1分钟）"),
                                   message=_("呼吸次数请填写整数，例如 18"),
                                   widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                                 "placeholder": "18"}))
    high_fever_days = LooseIntField(label=_("吃了退烧药体温仍高于38.5℃，已经几天？（没有就不填）"),
                                    message=_("天数请填写整数，例如 2"),
                                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    underlying_worse = forms.BooleanField(label=_("原有的慢性病（如高血压、糖尿病）明显加重、控制不住"), required=False)
    child_signs = _checkboxes(list(CHILD_DANGER_SIGNS.items()), _("儿童：有没有以下情况？"))
    pregnancy_signs = _checkboxes(list(PREGNANCY_DANGER_SIGNS.items()), _("孕妇：有没有以下情况？"))
    note = forms.CharField(label=_("其他想告诉社区的（可不填）"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"max_length": _("请控制在1000字以内（现在%(show_value)d字）")})
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, child: bool = False, pregnant: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not child:
            del self.fields["child_signs"]
        if not pregnant:
            del self.fields["pregnancy_signs"]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_key())

    def to_input(self) -> CheckInInput:
        data = self.cleaned_data
        return CheckInInput(
            temperature_c=data.get("temperature_c"), symptoms=tuple(data.get("symptoms") or ()),
            breathing=data.get("breathing") or Breathing.NONE, spo2=data.get("spo2"),
            breathing_rate=data.get("breathing_rate"), high_fever_days=data.get("high_fever_days") or 0,
            underlying_worse=bool(data.get("underlying_worse")), child_signs=tuple(data.get("child_signs") or ()),
            pregnancy_signs=tuple(data.get("pregnancy_signs") or ()), note=data.get("note") or "")

    @property
    def key(self) -> str:
        return (self.data.get("idempotency_key") if self.is_bound else self.initial.get("idempotency_key")) or ""


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


DATE_ERRORS = {"invalid": _("日期格式不对，请按 2020-02-03 的格式填写或用日期选择器选择")}


class QuarantineForm(forms.Form):
    kind = forms.ChoiceField(label=_("隔离方式"), choices=QuarantineKind.choices, widget=forms.RadioSelect)
    site = forms.CharField(label=_("隔离地点"), max_length=100, required=False,
                           help_text=_("集中隔离填写隔离点名称，如“江汉区某酒店隔离点”"))
    last_exposure_date = forms.DateField(label=_("最后接触日期"), required=False, widget=DateInput,
                                         error_messages=DATE_ERRORS,
                                         help_text=_("与病例或风险的最后一次接触；不清楚可不填，从开始日期算"))
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput, error_messages={
        **DATE_ERRORS, "required": _("请填写开始日期")})
    ordered_how = forms.ChoiceField(label=_("通知方式"), choices=OrderedHow.choices, widget=forms.RadioSelect,
                                    error_messages={"required": _("请选择通知方式")})
    ordered_by = forms.CharField(label=_("通知单位或人员"), max_length=100, required=False,
                                 help_text=_("如“江汉区疾控中心”"))
    order_reference = forms.CharField(label=_("通知书编号"), max_length=60, required=False)
    risk_codes = _checkboxes(list(HIGH_RISK_CONDITIONS.items()), _("重症高风险因素（有发热时会提高预警级别）"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].error_messages["required"] = _("请选择隔离方式")
        if not self.is_bound:
            self.initial.setdefault("start_date", timezone.localdate())


class EndDateForm(forms.Form):
    end_date = forms.DateField(label=_("新的观察截止日期"), widget=DateInput,
                               error_messages={**DATE_ERRORS, "required": _("请填写新的截止日期")})
    reason = forms.CharField(label=_("原因"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("缩短观察期必须写明原因，例如疾控的解除通知"))


class CloseForm(forms.Form):
    status = forms.ChoiceField(label=_("结束方式"), widget=forms.RadioSelect, choices=[
        ("hospital", _("已转医院")), ("cancelled", _("取消（登记错误、不需要隔离）")), ("lost", _("失访（联系不上本人）"))],
        error_messages={"required": _("请选择结束方式")})
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写原因")})


class AlertResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处理结果"), choices=AlertOutcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("请选择处理结果")})
    note = forms.CharField(label=_("处理说明"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("疫情名称"), max_length=100)
    follow_up_days = forms.IntegerField(label=_("观察天数（自最后接触日起）"), min_value=1, max_value=60)
    slot_deadlines = forms.CharField(label=_("每日打卡截止时间"), max_length=60,
                                     help_text=_("每天几次就写几个时间，用逗号分开，如“10:00, 20:00”"))
    fever_threshold_c = forms.DecimalField(label=_("发热标准（℃）"), max_digits=3, decimal_places=1)
    lost_after_days = forms.IntegerField(label=_("连续几天未报告判为失访"), min_value=1, max_value=14)
    worker_reminder_minutes = forms.IntegerField(label=_("提醒本人后多少分钟仍未报告，再提醒社区工作者"),
                                                 min_value=0, max_value=720)
    retention_days = forms.IntegerField(label=_("观察结束后健康数据保留天数"), min_value=7, max_value=365,
                                        help_text=_("到期后自动删除打卡记录、预警中的健康信息和排查内容（个人信息保护法）"))

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        text = data["slot_deadlines"].replace("，", ",").replace("、", ",").replace("；", ",").replace(";", ",")
        data["slot_deadlines"] = [part.strip() for part in text.split(",") if part.strip()]
        return data


class RoundStartForm(forms.Form):
    place = forms.ChoiceField(label=_("排查范围"), error_messages={"required": _("请选择排查范围")})
    title = forms.CharField(label=_("名称（可不填）"), max_length=100, required=False)

    def __init__(self, *args, places: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", _("请选择"))] + places

    def place_kwargs(self) -> dict:
        kind, _sep, pk = self.cleaned_data["place"].partition(":")
        return {f"{kind}_id": int(pk)} if kind in {"community", "compound", "building"} and pk.isdigit() else {}


class ScreeningEntryForm(forms.Form):
    """One household: contact, then each member's situation, exposure, needs, notes."""

    contact = forms.ChoiceField(label=_("联系情况"), choices=ContactMethod.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("请选择联系方式，或选择“未联系上”")})
    exposure = forms.ChoiceField(label=_("近期接触情况"), choices=Exposure.choices, initial=Exposure.NONE,
                                 required=False)
    exposure_date = forms.DateField(label=_("接触日期"), required=False, widget=DateInput, error_messages=DATE_ERRORS)
    needs = _checkboxes(Need.choices, _("需要的帮助"))
    note = forms.CharField(label=_("备注"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members: list, today=None, known: dict[int, dict[str, list[str]]] | None = None,
                 **kwargs) -> None:
        today = today or timezone.localdate()
        known = known or {}
        super().__init__(*args, **kwargs)
        self.members = members
        self.children = {person.pk for person in members if is_child(person, today)}
        self.known: dict[int, dict[str, list[str]]] = {}
        for person in members:
            choices = situation_choices(person, today)
            offered = {code for code, _label in choices}
            # What is known pre-fills the boxes (only what may be offered to this person).
            self.known[person.pk] = {code: sources for code, sources in known.get(person.pk, {}).items()
                                     if code in offered}
            field = _checkboxes(choices, person.name)
            if person.pk in self.children:
                # A forged adult-only choice for a child: a clear message, nothing saved.
                field.error_messages["invalid_choice"] = child_situation_error(
                    person.name, sorted(ADULT_ONLY_SITUATIONS)).replace("%", "%%")
            self.fields[f"m_{person.pk}"] = field
            if self.known[person.pk] and f"m_{person.pk}" not in self.initial:
                self.initial[f"m_{person.pk}"] = sorted(self.known[person.pk])

    def member_fields(self) -> list:
        return [{"person": person, "field": self[f"m_{person.pk}"], "child": person.pk in self.children,
                 "known": self.known.get(person.pk, {}),
                 "sources": sorted({source for sources in self.known.get(person.pk, {}).values()
                                    for source in sources})}
                for person in self.members]

    def situations(self) -> dict[int, list[str]]:
        return {person.pk: list(self.cleaned_data.get(f"m_{person.pk}") or []) for person in self.members}
