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


# ------------------------------------------------------------------------------------------- case management

class IntakeForm(forms.Form):
    """信息采集 (tool 4 一至三) and the plan; every field optional, the service checks the combination."""

    emergency_contact_name = forms.CharField(label=_("紧急联系人"), max_length=64, required=False)
    emergency_contact_phone = forms.CharField(label=_("紧急联系人电话"), max_length=32, required=False,
                                              widget=forms.TextInput(attrs={"inputmode": "tel"}))
    demand_emotion = forms.CharField(label=_("诉求：情绪"), max_length=2000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    demand_medical = forms.CharField(label=_("诉求：医疗"), max_length=2000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    demand_psychological = forms.CharField(label=_("诉求：心理"), max_length=2000, required=False,
                                           widget=forms.Textarea(attrs={"rows": 2}))
    demand_other = forms.CharField(label=_("诉求：其他"), max_length=2000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    needs = forms.MultipleChoiceField(label=_("需求评估"), required=False, widget=forms.CheckboxSelectMultiple,
                                      error_messages={"invalid_choice": _("需求评估中有无效选项，请重新勾选")})
    needs_other = forms.CharField(label=_("其他需求说明"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("勾选了任一“其他”需求时必填"))
    plan = forms.CharField(label=_("服务计划"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        from sanshe.rules.needs import NEEDS

        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = [(code, label) for code, label in NEEDS.items()]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), error_messages={"required": _("请选择个案状态")})
    reason = forms.CharField(label=_("原因"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("转介、结案和重新开启须写明原因"))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(choices)


class FollowUpForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"required": _("请填写日期"), "invalid": _("请填写正确的日期")})
    domain = forms.ChoiceField(label=_("类别"), error_messages={"required": _("请选择类别（医疗、心理或其他）")})
    content = forms.CharField(label=_("跟进内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("请填写跟进内容")})
    responsible_name = forms.CharField(label=_("负责人"), max_length=50, error_messages={"required": _("请填写负责人")})
    contact = forms.CharField(label=_("联系方式"), max_length=32, required=False,
                              widget=forms.TextInput(attrs={"inputmode": "tel"}))
    due_at = forms.DateTimeField(label=_("完成时限"), required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                 help_text=_("计划中的跟进填写时限，超时会提醒个案负责人"),
                                 error_messages={"invalid": _("请填写正确的时间")})
    done = forms.BooleanField(label=_("已完成"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import CasePart

        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = CasePart.choices


class TransferForm(forms.Form):
    to_user = forms.TypedChoiceField(label=_("新负责社工"), coerce=int,
                                     error_messages={"required": _("请选择本社区的另一位社会工作者"),
                                                     "invalid_choice": _("请选择本社区的另一位社会工作者")})
    reason = forms.CharField(label=_("转移原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请写明转移原因（至少4个字）")})

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].choices = [("", "—")] + list(choices)


class AssignForm(forms.Form):
    part = forms.ChoiceField(label=_("负责部分"), error_messages={"required": _("请选择负责部分（医疗、心理或其他）")})
    assignee = forms.TypedChoiceField(label=_("负责人"), coerce=int,
                                      error_messages={"required": _("请选择负责人"),
                                                      "invalid_choice": _("请选择本社区可负责该部分的人员")})
    note = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, choices=(), **kwargs):
        from .models import CasePart

        super().__init__(*args, **kwargs)
        self.fields["part"].choices = CasePart.choices
        self.fields["assignee"].choices = [("", "—")] + list(choices)


HELP_URGENCY_CHOICES = [("urgent", _("很急，需要马上联系我")), ("today", _("今天内联系我")),
                        ("routine", _("不急，方便时联系"))]


class HelpForm(forms.Form):
    kinds = forms.MultipleChoiceField(label=_("需要哪方面的帮助"), widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("请选择需要哪方面的帮助")})
    text = forms.CharField(label=_("简单说说您的情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": _("请简单说说您的情况（至少4个字），方便社工准备")})
    urgency = forms.ChoiceField(label=_("有多着急"), choices=HELP_URGENCY_CHOICES, widget=forms.RadioSelect,
                                initial="today", error_messages={"required": _("请选择有多着急")})

    def __init__(self, *args, **kwargs):
        from .models import HelpKind

        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = HelpKind.choices


class PrintContactsForm(forms.Form):
    """The written reason for printing tool 5 with the full phone numbers (audited, like the reveal in people)."""

    reason = forms.CharField(label=_("打印事由"), max_length=200, min_length=4, widget=forms.TextInput(attrs={
        "placeholder": _("例如：上门探访需带联系电话"), "autocomplete": "off"}),
        error_messages={"required": _("请填写打印事由（至少4个字）"),
                        "min_length": _("请填写打印事由（至少4个字）"),
                        "max_length": _("打印事由请控制在200字以内")})
