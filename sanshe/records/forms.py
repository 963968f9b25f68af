"""Forms of the record tools (fields per tool, in the order of the paper form), referral out and summary rows."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sanshe.rules.needs import NEED_DOMAINS

from .models import ConsultKind, ReferralOutKind, ReferralOutStatus

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
SEX = [("", _("未填")), ("M", _("男")), ("F", _("女"))]
YES_NO = [("", _("未选")), ("yes", _("是")), ("no", _("否"))]


def _dt(label):
    return forms.DateTimeField(label=label, required=False, input_formats=DATETIME_FORMATS,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


def _text(label, rows=3):
    return forms.CharField(label=label, required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": rows}))


def _char(label, max_length=64):
    return forms.CharField(label=label, required=False, max_length=max_length)


CLIENT = {
    "client_name": lambda: forms.CharField(label=_("姓名"), max_length=50, required=False),
    "client_sex": lambda: forms.ChoiceField(label=_("性别"), choices=SEX, required=False),
    "client_age": lambda: forms.IntegerField(label=_("年龄"), required=False, min_value=0, max_value=130),
    "client_address": lambda: _char(_("居住地址"), 200),
    "client_phone": lambda: _char(_("联系电话"), 32),
}
# Each tool: (section heading, [field names]) in the paper form's order, with per-tool labels.
SECTIONS: dict[str, list[tuple[object, list[str]]]] = {
    "consultation": [
        (_("服务对象"), ["client_name", "client_sex", "client_age", "client_address", "client_phone"]),
        (_("咨询类别"), ["consult_kind"]),
        (_("服务人员及联系方式"), ["service_staff"]),
        (_("咨询内容（简要概述服务对象疑问及服务人员的解答，分条记录）"), ["consultation_points"]),
        (_("微信群服务记录（建议采用微信截图或文字描述）"), ["chat_record"]),
    ],
    "social_work": [
        (_("一、基本资料"), ["client_name", "client_sex", "client_age", "client_phone", "client_address",
                         "emergency_contact_name", "emergency_contact_phone"]),
        (_("二、诉求情况"), ["demand_emotion", "demand_medical", "demand_psychological", "demand_other"]),
        (_("三、需求评估"), ["needs", "needs_other"]),
        (_("四、服务时间"), ["service_start", "service_end"]),
        (_("五、服务内容"), ["service_points"]),
        (_("六、服务结果"), ["result"]),
        (_("七、跟进建议"), ["follow_up"]),
    ],
    "medical": [
        (_("求助者信息"), ["client_name", "client_sex", "client_age", "client_education", "client_marital",
                      "physical_condition", "other_history", "past_illness", "medication", "treatment",
                      "treatment_count", "emergency_contact_name", "emergency_contact_phone"]),
        (_("在线服务内容"), ["online_service"]),
        (_("专业建议"), ["professional_advice"]),
        (_("服务结果"), ["result"]),
        (_("服务时间"), ["service_start", "service_end"]),
    ],
    "psychological": [
        (_("一般资料"), ["client_name", "client_sex", "client_age", "client_education", "physical_condition",
                     "client_marital", "other_history", "consult_count", "medication", "treatment",
                     "emergency_contact_name", "emergency_contact_phone"]),
        (_("心理咨询师观察"), ["observation"]),
        (_("心理咨询师在线咨询过程"), ["counselling_process"]),
        (_("目标方案"), ["goal_plan"]),
        (_("是否预约下次咨询时间"), ["next_appointment", "next_appointment_at"]),
        (_("服务时间"), ["service_start", "service_end"]),
    ],
}
LABELS = {
    "psychological": {"client_name": _("咨询者姓名"), "physical_condition": _("躯体状态"),
                      "medication": _("服用药物"), "treatment": _("疗法")},
    "medical": {"client_name": _("求助者姓名")},
    "social_work": {"client_name": _("服务对象姓名")},
}
FIELDS = {
    "client_education": lambda: _char(_("学历"), 20),
    "client_marital": lambda: _char(_("婚姻状况"), 20),
    "emergency_contact_name": lambda: _char(_("紧急联系人")),
    "emergency_contact_phone": lambda: _char(_("紧急联系人电话"), 32),
    "consult_kind": lambda: forms.ChoiceField(label=_("咨询类别"), required=False, widget=forms.RadioSelect,
                                              choices=ConsultKind.choices),
    "service_staff": lambda: _text(_("服务人员及联系方式"), 2),
    "chat_record": lambda: _text(_("微信群服务记录"), 6),
    "demand_emotion": lambda: _text(_("1.情绪"), 2),
    "demand_medical": lambda: _text(_("2.医疗"), 2),
    "demand_psychological": lambda: _text(_("3.心理"), 2),
    "demand_other": lambda: _text(_("4.其他"), 2),
    "needs": lambda: forms.MultipleChoiceField(label=_("需求评估"), required=False,
                                               widget=forms.CheckboxSelectMultiple,
                                               choices=[(label, list(needs.items()))
                                                        for label, needs in NEED_DOMAINS.values()]),
    "needs_other": lambda: _text(_("“其他”需求说明"), 2),
    "result": lambda: _text(_("服务结果")),
    "follow_up": lambda: _text(_("跟进建议")),
    "service_start": lambda: _dt(_("服务开始时间（起）")),
    "service_end": lambda: _dt(_("服务结束时间（止）")),
    "physical_condition": lambda: _text(_("身体状况"), 2),
    "other_history": lambda: _text(_("有无其他病史"), 2),
    "past_illness": lambda: _text(_("曾患病信息"), 2),
    "medication": lambda: _text(_("曾服用药物"), 2),
    "treatment": lambda: _text(_("曾治疗方法"), 2),
    "treatment_count": lambda: _char(_("曾治疗次数"), 20),
    "online_service": lambda: _text(_("在线服务内容"), 4),
    "professional_advice": lambda: _text(_("专业建议"), 4),
    "consult_count": lambda: forms.IntegerField(label=_("咨询次数"), required=False, min_value=1, max_value=999),
    "observation": lambda: _text(_("心理咨询师观察"), 4),
    "counselling_process": lambda: _text(_("心理咨询师在线咨询过程"), 5),
    "goal_plan": lambda: _text(_("目标方案"), 3),
    "next_appointment": lambda: forms.ChoiceField(label=_("是否预约下次咨询时间"), required=False,
                                                  widget=forms.RadioSelect, choices=YES_NO[1:]),
    "next_appointment_at": lambda: _dt(_("下次咨询时间")),
}


class RecordForm(forms.Form):
    """The fields of one tool; repeated points (咨询内容 Q&A, 服务内容) are numbered rows, two spare ones."""

    def __init__(self, *args, kind: str, points: int = 0, service_points: int = 0,
                 masked: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        # Phones and the address are shown masked; sent back unchanged they mean "keep what is stored".
        self.masked = {k: v for k, v in (masked or {}).items() if v}
        labels = LABELS.get(kind, {})
        self.point_rows = []
        self.service_rows = []
        for _heading, names in SECTIONS[kind]:
            for name in names:
                if name == "consultation_points":
                    for i in range(max(points + 2, 3)):
                        self.fields[f"q_{i}"] = _text(_("第%(n)d条 服务对象疑问") % {"n": i + 1}, 2)
                        self.fields[f"a_{i}"] = _text(_("服务人员解答"), 2)
                        self.point_rows.append((f"q_{i}", f"a_{i}"))
                    continue
                if name == "service_points":
                    for i in range(max(service_points + 2, 3)):
                        self.fields[f"p_{i}"] = _text(f"{i + 1}.", 2)
                        self.service_rows.append(f"p_{i}")
                    continue
                factory = CLIENT.get(name) or FIELDS[name]
                self.fields[name] = factory()
                if name in labels:
                    self.fields[name].label = labels[name]
                if kind == "social_work" and name in ("result", "follow_up"):
                    self.fields[name].help_text = _("这一栏会进入每日汇总表和工作交接，群秘书和值班志愿者可见，"
                                                    "请勿写入病情和心理细节。")

    def sections(self):
        """[(heading, [bound fields or ("points", rows)])] for the template, in the paper form's order."""
        found = []
        for heading, names in SECTIONS[self.kind]:
            items = []
            for name in names:
                if name == "consultation_points":
                    items.append(("points", [(self[q], self[a]) for q, a in self.point_rows]))
                elif name == "service_points":
                    items.append(("service_points", [self[p] for p in self.service_rows]))
                else:
                    items.append(("field", self[name]))
            found.append((heading, items))
        return found

    def service_data(self) -> dict:
        data = {}
        for name, value in self.cleaned_data.items():
            if name.startswith(("q_", "a_", "p_")):
                continue
            if name == "next_appointment":
                value = {"yes": True, "no": False}.get(value)
            if name in self.masked and value == self.masked[name]:
                continue
            data[name] = value
        if self.point_rows:
            data["consultation_points"] = [{"q": self.cleaned_data.get(q, ""), "a": self.cleaned_data.get(a, "")}
                                           for q, a in self.point_rows]
        if self.service_rows:
            data["service_points"] = [self.cleaned_data.get(p, "") for p in self.service_rows]
        return data


MASKABLE = ("client_phone", "client_address", "emergency_contact_phone")


def masked_values(values: dict) -> dict[str, str]:
    """The on-screen (masked) form of the phones and the address in `values`."""
    from sanshe.core.pii import mask_address, mask_phone

    return {name: (mask_address if name == "client_address" else mask_phone)(values.get(name) or "")
            for name in MASKABLE}


def record_initial(record) -> dict:
    """A form's initial values from a saved record (phones and address masked, see RecordForm)."""
    from .services import RECORD_FIELDS

    initial = {name: getattr(record, name) for name in RECORD_FIELDS
               if name not in ("consultation_points", "service_points")}
    initial.update({k: v for k, v in masked_values(initial).items() if v})
    initial["next_appointment"] = {True: "yes", False: "no"}.get(record.next_appointment, "")
    for i, point in enumerate(record.points):
        initial[f"q_{i}"] = point.get("q", "")
        initial[f"a_{i}"] = point.get("a", "")
    for i, point in enumerate(record.service_point_list):
        initial[f"p_{i}"] = point
    return initial


class ReferralOutForm(forms.Form):
    kind = forms.ChoiceField(label=_("转介去向"), choices=ReferralOutKind.choices, widget=forms.RadioSelect)
    institution = forms.CharField(label=_("接收机构名称"), max_length=100, required=False)
    contact = forms.CharField(label=_("机构联系人及电话"), max_length=100, required=False)
    reason = forms.CharField(label=_("转介原因"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}))
    note = forms.CharField(label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReferralOutAdvanceForm(forms.Form):
    status = forms.ChoiceField(label=_("更新状态"), choices=[(s.value, s.label) for s in ReferralOutStatus
                                                           if s != ReferralOutStatus.SENT])
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SummaryRowForm(forms.Form):
    """Only the columns of the editor's domains are added (see summary.editable_fields)."""

    def __init__(self, *args, fields: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        from .summary import COLUMNS

        labels = {c.field: c.label for c in COLUMNS}
        for name in fields:
            if name == "confirmed":
                self.fields[name] = forms.ChoiceField(label=labels[name], required=False,
                                                      choices=[("", _("未知")), ("yes", _("是")), ("no", _("否"))])
            else:
                self.fields[name] = _text(labels[name], 3)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if "confirmed" in data:
            data["confirmed"] = {"yes": True, "no": False}.get(data["confirmed"])
        return data
