"""Forms for the group pages: they parse and show errors; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .config import MAX_INVITE_DAYS, MAX_SLOW_MODE_SECONDS, GroupSettings
from .models import DEFAULT_CAPACITY, DutyKind, GroupTier, MemberRole, RuleCategory


class GroupCreateForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=None, empty_label=None)
    compound = forms.ModelChoiceField(label=_("小区"), queryset=None, required=False, empty_label=_("请选择小区"))
    building = forms.ModelChoiceField(label=_("楼栋（可选，按楼栋建群时选择）"), queryset=None, required=False,
                                      empty_label=_("整个小区"))
    name = forms.CharField(label=_("群名称"), max_length=60)
    capacity = forms.IntegerField(label=_("人数上限"), min_value=2, max_value=2000, initial=DEFAULT_CAPACITY,
                                  help_text=_("满员后，邀请链接会自动开一个设置相同的分群。"))

    def __init__(self, *args, tier: int, communities, compounds, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier = tier
        self.fields["community"].queryset = communities
        self.fields["compound"].queryset = compounds
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = lambda b: f"{b.compound.name} {b.name}"
        if tier != GroupTier.RESIDENT:
            del self.fields["compound"]
            del self.fields["building"]
        else:
            self.fields["compound"].required = True
            self.fields["compound"].error_messages["required"] = _("小区居民群须选择小区。")


class GroupSettingsForm(forms.Form):
    name = forms.CharField(label=_("群名称"), max_length=60)
    capacity = forms.IntegerField(label=_("人数上限"), min_value=2, max_value=2000)
    slow_mode_seconds = forms.IntegerField(label=_("慢速模式（秒，0 为关闭）"), min_value=0,
                                           max_value=MAX_SLOW_MODE_SECONDS,
                                           help_text=_("开启后居民/服务对象每隔这么多秒才能发一条；工作人员不受限。"))
    join_requires_approval = forms.BooleanField(label=_("入群需群管理员审核"), required=False)
    invite_days = forms.IntegerField(label=_("邀请链接默认有效天数"), min_value=1, max_value=MAX_INVITE_DAYS)
    nickname_member = forms.CharField(label=_("居民/服务对象昵称规范"), required=False, max_length=40,
                                      help_text=_("如：楼栋-房号-称呼；留空为不限。咨询群建议留空，避免暴露住址。"))
    nickname_staff = forms.CharField(label=_("工作人员昵称规范"), required=False, max_length=40,
                                     help_text=_("如：角色-姓名"))

    def settings(self) -> GroupSettings:
        data = self.cleaned_data
        return GroupSettings(
            slow_mode_seconds=data["slow_mode_seconds"], join_requires_approval=data["join_requires_approval"],
            invite_days=data["invite_days"], nickname_member=data["nickname_member"].strip(),
            nickname_staff=data["nickname_staff"].strip(),
        )


class AnnouncementForm(forms.Form):
    announcement = forms.CharField(label=_("群公告"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text=_("置顶显示在聊天页顶部；清空即撤下公告。"))


class InviteForm(forms.Form):
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=MAX_INVITE_DAYS)
    max_uses = forms.IntegerField(label=_("最多使用次数（留空不限）"), min_value=1, required=False)
    requires_approval = forms.BooleanField(label=_("入群需审核"), required=False)


class JoinForm(forms.Form):
    title = forms.CharField(label=_("您的称呼"), max_length=10, required=False,
                            help_text=_("如：王阿姨、张先生。群昵称会按群规范自动生成。"))


class DutyForm(forms.Form):
    user = forms.ModelChoiceField(label=_("值班人员"), queryset=None, empty_label=_("请选择"))
    kind = forms.ChoiceField(label=_("值班类别"), choices=DutyKind.choices)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                                format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                              format="%Y-%m-%dT%H:%M"))

    def __init__(self, *args, staff_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_users
        self.fields["user"].label_from_instance = lambda u: u.display_name or u.username
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["starts_at"].initial = now
        self.fields["ends_at"].initial = now + timezone.timedelta(hours=4)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class MemberAddForm(forms.Form):
    user = forms.ModelChoiceField(label=_("成员"), queryset=None, empty_label=_("请选择"))
    role = forms.ChoiceField(label=_("群内身份"), choices=[c for c in MemberRole.choices if c[0] != MemberRole.ADMIN])
    nickname = forms.CharField(label=_("群昵称（留空按规范自动生成）"), max_length=40, required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name or u.username}（{u.username}）"


class NicknameForm(forms.Form):
    nickname = forms.CharField(label=_("我的群昵称"), max_length=40)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300, required=False)


class MuteForm(forms.Form):
    minutes = forms.IntegerField(label=_("禁言时长（分钟）"), min_value=1, max_value=60 * 24 * 30, initial=60)
    reason = forms.CharField(label=_("理由"), max_length=300, required=False)


class RuleListForm(forms.Form):
    category = forms.ChoiceField(choices=RuleCategory.choices, widget=forms.HiddenInput)
    terms = forms.CharField(label=_("关键词（每行一个，* 表示中间可隔几个字）"), required=False,
                            widget=forms.Textarea(attrs={"rows": 8}))
    is_active = forms.BooleanField(label=_("启用"), required=False)


class PolicyForm(forms.Form):
    mute_after_warnings = forms.IntegerField(label=_("警告几次后自动禁言"), min_value=1, max_value=20)
    mute_minutes = forms.IntegerField(label=_("自动禁言时长（分钟）"), min_value=1, max_value=60 * 24 * 30)
    remove_after_warnings = forms.IntegerField(label=_("警告几次后移出群"), min_value=1, max_value=20)
    blacklist_after_removals = forms.IntegerField(label=_("被移出几次后列入机构黑名单"), min_value=1, max_value=20)
    report_threshold = forms.IntegerField(label=_("几位成员举报后暂扣待审"), min_value=1, max_value=20)
    probation_minutes = forms.IntegerField(label=_("新成员观察期（分钟，期间链接与转发需审核）"), min_value=0,
                                           max_value=60 * 24 * 7)
    approved_domains = forms.CharField(label=_("认可的信息来源（域名，每行一个）"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 4}),
                                       help_text=_("政府、卫健委、世卫组织与辟谣平台已默认认可。"))


class RecordForm(forms.Form):
    message_ids = forms.CharField(widget=forms.HiddenInput)
    consult_kind = forms.ChoiceField(label=_("咨询类别"), required=False,
                                     choices=[("", _("请选择")), ("medical", _("医疗")), ("psychological", _("心理")),
                                              ("other", _("其他"))])
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_message_ids(self) -> list[int]:
        raw = self.cleaned_data["message_ids"]
        ids = [int(x) for x in raw.replace(" ", "").split(",") if x.isdigit()]
        if not ids:
            raise forms.ValidationError(_("请先选择要记录的消息。"))
        return ids


class AckForm(forms.Form):
    note = forms.CharField(label=_("处理说明（可选）"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class MissedMarkForm(forms.Form):
    note = forms.CharField(label=_("备注（可选）"), max_length=300, required=False, widget=forms.Textarea(attrs={
        "rows": 3, "placeholder": _("例如：说了要去楼顶，是在告别")}))


class FeedbackExportForm(forms.Form):
    """Which month to export and the written reason (the file holds chat text)."""

    month = forms.ChoiceField(label=_("时段"), required=False)
    reason = forms.CharField(label=_("导出事由"), max_length=200, required=False, widget=forms.TextInput(attrs={
        "placeholder": _("例如：交检测规则维护人员评估漏报"), "autocomplete": "off"}))

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [("", _("全部月份"))] + [(m.strftime("%Y-%m"), m.strftime("%Y-%m"))
                                                              for m in months]
