"""Where assessments appear in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.features import HomePanel

from .home import home_assessments

HOME_PANELS = [
    HomePanel("assessments/_home_social_worker.html", frozenset({Role.SOCIAL_WORKER}),
              lambda user: home_assessments(actor=user), order=3),
]

AUDIT_ACTION_LABELS = {
    "assessment.give": _("填写量表评估"),
    "assessment.read": _("查看他人所做量表的作答"),
    "assessment.link_send": _("发送量表自评链接"),
    "assessment.link_cancel": _("作废量表自评链接"),
    "assessment.self_submit": _("服务对象提交自评"),
    "triage.run": _("运行分流"),
    "triage.accept": _("采纳分流建议"),
    "triage.override": _("调整分流（附理由）"),
    "placement.create": _("安排入群"),
}
