"""Forms of the volunteer pages; they only parse input, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sanshe.people.choices import DocumentType

from .models import (
    VOLUNTEER_ROLES,
    CertificateCheck,
    CertificateKind,
    Education,
    PoliticalStatus,
    Post,
    TimeSlot,
)
from .rules import ACCEPTED_LABEL
from .services import CertificateUpload

CERTIFICATE_ROWS = 3
ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"


class CertificateRowsMixin:
    """Three rows of (kind, number, file) for certificates; rows left empty are ignored."""

    def add_certificate_fields(self) -> None:
        for n in range(1, CERTIFICATE_ROWS + 1):
            self.fields[f"cert{n}_kind"] = forms.ChoiceField(
                label=_("证书类型"), required=False, choices=[("", _("请选择")), *CertificateKind.choices])
            self.fields[f"cert{n}_number"] = forms.CharField(label=_("证书编号（选填）"), required=False, max_length=60)
            self.fields[f"cert{n}_file"] = forms.FileField(
                label=_("照片或PDF"), required=False, help_text=ACCEPTED_LABEL,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def certificate_rows(self) -> list[tuple]:
        return [(self[f"cert{n}_kind"], self[f"cert{n}_number"], self[f"cert{n}_file"])
                for n in range(1, CERTIFICATE_ROWS + 1)]

    def clean_certificates(self) -> None:
        for n in range(1, CERTIFICATE_ROWS + 1):
            kind, upload = self.cleaned_data.get(f"cert{n}_kind"), self.cleaned_data.get(f"cert{n}_file")
            if upload and not kind:
                self.add_error(f"cert{n}_kind", _("请选择这份材料的证书类型"))
            if kind and not upload:
                self.add_error(f"cert{n}_file", _("请选择证书照片或PDF文件"))

    def uploads(self) -> list[CertificateUpload]:
        rows = []
        for n in range(1, CERTIFICATE_ROWS + 1):
            upload = self.cleaned_data.get(f"cert{n}_file")
            if upload:
                rows.append(CertificateUpload(kind=self.cleaned_data.get(f"cert{n}_kind") or "",
                                              number=self.cleaned_data.get(f"cert{n}_number") or "", file=upload))
        return rows


class ApplicationForm(CertificateRowsMixin, forms.Form):
    """志愿者信息登记表 (tool 1), every field of it."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(label=_("性别"), choices=[("", _("请选择")), ("M", _("男")), ("F", _("女"))])
    political_status = forms.ChoiceField(label=_("政治面貌"), choices=[("", _("请选择")), *PoliticalStatus.choices])
    doc_type = forms.ChoiceField(label=_("证件类型"), choices=DocumentType.choices, initial=DocumentType.RESIDENT_ID)
    doc_number = forms.CharField(label=_("身份证号码"), max_length=40,
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    years_of_work = forms.IntegerField(label=_("工作年限"), min_value=0, max_value=70,
                                       widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    school = forms.CharField(label=_("毕业院校"), max_length=100)
    major = forms.CharField(label=_("专业"), max_length=100)
    education = forms.ChoiceField(label=_("学历"), choices=[("", _("请选择")), *Education.choices])
    skills = forms.CharField(label=_("服务技能"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("例如：内科诊疗、心理疏导、社群管理、文字记录"))
    region = forms.CharField(label=_("所在地区"), max_length=100, help_text=_("例如：武汉市江汉区"))
    phone = forms.CharField(label=_("联系电话"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))
    # Only when the phone is not verified (any more): the code texted to it, checked before the form is stored.
    phone_code = forms.CharField(label=_("短信验证码"), max_length=12, required=False, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"}))
    wechat_id = forms.CharField(label=_("微信号"), max_length=60, required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    experience = forms.CharField(label=_("工作经历（类似公共事件工作经验）"), max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    qualifications = forms.CharField(label=_("专业资质"), max_length=1000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text=_("例如：执业医师（内科），2015年取得；国家二级心理咨询师"))
    hours_per_week = forms.IntegerField(label=_("可参与志愿服务的时长（每周小时数）"), min_value=1, max_value=84,
                                        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    time_slots = forms.MultipleChoiceField(label=_("可参与的时段"), required=False, choices=TimeSlot.choices,
                                           widget=forms.CheckboxSelectMultiple)
    availability_note = forms.CharField(label=_("时段补充说明"), max_length=200, required=False)
    posts = forms.MultipleChoiceField(label=_("可胜任志愿服务岗位"), choices=Post.choices,
                                      widget=forms.CheckboxSelectMultiple)
    other_post = forms.CharField(label=_("其他（请填写）"), max_length=100, required=False)
    consent = forms.BooleanField(
        label=_("我已阅读并同意：以上信息（含身份证号、联系电话及证书）仅用于志愿者资格审核、排班和服务时长记录，加密保存，"
                "仅审核人员可见；我可以申请查阅和更正。"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_certificate_fields()

    def clean(self):
        data = super().clean()
        self.clean_certificates()
        return data

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith("cert") and k != "phone_code"}

    @classmethod
    def typed(cls, data) -> dict:
        """What was typed (a POST), as initial values of a fresh form: shown again without error messages."""
        initial = {}
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.MultipleChoiceField):
                initial[name] = data.getlist(name)
            elif name in data:
                initial[name] = data.get(name)
        return initial


class PhoneStepForm(forms.Form):
    """The first step of sign-up: the phone, then the code texted to it."""

    phone = forms.CharField(label=_("手机号"), max_length=20, widget=forms.TextInput(
        attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel", "placeholder": _("11位手机号")}))
    code = forms.CharField(label=_("短信验证码"), max_length=12, required=False, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"}))


class AddDocumentsForm(CertificateRowsMixin, forms.Form):
    note = forms.CharField(label=_("补充说明（选填）"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_certificate_fields()

    def clean(self):
        data = super().clean()
        self.clean_certificates()
        return data


class ActivateForm(forms.Form):
    password1 = forms.CharField(label=_("设置登录密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("至少8位，包含字母、数字、符号中的至少3类"))
    password2 = forms.CharField(label=_("再次输入密码"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class CertificateCheckForm(forms.Form):
    result = forms.ChoiceField(label=_("核验结果"), widget=forms.RadioSelect, choices=[
        (CertificateCheck.VERIFIED, CertificateCheck.VERIFIED.label),
        (CertificateCheck.REJECTED, CertificateCheck.REJECTED.label)])
    note = forms.CharField(label=_("说明"), max_length=300, required=False,
                           help_text=_("不通过时必填，申请人会看到"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("more", _("需补充材料")), ("reject", _("不通过"))],
                                 widget=forms.RadioSelect, label=_("审核决定"))
    roles = forms.MultipleChoiceField(label=_("通过的岗位"), required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=[(r, r.label) for r in VOLUNTEER_ROLES])
    communities = forms.TypedMultipleChoiceField(
        label=_("服务的社区"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("只能选择您负责的社区；通过后志愿者只在这些社区上岗"))

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].choices = [(c.pk, c.name) for c in communities]
    note = forms.CharField(label=_("审核意见"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("需补充材料或不通过时必填，申请人会看到"))


class RecruitmentForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("招募机构"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("招募标题"), max_length=100, initial=_("线上抗疫志愿者招募"))
    intro = forms.CharField(label=_("招募说明"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class TrainingCompleteForm(forms.Form):
    confirmed = forms.BooleanField(label=_("我已认真阅读并理解以上内容"), required=False)

    def __init__(self, *args, quiz: list, **kwargs):
        super().__init__(*args, **kwargs)
        for n, question in enumerate(quiz):
            self.fields[f"q{n}"] = forms.TypedChoiceField(
                label=f"{n + 1}. {question['question']}", coerce=int, required=False, widget=forms.RadioSelect,
                choices=[(i, option) for i, option in enumerate(question["options"])])
        self.quiz_length = len(quiz)

    def answers(self) -> list[int | None]:
        values = []
        for n in range(self.quiz_length):
            value = self.cleaned_data.get(f"q{n}")
            values.append(value if value != "" else None)
        return values


class TrainingModuleForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("机构"), queryset=None, empty_label=None)
    role = forms.ChoiceField(label=_("岗位"), choices=[(r, r.label) for r in VOLUNTEER_ROLES])
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(label=_("培训材料"), widget=forms.Textarea(attrs={"rows": 10}))
    quiz_text = forms.CharField(
        label=_("测验题（选填）"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每题之间空一行；第一行是题目，下面每行一个选项，正确选项前加 *。不填则只需勾选“已阅读”。"))
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class AgreementPublishForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("甲方（机构）"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(label=_("协议正文"), widget=forms.Textarea(attrs={"rows": 16}))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class AgreementSignForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    agreement = forms.IntegerField(widget=forms.HiddenInput)
    signer_name = forms.CharField(label=_("乙方签名（请输入您的姓名）"), max_length=50)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
