"""Forms for core pages: the audit log filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditOutcome
from .selectors import ACTION_FILTERS, ACTION_LABELS

# Groups first (a value ending in "." matches the whole group), then every single action by name.
ACTION_CHOICES = [
    ACTION_FILTERS[0],
    (_("分类"), ACTION_FILTERS[1:]),
    (_("具体操作"), [(code, label) for code, label in ACTION_LABELS.items()
                     if code not in dict(ACTION_FILTERS)]),
]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人账号"), required=False, max_length=150,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("用户名")}))
    action = forms.ChoiceField(label=_("操作"), required=False, choices=ACTION_CHOICES)
    outcome = forms.ChoiceField(label=_("结果"), required=False,
                                choices=[("", _("全部结果")), *AuditOutcome.choices])
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return data
