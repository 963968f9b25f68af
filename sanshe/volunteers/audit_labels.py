"""Chinese labels of the audit actions the volunteers feature writes (audit log page)."""

from django.utils.translation import gettext_lazy as _

AUDIT_ACTION_LABELS = {
    "volunteer.application_reveal": _("查看志愿者申请的完整证件号/电话/微信"),
    "volunteer.application_purge": _("到期删除未通过的志愿者申请"),
    "volunteer.recruitment_create": _("新建志愿者招募"),
    "volunteer.recruitment_open": _("开放志愿者招募"),
    "volunteer.phone_code": _("志愿者报名：获取手机验证码"),
    "volunteer.phone_verify": _("志愿者报名：验证手机号"),
    "volunteer.apply": _("提交志愿者申请"),
    "volunteer.add_documents": _("志愿者补交材料"),
    "volunteer.request_more": _("请申请人补充材料"),
    "volunteer.approve": _("通过志愿者申请"),
    "volunteer.reject": _("未通过志愿者申请"),
    "volunteer.certificate_check": _("核验志愿者资质证书"),
    "volunteer.account_activate": _("开通志愿者账号"),
    "volunteer.account_link": _("志愿者申请关联已有账号"),
    "volunteer.agreement_publish": _("发布志愿者协议"),
    "volunteer.agreement_sign": _("签署志愿者协议"),
    "volunteer.training_save": _("保存培训内容"),
    "volunteer.training_complete": _("完成志愿者培训"),
    "volunteer.training_quiz_failed": _("培训测验未通过"),
}
