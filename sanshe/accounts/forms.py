"""Forms parse input only; the rules live in services.py (which raise ValidationError by field)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .roles import Role, WorkerKind

PASSWORD_HELP = _("至少8位，包含大写字母、小写字母、数字、符号中的至少3类；不能过于常见或与用户名相似")


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has it, else at the top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class StaffLoginForm(AuthenticationForm):
    username = forms.CharField(label=_("用户名或手机号"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True,
                                                             "autocapitalize": "none"}))
    password = forms.CharField(label=_("密码"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        "invalid_login": _("用户名/手机号或密码不正确。连续失败5次将锁定30分钟。"),
        "inactive": _("该账号已停用，请联系机构管理员。"),
    }


class OtpLoginForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={
        "type": "tel", "inputmode": "tel", "autocomplete": "tel", "placeholder": _("11位手机号")}))
    code = forms.CharField(label=_("验证码"), max_length=12, required=False, widget=forms.TextInput(attrs={
        "inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6", "placeholder": _("6位数字")}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].error_messages["required"] = _("请填写手机号")


def _role_choices():
    return [("", _("请选择"))] + [(value, label) for value, label in Role.choices if value != Role.RESIDENT]


class RoleFieldsMixin(forms.Form):
    """Role, community-worker kind, communities and buildings; choices come from the organisation."""

    role = forms.ChoiceField(label=_("角色"), choices=_role_choices)
    worker_kind = forms.ChoiceField(label=_("社区工作者类别"), required=False,
                                    choices=[("", _("请选择"))] + list(WorkerKind.choices),
                                    help_text=_("仅社区工作者需要选择"))
    communities = forms.TypedMultipleChoiceField(
        label=_("负责社区"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("社会工作者、社区工作者须至少选一个；机构管理员自动负责本机构全部服务社区"))
    buildings = forms.TypedMultipleChoiceField(
        label=_("负责楼栋"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("楼门栋长须至少选一栋"))

    buildings_by_compound: list[dict] = []

    @property
    def selected_buildings(self) -> set[str]:
        """Building ids ticked (posted, or initial), as strings for the template."""
        return {str(value) for value in (self["buildings"].value() or [])}

    def set_places(self, places) -> None:
        self.fields["communities"].choices = [(c.pk, c.name) for c in places.communities]
        self.fields["buildings"].choices = [
            (b.pk, f"{b.compound.community.name} · {b.compound.name} {b.name}") for b in places.buildings]
        self.buildings_by_compound = _group_buildings(places.buildings)

    def role_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"role": data["role"], "worker_kind": data.get("worker_kind") or "",
                "community_ids": data.get("communities") or [], "building_ids": data.get("buildings") or []}


def _group_buildings(buildings) -> list[dict]:
    groups: list[dict] = []
    for building in buildings:
        label = f"{building.compound.community.name} · {building.compound.name}"
        if not groups or groups[-1]["label"] != label:
            groups.append({"label": label, "buildings": []})
        groups[-1]["buildings"].append(building)
    return groups


class OrganisationChoiceMixin(forms.Form):
    organisation = forms.TypedChoiceField(label=_("机构"), coerce=int)

    def set_organisations(self, organisations) -> None:
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
            self.fields["organisation"].widget = forms.HiddenInput()


class UserCreateForm(OrganisationChoiceMixin, RoleFieldsMixin):
    username = forms.CharField(label=_("用户名"), max_length=150, help_text=_("登录用，字母、数字或汉字，不能是手机号"),
                               widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}))
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False,
                            help_text=_("可选；填写后可用手机号代替用户名登录"),
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}))
    password_mode = forms.ChoiceField(label=_("初始密码"), initial="generate", widget=forms.RadioSelect, choices=[
        ("generate", _("自动生成（创建后只显示一次）")), ("manual", _("手动设置"))])
    password = forms.CharField(label=_("密码"), required=False, strip=False, help_text=PASSWORD_HELP,
                               widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}))

    field_order = ["organisation", "username", "display_name", "phone", "password_mode", "password",
                   "role", "worker_kind", "communities", "buildings"]

    def clean(self):
        data = super().clean()
        if data.get("password_mode") == "manual" and not data.get("password"):
            self.add_error("password", _("请填写密码，或选择自动生成"))
        return data

    def chosen_password(self) -> str:
        return self.cleaned_data["password"] if self.cleaned_data.get("password_mode") == "manual" else ""


class UserEditForm(forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    # The current phone is never put back into the page (it would be an unaudited reveal): blank = unchanged.
    phone = forms.CharField(label=_("新手机号"), max_length=20, required=False,
                            help_text=_("不修改请留空"),
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}))
    clear_phone = forms.BooleanField(label=_("删除手机号（此后不能用手机号登录）"), required=False)


class MembershipForm(OrganisationChoiceMixin, RoleFieldsMixin):
    field_order = ["organisation", "role", "worker_kind", "communities", "buildings"]


class PasswordResetForm(forms.Form):
    password_mode = forms.ChoiceField(label=_("新密码"), initial="generate", widget=forms.RadioSelect, choices=[
        ("generate", _("自动生成（只显示一次）")), ("manual", _("手动设置"))])
    password = forms.CharField(label=_("密码"), required=False, strip=False, help_text=PASSWORD_HELP,
                               widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password_mode") == "manual" and not data.get("password"):
            self.add_error("password", _("请填写密码，或选择自动生成"))
        return data

    def chosen_password(self) -> str:
        return self.cleaned_data["password"] if self.cleaned_data.get("password_mode") == "manual" else ""


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label=_("新密码"), strip=False, help_text=PASSWORD_HELP,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("再次输入新密码"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data

