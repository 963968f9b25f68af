"""The form on the API token page."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("用途"), max_length=100,
        help_text=_("写明这个令牌给哪个系统用，便于以后识别和撤销，例如“区疫情平台对接”"),
        error_messages={"required": _("请填写令牌用途"), "max_length": _("用途不能超过100个字")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("例如：区疫情平台对接")}),
    )
