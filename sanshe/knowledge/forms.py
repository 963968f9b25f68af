"""Forms of the library: they parse input; the services validate the rules and say what is wrong."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    ANSWER_MAX_CHARS,
    CLAIM_VARIANTS_MAX_CHARS,
    DEBUNK_SOURCE_MAX_CHARS,
    QUESTION_MAX_CHARS,
    Category,
    EntryKind,
    KnowledgeField,
)

# The services check lengths with Chinese messages that give the count; the form must not cut the text
# short first (maxlength in the browser would silently drop what was pasted), so limits here are generous.
_SLACK = 4


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("条目类型"), choices=EntryKind.choices, initial=EntryKind.QA, required=False,
                             widget=forms.RadioSelect,
                             help_text=_("辟谣：“问题”写谣言的原话，“答复”写辟谣内容；群里有人转发这条谣言时会先交群管理员审核，"
                                         "并可一键把辟谣发到群里。"))
    question = forms.CharField(label=_("问题（辟谣条目：谣言说法）"), max_length=QUESTION_MAX_CHARS * _SLACK,
                               required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("写成居民会问（或谣言流传）的样子；去掉人名、门牌号、电话等个人信息。最多 200 字。"))
    answer = forms.CharField(label=_("答复（辟谣条目：辟谣内容）"), max_length=ANSWER_MAX_CHARS * _SLACK, required=False,
                             widget=forms.Textarea(attrs={"rows": 8, "data-count": ANSWER_MAX_CHARS}),
                             help_text=_("真实、可靠、通俗；涉及就医和用药的要写明何时必须就医。最多 2000 字。"))
    claim_variants = forms.CharField(label=_("谣言的其他说法（仅辟谣条目）"), required=False,
                                     max_length=CLAIM_VARIANTS_MAX_CHARS * _SLACK,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("每行一种流传的说法，帮助识别换了说法的同一谣言。"))
    debunk_source = forms.CharField(label=_("辟谣来源（仅辟谣条目）"), required=False,
                                    max_length=DEBUNK_SOURCE_MAX_CHARS * _SLACK,
                                    help_text=_("发布时必填，如：国家卫生健康委员会、中国疾病预防控制中心、中国互联网联合辟谣平台。"))
    debunk_link = forms.CharField(label=_("来源链接（选填）"), required=False, max_length=300,
                                  widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://www.piyao.org.cn/"}))
    category = forms.ModelChoiceField(label=_("分类"), queryset=Category.objects.none(), required=False,
                                      empty_label=_("（未分类）"))
    tags = forms.CharField(label=_("标签"), max_length=200, required=False,
                           help_text=_("多个用顿号、逗号或空格分隔，最多 8 个，如：老人、发热"))
    valid_until = forms.DateField(label=_("有效期至"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                  error_messages={"invalid": _("日期格式不对，请写成 2020-03-31。")},
                                  help_text=_("发布时必填：到期后条目自动从常见问题和推荐答复中隐藏，等待复审。"))
    note = forms.CharField(label=_("修改说明"), max_length=200, required=False,
                           help_text=_("选填：这次改了什么、依据哪份文件。"))

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories if categories is not None else Category.objects.filter(
            is_active=True)


def debunk_from(data: dict):
    """The rumour fields of a cleaned EntryForm as the services take them."""
    from .services import Debunk

    return Debunk(kind=data.get("kind") or EntryKind.QA, claim_variants=data.get("claim_variants", ""),
                  source=data.get("debunk_source", ""), link=data.get("debunk_link", ""))


class FromChatForm(EntryForm):
    answer_message = forms.TypedChoiceField(label=_("选择答复"), coerce=int, required=False, empty_value=None,
                                            widget=forms.RadioSelect)

    def __init__(self, *args, replies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer_message"].choices = [(m.pk, m.body) for m in replies]
        for name in ("kind", "claim_variants", "debunk_source", "debunk_link"):
            del self.fields[name]
        self.fields["answer"].required = False
        self.fields["answer"].help_text = _("不写则用所选的工作人员答复原文；也可以在这里改写。")
        del self.fields["valid_until"]
        del self.fields["note"]


class PublishForm(forms.Form):
    valid_until = forms.DateField(label=_("有效期至"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                  error_messages={"invalid": _("日期格式不对，请写成 2020-03-31。")})


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=400, required=False,
                             help_text=_("例如：政策已调整；内容与最新诊疗方案不符；与另一条重复。"))


class MergeForm(forms.Form):
    question = forms.CharField(label=_("合并后的问题"), max_length=QUESTION_MAX_CHARS * _SLACK, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(label=_("合并后的答复"), max_length=ANSWER_MAX_CHARS * _SLACK, required=False,
                             widget=forms.Textarea(attrs={"rows": 10}))
    tags = forms.CharField(label=_("标签"), max_length=200, required=False)


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("分类名称"), max_length=20, required=False)
    field = forms.ChoiceField(label=_("审核领域"), choices=KnowledgeField.choices,
                              help_text=_("医务类由医务志愿者审核，心理类由心理咨询志愿者审核，社工可审核全部。"))
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=9999, initial=100,
                                    error_messages={"invalid": _("请填数字。")})
    default_valid_days = forms.IntegerField(label=_("默认有效天数"), min_value=1, max_value=730, initial=90,
                                            error_messages={"invalid": _("请填 1 到 730 之间的天数。"),
                                                            "min_value": _("请填 1 到 730 之间的天数。"),
                                                            "max_value": _("请填 1 到 730 之间的天数。")})
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"), required=False)
    publish = forms.BooleanField(label=_("导入后直接发布（由我审核）"), required=False,
                                 help_text=_("不勾选则全部作为待审核草稿导入。"))
