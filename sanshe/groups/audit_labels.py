"""Chinese labels of the audit actions the groups feature writes, and how the audit log names its objects."""

from django.utils.translation import gettext_lazy as _

from sanshe.core.features import AuditObjectName

AUDIT_ACTION_LABELS = {
    "groups.announcement.set": _("设置群公告"),
    "groups.duty.set": _("安排群值班"),
    "groups.duty.cancel": _("取消群值班"),
    "groups.group.create": _("新建线上群"),
    "groups.group.update": _("修改群设置"),
    "groups.group.overflow": _("群已满员，自动开设分群"),
    "groups.invite.create": _("生成入群邀请"),
    "groups.invite.accept": _("接受入群邀请"),
    "groups.invite.revoke": _("撤销入群邀请"),
    "groups.member.add": _("拉人入群"),
    "groups.member.approve": _("审批入群申请"),
    "groups.member.leave": _("退出群"),
    "groups.member.move": _("调整所在群"),
    "groups.member.mute": _("禁言群成员"),
    "groups.member.unmute": _("解除禁言"),
    "groups.member.remove": _("移出群成员"),
    "groups.member.rename": _("修改群昵称"),
    "groups.member.warn": _("提醒群成员遵守群规"),
    "groups.message.held": _("消息待审核（自动拦截）"),
    "groups.message.approve": _("放行待审核消息"),
    "groups.message.debunk": _("驳回谣言并在群里发送辟谣"),
    "groups.message.delete": _("删除群消息"),
    "groups.message.report": _("举报群消息"),
    "groups.policy.save": _("保存群管理规则"),
    "groups.rules.save": _("保存敏感词规则"),
    "groups.record_request.create": _("申请调取聊天记录"),
    "groups.risk_alert.raise": _("聊天风险预警"),
    "groups.risk_alert.raise_level": _("结合此前消息，聊天风险预警升级"),
    "groups.risk_alert.acknowledge": _("确认聊天风险预警"),
    "groups.risk_alert.handover": _("转交聊天风险预警"),
    "groups.risk_alert.escalate": _("聊天风险预警无人确认，升级通知"),
    "groups.risk_alert.close": _("结束聊天风险预警"),
    "groups.risk_feedback.verdict": _("标注风险预警（确有风险 / 误报）"),
    "groups.risk_feedback.missed": _("标注消息“应当预警”"),
    "groups.risk_feedback.export": _("导出预警标注（含聊天原文）"),
    "groups.thread.open": _("发起私聊"),
    "groups.thread.arrange": _("安排值班咨询师私聊"),
    "groups.thread.read": _("群管理员查看私聊记录"),
}

# A group is named by its name (staff-facing; the audit log is staff-only); the rest by their group.
AUDIT_OBJECT_NAMES = {
    "groups.group": AuditObjectName(lambda group: group.name),
    "groups.groupmember": AuditObjectName(lambda member: member.group.name, related=("group",)),
    "groups.riskalert": AuditObjectName(lambda alert: alert.group.name, related=("group",)),
    "groups.message": AuditObjectName(lambda message: message.group.name, related=("group",)),
}
