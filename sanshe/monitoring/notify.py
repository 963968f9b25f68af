"""Who is told about a person under follow-up, and what the SMS and real-time messages say.

Everything leaves through the notify layer (sanshe.core.notify): SMS and in-app notices are written to its
outbox in the caller's transaction; the live alert feed is pushed after commit through its one fan-out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.accounts.responsible import community_workers_for
from sanshe.accounts.roles import Role
from sanshe.core.notify import fanout
from sanshe.core.notify.models import Channel
from sanshe.core.notify.services import masked_name, notify_sms
from sanshe.rules.redflags import Level

logger = logging.getLogger(__name__)


def community_group(community_id: int) -> str:
    return fanout.channel_name("alerts-community", community_id)


def building_group(building_id: int) -> str:
    return fanout.channel_name("alerts-building", building_id)


# The community workers a follow-up falls to: asked of the one resolver (sanshe.accounts.responsible).
responsible_workers = community_workers_for


def community_social_workers(community_id: int) -> set[int]:
    """The medical alert chain's tier 1: the community's active social workers."""
    from sanshe.accounts.responsible import holder_ids

    return holder_ids(roles=[Role.SOCIAL_WORKER], community_id=community_id)


def community_org_admins(community_id: int) -> set[int]:
    """The medical alert chain's tier 2: the admins of the organisations serving the community."""
    from sanshe.accounts.responsible import org_admin_ids

    return org_admin_ids(community_id=community_id)


def send_sms(phone: str | None, message: str, *, kind: str = "monitoring.sms", critical: bool = False) -> bool:
    """Queue one SMS to a phone number in the notify layer's outbox (sent after commit)."""
    return notify_sms(phone=phone, text=message, kind=kind, critical=critical) is not None


def alert_payload(alert) -> dict:
    """What a worker's screen shows the moment an alert arrives (staff in scope only)."""
    from .selectors import alert_title

    household = alert.person.household
    return {
        "type": "alert",
        "id": alert.pk,
        "level": alert.level,
        "level_code": Level(alert.level).code,
        "level_label": Level(alert.level).label,
        "kind": alert.kind,
        "title": alert_title(alert),
        "person": alert.person.name,
        "place": f"{alert.building.name}-{household.unit.name}-{household.room}" if household else alert.building.name,
        "at": timezone.localtime(alert.last_raised_at).strftime("%H:%M"),
        "community_id": alert.community_id,
        "building_id": alert.building_id,
    }


def alert_broadcast(alert_id: int) -> None:
    """Push a raised (or escalated) alert to the live alert feeds of its community and building (after commit;
    a push that is lost is caught up when the feed reconnects)."""
    from .models import Alert

    alert = (Alert.objects.select_related("person__household__unit", "building")
             .filter(pk=alert_id).first())
    if alert is None:
        return
    message = {"type": "alert.message", "alert": alert_payload(alert)}
    for group in (community_group(alert.community_id), building_group(alert.building_id)):
        fanout.push(group, message)


def alert_sms_text(alert) -> str:
    from .selectors import alert_title

    household = alert.person.household
    place = f"{alert.building.name}-{household.unit.name}-{household.room}" if household else alert.building.name
    return _("【三社】%(level)s预警：%(place)s %(name)s，%(title)s。请立即打开“预警”处理。") % {
        "level": Level(alert.level).label, "place": place, "name": masked_name(alert.person.name),
        "title": alert_title(alert)}


def alert_tell(alert, user_ids: Iterable[int], *, reminder: bool = False) -> None:
    """Tell workers about an urgent or emergency alert: SMS (and WeCom) and an in-app notice, through the
    notify layer's outbox; an emergency is critical (no quiet hours)."""
    from sanshe.core.notify.services import notify_send

    text = alert_sms_text(alert)
    if reminder:
        text = _("【三社】仍无人接手！") + text.removeprefix("【三社】")
    notify_send(recipients=sorted(set(user_ids)), kind="monitoring.alert_reminder" if reminder else "monitoring.alert",
                title=text.removeprefix("【三社】"), url=reverse("monitoring:alert_detail", args=[alert.pk]),
                sms_text=text, data={"kind": "monitoring.alert", "alert_id": alert.pk, "level": alert.level,
                                     "text": text.removeprefix("【三社】"),
                                     "href": reverse("monitoring:alert_detail", args=[alert.pk])},
                channels=(Channel.INAPP, Channel.SMS, Channel.WECOM), critical=alert.level >= Level.EMERGENCY,
                community_id=alert.community_id)


def alert_first_tier(alert) -> list[int]:
    """Tier 0 of the medical chain: the assigned worker first, then the other responsible workers."""
    workers = [w.pk for w in responsible_workers(community_id=alert.community_id, building_id=alert.building_id)]
    if alert.assigned_to_id and alert.assigned_to_id not in workers:
        workers.insert(0, alert.assigned_to_id)
    return workers


def person_reminder_text(slot_label: str) -> str:
    return _("【三社】您今天%(slot)s的健康打卡还没有完成，请尽快打开社区发给您的打卡链接（或登录三社）报告体温和症状。"
             "如有呼吸困难等紧急情况请立即拨打120。") % {"slot": slot_label}


def worker_reminder_text(*, place: str, count: int, slot_label: str) -> str:
    return _("【三社】您负责的%(place)s有%(n)s人未完成今天%(slot)s的健康打卡，已短信提醒本人。请打开“今日随访”电话联系。") % {
        "place": place, "n": count, "slot": slot_label}


def send_many(messages: Iterable[tuple[str | None, str]], *, kind: str = "monitoring.sms") -> int:
    """Queue several SMS (phone, text) in the outbox; returns how many were queued."""
    return sum(send_sms(phone, text, kind=kind) for phone, text in messages)
