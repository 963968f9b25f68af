"""Audit action labels of the notify layer (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

AUDIT_ACTION_LABELS = {
    "notify.preference": _("修改通知设置"),
}
