"""Audit log labels of the monitoring feature not in home.py, and how the audit log names its objects."""

from django.utils.translation import gettext_lazy as _

from sanshe.core.features import AuditObjectName
from sanshe.core.pii import mask_name

AUDIT_ACTION_LABELS = {
    "alert.call": _("健康预警中拨打电话（显示号码）"),
}

# Named by the person's masked name: the audit log never shows a full name, number or address.
AUDIT_OBJECT_NAMES = {
    "monitoring.alert": AuditObjectName(lambda alert: mask_name(alert.person.name), related=("person",)),
    "monitoring.quarantineperiod": AuditObjectName(lambda period: mask_name(period.person.name),
                                                   related=("person",)),
}
