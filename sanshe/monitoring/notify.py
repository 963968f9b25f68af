"""Who is told about a person under follow-up, and what the SMS and real-time messages say.

Called from `transaction.on_commit` (never before the data is committed) or from huey tasks.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.accounts.models import User
from sanshe.accounts.roles import Role, WorkerKind
from sanshe.accounts.sms import get_sms_backend
from sanshe.core.pii import mask_name
from sanshe.core.realtime import server_loop

from .redflags import Level

logger = logging.getLogger(__name__)


def community_group(community_id: int) -> str:
    return f"monalerts.c{community_id}"


def building_group(building_id: int) -> str:
    return f"monalerts.b{building_id}"


def responsible_workers(*, community_id: int, building_id: int | None) -> list[User]:
    """The community workers a person's follow-up falls to: the building's stewards, else the community's
    own staff, else any community worker of the community (lowest id first, so the choice is stable)."""
    from sanshe.accounts.responsible import holder_ids

    for place in ({"building_id": building_id} if building_id is not None else None,
                  {"community_id": community_id, "worker_kind": WorkerKind.COMMUNITY_STAFF},
                  {"community_id": community_id}):
        ids = holder_ids(roles=[Role.COMMUNITY_WORKER], **place) if place else set()
        if ids:
            return list(User.objects.filter(pk__in=ids).order_by("pk"))
    return []


def masked_name(name: str) -> str:
    """张* / 欧阳** : enough for the person's own phone page and SMS, not enough to identify a stranger
    (the one rule of sanshe.core.pii.mask_name)."""
    return mask_name(name)


def send_sms(phone: str | None, message: str) -> bool:
    """Send one SMS through the configured backend; a gateway failure is logged, never raised into a job."""
    if not phone:
        return False
    try:
        get_sms_backend().send(phone, message)
    except Exception:  # a gateway error must not stop the other reminders (logged with its traceback)
        logger.exception("SMS sending failed")
        return False
    return True


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
    """Push a raised (or escalated) alert to the WebSocket groups of its community and building."""
    from .models import Alert

    alert = (Alert.objects.select_related("person__household__unit", "building")
             .filter(pk=alert_id).first())
    layer = get_channel_layer()
    if alert is None or layer is None:
        return
    message = {"type": "alert.message", "alert": alert_payload(alert)}
    groups = [community_group(alert.community_id), building_group(alert.building_id)]

    async def send() -> None:
        for group in groups:
            await layer.group_send(group, message)

    # The alert is committed already: a failed push must not turn the person's report into an error page
    # (the consumer's database poll, or the page's, still shows it).
    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            loop = server_loop()
            if loop is not None:  # a thread of the ASGI server process: its loop holds the in-memory layer
                asyncio.run_coroutine_threadsafe(send(), loop)
            else:
                async_to_sync(send)()
        else:
            # Called on a thread that runs an event loop (a test driving a browser): push from a helper thread.
            worker = threading.Thread(target=lambda: asyncio.run(send()))
            worker.start()
            worker.join()
    except Exception:
        logger.exception("alert %s could not be pushed to WebSocket clients", alert_id)


def alert_sms(alert_id: int) -> int:
    """Text the assigned worker (and the other responsible workers) about an urgent or emergency alert."""
    from .models import Alert
    from .selectors import alert_title

    alert = (Alert.objects.select_related("person__household__unit", "building", "assigned_to")
             .filter(pk=alert_id).first())
    if alert is None or alert.level < Level.URGENT or not alert.is_open:
        return 0
    household = alert.person.household
    place = f"{alert.building.name}-{household.unit.name}-{household.room}" if household else alert.building.name
    message = _("【三社】%(level)s预警：%(place)s %(name)s，%(title)s。请立即打开“预警”处理。") % {
        "level": Level(alert.level).label, "place": place, "name": masked_name(alert.person.name),
        "title": alert_title(alert)}
    workers = responsible_workers(community_id=alert.community_id, building_id=alert.building_id)
    if alert.assigned_to and alert.assigned_to not in workers:
        workers.insert(0, alert.assigned_to)
    return sum(send_sms(worker.phone, message) for worker in workers)


def person_reminder_text(slot_label: str) -> str:
    return _("【三社】您今天%(slot)s的健康打卡还没有完成，请尽快打开社区发给您的打卡链接（或登录三社）报告体温和症状。"
             "如有呼吸困难等紧急情况请立即拨打120。") % {"slot": slot_label}


def worker_reminder_text(*, place: str, count: int, slot_label: str) -> str:
    return _("【三社】您负责的%(place)s有%(n)s人未完成今天%(slot)s的健康打卡，已短信提醒本人。请打开“今日随访”电话联系。") % {
        "place": place, "n": count, "slot": slot_label}


def send_many(messages: Iterable[tuple[str | None, str]]) -> int:
    return sum(send_sms(phone, text) for phone, text in messages)
