"""Chinese labels of the audit actions the crisis feature writes (for activity lists that show them)."""

from django.utils.translation import gettext_lazy as _

from sanshe.core.features import AuditObjectName

AUDIT_ACTION_LABELS = {
    "crisis.open": _("启动危机处置"),
    "crisis.from_alert": _("从风险预警启动危机处置"),
    "crisis.acknowledge": _("确认危机处置"),
    "crisis.escalate": _("危机无人确认，升级通知"),
    "crisis.step": _("完成危机处置步骤"),
    "crisis.note": _("记录危机处置联系"),
    "crisis.close": _("结束危机处置"),
    "crisis.call": _("危机处置中拨打电话（显示号码）"),
}

# A crisis is named by its case's number (a bare reference, like the case's own name in cases/audit_labels.py).
AUDIT_OBJECT_NAMES = {
    "crisis.crisis": AuditObjectName(lambda crisis: crisis.case.number, related=("case",), scoped=False),
}
