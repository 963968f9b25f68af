"""Chinese labels of the audit actions the cases feature writes (for activity lists that show them)."""

from django.utils.translation import gettext_lazy as _

from sanshe.core.features import AuditObjectName
from sanshe.core.pii import mask_name

AUDIT_ACTION_LABELS = {
    "referral.create": _("转介社工"),
    "referral.take": _("接收转介"),
    "referral.close": _("结束转介"),
    "referral.auto_skipped": _("风险预警未能自动转介（无人员信息）"),
    "help_request.create": _("居民求助"),
    "help_request.attach": _("居民追加求助（并入进行中的求助）"),
    "case.open": _("接案"),
    "case.intake": _("信息采集"),
    "case.status": _("更改个案状态"),
    "case.followup_add": _("添加个案跟进"),
    "case.followup_done": _("完成个案跟进"),
    "case.followup_remind": _("提醒超时跟进"),
    "case.transfer": _("转移个案"),
    "case.assign": _("指派个案分工"),
    "case.assign_end": _("结束个案分工"),
    "case.export": _("导出个案跟进表"),
    "case.print_contacts": _("打印个案跟进表（含完整联系电话）"),
}

# How the audit log names a case (its number: a bare reference, shown even to an admin who cannot open the
# case) and a referral (the person's masked name, only to those who may see the referral).
AUDIT_OBJECT_NAMES = {
    "cases.case": AuditObjectName(lambda case: case.number, scoped=False),
    "cases.referral": AuditObjectName(lambda referral: mask_name(referral.person.name), related=("person",)),
}
