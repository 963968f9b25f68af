"""Forms of referrals."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReferralSource, ReferralUrgency


class ReferralForm(forms.Form):
    source = forms.ChoiceField(choices=ReferralSource.choices, widget=forms.HiddenInput)
    source_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("转介原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("写清发现了什么、本人或家属希望得到什么帮助；社会工作者据此安排跟进"),
                             error_messages={"required": _("请写明转介原因")})
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=ReferralUrgency.choices, widget=forms.RadioSelect,
                                initial=ReferralUrgency.ROUTINE, error_messages={"required": _("请选择紧急程度")})


class CloseForm(forms.Form):
    note = forms.CharField(label=_("结束说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("如：已评估，进入聚焦服务群；已联系社区解决买药；本人拒绝服务"),
                           error_messages={"required": _("请写明结束原因或去向")})
