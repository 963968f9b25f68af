"""Writes of the notify layer: the outbox (`notify_send`, `notify_sms`, `notify_robot`), delivery attempts with
retries and the per-phone rate limit, read marks, and preferences.

The outbox rows are written in the caller's transaction; nothing leaves the process before it commits. After
commit the in-app push goes out at once (sanshe.core.notify.fanout) and the other channels are handed to the
task queue (`deliver_task`), which calls `delivery_attempt`; a failed attempt is retried by the periodic
`deliveries_retry_task` until NOTIFY_MAX_ATTEMPTS, then the delivery is marked failed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.pii import blind_index, mask_name

from . import fanout
from .models import Channel, Delivery, DeliveryStatus, Notification, NotificationPreference

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_SMS_RATE = (20, 600)  # at most 20 non-critical texts per phone in 10 minutes
RETRY_BASE_SECONDS = 60
# While one worker sends a delivery, no other picks it up for this long.
LEASE_SECONDS = 120
EXTERNAL = (Channel.SMS, Channel.WECOM, Channel.WECOM_ROBOT)


def masked_name(name: str | None) -> str:
    """张* / 欧阳** : what an SMS or a WeCom message may say about a person (sanshe.core.pii.mask_name)."""
    return mask_name(name)


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def sms_rate() -> tuple[int, int]:
    count, seconds = getattr(settings, "NOTIFY_SMS_RATE", DEFAULT_SMS_RATE)
    return int(count), int(seconds)


def in_quiet_hours(start: time | None, end: time | None, at: datetime) -> bool:
    """Whether local time `at` falls in [start, end) (a span may cross midnight)."""
    if start is None or end is None or start == end:
        return False
    now = timezone.localtime(at).time()
    return start <= now < end if start < end else (now >= start or now < end)


def _preferences(user_ids: set[int]) -> dict[int, NotificationPreference]:
    return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids)}


def _wecom_ready() -> bool:
    from .wecom import app_from_settings

    return app_from_settings() is not None


def _delivery(notification: Notification, channel: str, address: str, now: datetime, *,
              skipped: str = "") -> Delivery:
    status = DeliveryStatus.SKIPPED if skipped else (
        DeliveryStatus.SENT if channel == Channel.INAPP else DeliveryStatus.QUEUED)
    return Delivery(notification=notification, channel=channel, address=address,
                    address_index=(blind_index("phone", address) or "") if channel == Channel.SMS else "",
                    status=status, error=skipped, sent_at=now if status == DeliveryStatus.SENT else None,
                    created_at=now, updated_at=now)


def _after_commit(pushes: list[tuple[int, dict]], delivery_ids: list[int]) -> None:
    def run() -> None:
        for user_id, data in pushes:
            fanout.push(fanout.user_channel(user_id), {"type": fanout.USER_PUSH, "data": data})
        if delivery_ids:
            from .tasks import deliver_task

            try:
                deliver_task(delivery_ids)
            except Exception:  # the queue is down: the periodic retry picks the deliveries up
                logger.exception("could not enqueue %s deliveries", len(delivery_ids))

    if pushes or delivery_ids:
        transaction.on_commit(run)


def notify_send(*, recipients: Iterable, kind: str, title: str, body: str = "", url: str = "",
                sms_text: str = "", data: dict | None = None, channels: Iterable[str] = (Channel.INAPP,),
                critical: bool = False, organisation_id: int | None = None, community_id: int | None = None,
                once_key: str = "", quiet_push: bool = False, now: datetime | None = None) -> list[Notification]:
    """Notify users (objects or ids) inside the caller's transaction; delivery starts after commit.

    In-app: a row in the recipient's notification list and a push (`data`, or a toast of `title` and `url`) to
    their open pages. SMS (`sms_text`, to the account's phone) and WeCom (to their WeCom id, when the deployment
    has a WeCom application) follow the person's preferences and quiet hours — except `critical` ones (crisis,
    imminent risk, emergency alerts), which always go out. Inactive accounts get nothing.

    `once_key`: a recipient who already has a notification with this key gets no second one (a chat message's
    @mention, however often it is processed). `quiet_push`: in the recipient's quiet hours the in-app row is
    kept in their list but not pushed to their open pages (its delivery is logged as not sent).
    """
    now = now or timezone.now()
    channels = set(channels)
    ids = {getattr(r, "pk", r) for r in recipients if r}
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk")
    if once_key:
        users = users.exclude(pk__in=Notification.objects.filter(once_key=once_key).values("recipient_id"))
    users = list(users)
    preferences = _preferences({u.pk for u in users})
    wecom_ready = Channel.WECOM in channels and _wecom_ready()
    notifications: list[Notification] = []
    deliveries: list[Delivery] = []
    pushes: list[tuple[int, dict]] = []
    for user in users:
        preference = preferences.get(user.pk) or NotificationPreference(user=user)
        quiet = not critical and in_quiet_hours(preference.quiet_start, preference.quiet_end, now)
        notification = Notification(
            recipient=user, kind=kind, title=title[:200], body=body, url=url[:300], sms_text=sms_text,
            data=data or {}, critical=critical, organisation_id=organisation_id, community_id=community_id,
            once_key=once_key[:100], created_at=now)
        if once_key:
            try:
                with transaction.atomic():  # a concurrent send of the same key got there first: not twice
                    notification.save()
            except IntegrityError:
                continue
        else:
            notification.save()
        notifications.append(notification)
        if Channel.INAPP in channels:
            if quiet and quiet_push:
                deliveries.append(_delivery(notification, Channel.INAPP, "", now, skipped=_("免打扰时段")))
            else:
                deliveries.append(_delivery(notification, Channel.INAPP, "", now))
                # The feature's own data, plus what any page needs for a toast: the title, the link, whether
                # it is critical (notify/live.js shows every notification the same way).
                payload = {"kind": "notify", **(data or {})}
                payload.setdefault("text", title)
                payload.setdefault("href", url)
                pushes.append((user.pk, {**payload, "critical": critical, "notification_id": notification.pk}))
        if Channel.SMS in channels and sms_text and user.phone and (preference.sms or critical):
            deliveries.append(_delivery(notification, Channel.SMS, user.phone, now,
                                        skipped=_("免打扰时段") if quiet else ""))
        if wecom_ready and preference.wecom_userid and (preference.wecom or critical):
            deliveries.append(_delivery(notification, Channel.WECOM, preference.wecom_userid, now,
                                        skipped=_("免打扰时段") if quiet else ""))
    created = Delivery.objects.bulk_create(deliveries)
    _after_commit(pushes, [d.pk for d in created if d.status == DeliveryStatus.QUEUED])
    return notifications


def notify_sms(*, phone: str | None, text: str, kind: str, critical: bool = False,
               organisation_id: int | None = None, community_id: int | None = None,
               now: datetime | None = None) -> Notification | None:
    """Text a phone number that has no account behind it (a resident under follow-up, a check-in link)."""
    if not phone:
        return None
    now = now or timezone.now()
    notification = Notification.objects.create(kind=kind, title=text[:200], sms_text=text, critical=critical,
                                               organisation_id=organisation_id, community_id=community_id,
                                               created_at=now)
    delivery = _delivery(notification, Channel.SMS, phone, now)
    delivery.save()
    _after_commit([], [delivery.pk])
    return notification


def notify_robot(*, key: str, text: str, kind: str, markdown: bool = False, critical: bool = False,
                 organisation_id: int | None = None, community_id: int | None = None,
                 now: datetime | None = None) -> Notification:
    """Post to a WeCom group robot (its webhook key), e.g. a community staff group's duty robot."""
    now = now or timezone.now()
    notification = Notification.objects.create(kind=kind, title=text[:200], body=text, critical=critical,
                                               data={"markdown": markdown}, organisation_id=organisation_id,
                                               community_id=community_id, created_at=now)
    delivery = _delivery(notification, Channel.WECOM_ROBOT, key, now)
    delivery.save()
    _after_commit([], [delivery.pk])
    return notification


# ---------------------------------------------------------------------------------------------- delivery

def _send(delivery: Delivery) -> None:
    """Hand one delivery to its channel's backend; raises on failure."""
    notification = delivery.notification
    if delivery.channel == Channel.SMS:
        from .sms import get_sms_backend

        # The reference comes back in the gateway's status report (sms_status_report).
        get_sms_backend().send(delivery.address, notification.sms_text, reference=str(delivery.pk))
    elif delivery.channel == Channel.WECOM:
        from .wecom import WeComError, app_from_settings

        app = app_from_settings()
        if app is None:
            raise WeComError("WeCom application not configured")
        text = notification.sms_text or notification.title
        if notification.url and getattr(settings, "SITE_URL", "") and notification.url not in text:
            text = f"{text} {settings.SITE_URL}{notification.url}"
        app.send([delivery.address], text)
    elif delivery.channel == Channel.WECOM_ROBOT:
        from .wecom import robot_from_key

        robot_from_key(delivery.address).send(notification.body, markdown=bool(notification.data.get("markdown")))
    else:
        raise ValueError(f"channel {delivery.channel} is not sent by the queue")


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery for this worker (a conditional UPDATE: two workers never send the same one)."""
    return bool(Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), pk=delivery_id,
        status=DeliveryStatus.QUEUED).update(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS)))


def _rate_limited(delivery: Delivery, now: datetime) -> datetime | None:
    """When a non-critical text may go to this phone again, if the per-phone limit is reached now."""
    count, seconds = sms_rate()
    since = now - timedelta(seconds=seconds)
    recent = list(Delivery.objects.filter(channel=Channel.SMS, address_index=delivery.address_index,
                                          sent_at__gt=since).exclude(pk=delivery.pk)
                  .order_by("-sent_at").values_list("sent_at", flat=True)[:count])
    if len(recent) < count:
        return None
    return recent[-1] + timedelta(seconds=seconds)


def delivery_attempt(delivery_id: int, *, now: datetime | None = None) -> str:
    """Try one queued delivery now; returns its status afterwards. Never raises for a channel failure."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first() or ""
    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    if delivery.channel == Channel.SMS and not delivery.notification.critical:
        free_at = _rate_limited(delivery, now)
        if free_at is not None:
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=free_at, updated_at=now,
                                                           error=_("发送过于频繁，稍后发送"))
            return DeliveryStatus.QUEUED
    attempts = delivery.attempts + 1
    try:
        _send(delivery)
    except Exception as exc:  # any backend failure is recorded and retried; the traceback goes to the log
        logger.warning("delivery %s (%s) failed: %s", delivery.pk, delivery.channel, exc.__class__.__name__,
                       exc_info=True)
        failed = attempts >= max_attempts()
        Delivery.objects.filter(pk=delivery.pk).update(
            attempts=attempts, error=str(exc)[:300] or exc.__class__.__name__, updated_at=now,
            status=DeliveryStatus.FAILED if failed else DeliveryStatus.QUEUED,
            next_attempt_at=None if failed else now + timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (attempts - 1)))
        return DeliveryStatus.FAILED if failed else DeliveryStatus.QUEUED
    Delivery.objects.filter(pk=delivery.pk).update(attempts=attempts, status=DeliveryStatus.SENT, sent_at=now,
                                                   error="", next_attempt_at=None, updated_at=now)
    return DeliveryStatus.SENT


def deliveries_retry_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Attempt the queued deliveries whose time has come (retries, rate-limited texts, a lost enqueue)."""
    now = now or timezone.now()
    due = list(Delivery.objects.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
                                       status=DeliveryStatus.QUEUED, created_at__lte=now)
               .order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    return sum(delivery_attempt(pk, now=now) == DeliveryStatus.SENT for pk in due)


# ---------------------------------------------------------------------------------------------- reading

@transaction.atomic
def notification_mark_read(*, actor, notification_id: int, now: datetime | None = None) -> Notification:
    """The recipient opened the notification (404 for anyone else's, sanshe.core.errors.ObjectNotFound)."""
    from .selectors import notification_get

    now = now or timezone.now()
    notification = notification_get(actor=actor, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = now
        notification.save(update_fields=["read_at"])
        Delivery.objects.filter(notification=notification, channel=Channel.INAPP).update(
            status=DeliveryStatus.READ, read_at=now, updated_at=now)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor, kind_prefix: str = "", now: datetime | None = None) -> int:
    """Mark the actor's unread notifications read (only those of kinds starting with `kind_prefix`, if given)."""
    now = now or timezone.now()
    unread = Notification.objects.for_actor(actor).filter(read_at__isnull=True)
    if kind_prefix:
        unread = unread.filter(kind__startswith=kind_prefix)
    ids = list(unread.values_list("pk", flat=True))
    Delivery.objects.filter(notification_id__in=ids, channel=Channel.INAPP).update(
        status=DeliveryStatus.READ, read_at=now, updated_at=now)
    return Notification.objects.filter(pk__in=ids).update(read_at=now)


@transaction.atomic
def preference_save(*, actor, sms: bool, wecom: bool, wecom_userid: str = "", quiet_start: time | None = None,
                    quiet_end: time | None = None, chat_mentions: bool = True) -> NotificationPreference:
    """The actor's own channels and quiet hours (crisis and imminent-risk alerts ignore the quiet hours)."""
    from django.core.exceptions import ValidationError

    from sanshe.core.audit import audit_record

    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError({"quiet_end": _("请同时填写免打扰的开始和结束时间")})
    preference, _created = NotificationPreference.objects.get_or_create(user=actor)
    preference.sms, preference.wecom = sms, wecom
    preference.wecom_userid = (wecom_userid or "").strip()
    preference.chat_mentions = chat_mentions
    preference.quiet_start, preference.quiet_end = quiet_start, quiet_end
    preference.full_clean()
    preference.save()
    audit_record(actor=actor, action="notify.preference", obj=preference,
                 detail={"sms": sms, "wecom": wecom, "quiet": bool(quiet_start), "chat_mentions": chat_mentions})
    return preference


# ---------------------------------------------------------------------------------------------- receipts

def notification_delivered(*, actor, notification_id: int, now: datetime | None = None) -> bool:
    """The recipient's open page received the in-app push (its socket acknowledged it): sent → delivered.

    Scoped like the list (only the recipient's own notification; anyone else's is not found); idempotent, and a
    delivery already read stays read. Returns whether a delivery changed.
    """
    from .selectors import notification_get

    now = now or timezone.now()
    notification = notification_get(actor=actor, notification_id=notification_id)
    return bool(Delivery.objects.filter(notification=notification, channel=Channel.INAPP,
                                        status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.DELIVERED, delivered_at=now, updated_at=now))


# The gateway's words for a final state, and ours.
SMS_REPORT_STATUSES = {"delivered": DeliveryStatus.DELIVERED, "failed": DeliveryStatus.FAILED}


def sms_status_report(*, reference: str, status: str, error: str = "", now: datetime | None = None) -> bool:
    """The SMS gateway's status report for the delivery it was handed as `reference` (sanshe.core.notify.sms).

    Raises ObjectNotFound for a reference that is not one of our sent texts, ValidationError for an unknown status.
    A report for a text already in that state changes nothing (gateways repeat reports); a delivered text does not
    become failed by a late report. Returns whether the delivery changed.
    """
    from django.core.exceptions import ValidationError

    from sanshe.core.errors import ObjectNotFound

    now = now or timezone.now()
    target = SMS_REPORT_STATUSES.get(status)
    if target is None:
        raise ValidationError({"status": "unknown status"})
    try:
        pk = int(reference)
    except (TypeError, ValueError):
        raise ObjectNotFound() from None
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update().filter(
            pk=pk, channel=Channel.SMS,
            status__in=(DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED),
            sent_at__isnull=False).first() if 0 < pk < 2 ** 63 else None)
        if delivery is None:
            raise ObjectNotFound()
        if delivery.status != DeliveryStatus.SENT:
            return False
        fields = {"status": target, "updated_at": now}
        if target == DeliveryStatus.DELIVERED:
            fields["delivered_at"] = now
        else:
            fields["error"] = (error or _("短信网关报告发送失败"))[:300]
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
        return True
