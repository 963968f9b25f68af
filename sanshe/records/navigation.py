"""Where service records appear in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.features import HomePanel, NavEntry

from .home import home_records
from .policies import can_records, can_refer_out

NAV = [
    NavEntry(_("服务记录"), "records:record_list", allowed=lambda user, scope: can_records(user),
             primary={Role.GENERAL_VOLUNTEER: 2, Role.MEDICAL_VOLUNTEER: 3, Role.COUNSELLOR: 3}),
    NavEntry(_("每日汇总"), "records:summary_index", allowed=lambda user, scope: can_records(user),
             primary={Role.GENERAL_VOLUNTEER: 3}),
    NavEntry(_("服务转介"), "records:referral_out_list", allowed=lambda user, scope: can_refer_out(user)),
]

HOME_PANELS = [
    # The secretary's queue of "record this" and the day's summary (六(三)7); social workers see their groups'.
    HomePanel("records/_home_records.html", frozenset({Role.GENERAL_VOLUNTEER, Role.SOCIAL_WORKER}),
              lambda user: home_records(actor=user), order=30),
]

AUDIT_ACTION_LABELS = {
    "records.record.create": _("新建服务记录"),
    "records.record.from_request": _("由待记录咨询生成咨询记录"),
    "records.record.images": _("为服务记录添加截图"),
    "records.record.read": _("查看他人的医疗/心理服务记录"),
    "records.record.submit": _("提交服务记录"),
    "records.record.update": _("修改服务记录草稿"),
    "records.record.export": _("导出服务记录"),
    "records.request.dismiss": _("忽略待记录咨询"),
    "records.summary.compile": _("汇总每日工作记录"),
    "records.summary.edit": _("修改每日汇总表"),
    "records.summary.finalise": _("定稿每日汇总表"),
    "records.summary.export": _("导出每日汇总表"),
    "records.referral_out.send": _("发出服务转介"),
    "records.referral_out.confirmed": _("服务转介：对方确认接收"),
    "records.referral_out.done": _("服务转介：已完成"),
    "records.referral_out.declined": _("服务转介：对方未接收"),
}
