"""Forms for core pages: the audit log filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .features import audit_action_labels
from .models import AuditOutcome
from .selectors import ACTION_FILTERS, ACTION_LABELS


def action_choices() -> list:
    """Groups first (a value ending in "." matches the whole group), then every single action by name."""
    singles = {**ACTION_LABELS, **audit_action_labels()}
    return [
        ACTION_FILTERS[0],
        (_("分类"), ACTION_FILTERS[1:]),
        (_("具体操作"), [(code, label) for code, label in singles.items() if code not in dict(ACTION_FILTERS)]),
    ]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("用户名或姓名")}))
    action = forms.ChoiceField(label=_("操作"), required=False, choices=())  # set per form: features add actions
    outcome = forms.ChoiceField(label=_("结果"), required=False,
                                choices=[("", _("全部结果")), *AuditOutcome.choices])
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    system = forms.BooleanField(label=_("包括系统自动事件（到期提醒、升级通知、定时清理、自动签退等）"),
                                required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = action_choices()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return data
