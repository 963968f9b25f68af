"""Home-page (工作台) panels of monitoring, per role: a selector returning each partial's context.

Wiring (sanshe/home/views.py): include "monitoring/_home_<role>.html" with the dict the matching function returns.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import SEEN_STATUSES, FollowUpStatus
from .models import OPEN_ALERT_STATUSES, Alert, FollowUp
from .policies import can_monitor

# The audit actions this feature writes, for the audit log page's labels (core/selectors.py ACTION_LABELS).
AUDIT_ACTION_LABELS = {
    "quarantine.register": _("登记隔离观察"),
    "quarantine.extend": _("延长观察期"),
    "quarantine.shorten": _("缩短观察期"),
    "quarantine.cancelled": _("取消隔离观察"),
    "quarantine.hospital": _("隔离人员转医院"),
    "quarantine.lost": _("标记失访"),
    "quarantine.resume": _("恢复随访"),
    "quarantine.complete_due": _("观察期满自动解除"),
    "followup.deadline": _("随访逾期处理与提醒"),
    "followup.unreachable": _("标记联系不上"),
    "check_in.submit": _("健康打卡"),
    "check_in_link.issue": _("生成打卡链接"),
    "check_in_link.send": _("短信发送打卡链接"),
    "alert.raise": _("发出健康预警"),
    "alert.take": _("接手预警"),
    "alert.escalate": _("预警无人接手，升级通知"),
    "alert.resolve": _("处理预警"),
    "screening.start": _("开始排查"),
    "screening.record": _("记录排查结果"),
    "screening.close": _("结束排查"),
    "monitoring.profile_update": _("修改疫情配置"),
    "monitoring.demo_load": _("载入健康监测演示数据"),
    "monitoring.purge": _("到期删除健康数据"),
    "referral.create": _("转介社工"),
    "referral.take": _("接收转介"),
    "referral.close": _("结束转介"),
}


def home_staff(*, actor) -> dict:
    """Community and social workers: today's follow-up figures and open alerts in their reach."""
    if not can_monitor(actor, "monitoring.view"):
        return {"monitoring": None}
    today = timezone.localdate()
    figures = FollowUp.objects.for_actor(actor, "view").filter(date=today).aggregate(
        people=Count("person_id", distinct=True), due=Count("pk"),
        seen=Count("pk", filter=Q(status__in=SEEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=[FollowUpStatus.MISSED, FollowUpStatus.UNREACHABLE])))
    alerts = Alert.objects.for_actor(actor, "view").filter(status__in=OPEN_ALERT_STATUSES).aggregate(
        open=Count("pk"), urgent=Count("pk", filter=Q(level__gte=2)))
    return {"monitoring": {**figures, "alerts": alerts["open"], "urgent": alerts["urgent"], "day": today}}


def home_medical_volunteer(*, actor) -> dict:
    """Medical volunteers: the urgent and emergency alerts waiting in the communities they serve."""
    if not can_monitor(actor, "monitoring.alerts_medical"):
        return {"monitoring": None}
    alerts = Alert.objects.for_actor(actor, "view").filter(status__in=OPEN_ALERT_STATUSES).aggregate(
        open=Count("pk"), emergency=Count("pk", filter=Q(level=3)))
    return {"monitoring": alerts}


def home_resident(*, actor) -> dict:
    """Residents under follow-up: today's reports and the way to the check-in page."""
    from .services import profile_current, profile_slot_labels, resident_period

    period = resident_period(actor)
    if period is None:
        return {"monitoring": None}
    labels = profile_slot_labels(profile_current())
    todays = FollowUp.objects.filter(period=period, date=timezone.localdate()).order_by("slot")
    return {"monitoring": {"period": period, "slots": [(labels[f.slot] if f.slot < len(labels) else "", f)
                                                       for f in todays]}}
