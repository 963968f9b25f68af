"""Reads of the notify layer: a user's notifications and unread count; the admins' delivery log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from sanshe.core.errors import ObjectNotFound
from sanshe.core.gate import scope_for

from .models import Delivery, Notification

PAGE_SIZE = 50


def notification_list(*, actor, unread_only: bool = False, kind_prefix: str = "",
                      limit: int = PAGE_SIZE) -> list[Notification]:
    """The actor's own notifications (of kinds starting with `kind_prefix`, e.g. "rosters."), newest first."""
    rows = Notification.objects.for_actor(actor)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    if kind_prefix:
        rows = rows.filter(kind__startswith=kind_prefix)
    return list(rows.order_by("-created_at", "-pk")[:limit])


def notification_get(*, actor, notification_id: int) -> Notification:
    """One of the actor's notifications; 404 for a missing one and for anyone else's alike."""
    notification = Notification.objects.for_actor(actor).filter(pk=notification_id).first()
    if notification is None:
        raise ObjectNotFound()
    return notification


def unread_count(*, actor, kind_prefix: str = "") -> int:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return 0
    rows = Notification.objects.for_actor(actor).filter(read_at__isnull=True)
    return (rows.filter(kind__startswith=kind_prefix) if kind_prefix else rows).count()


def can_view_deliveries(actor) -> bool:
    """Superusers, and organisation admins (those who read the audit log)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return actor.is_superuser or scope_for(actor).can("audit.view")


@dataclass(frozen=True)
class DeliveryFilters:
    channel: str = ""
    status: str = ""
    kind: str = ""
    day: date | None = None


def deliveries_visible(actor) -> QuerySet[Delivery]:
    """Deliveries an admin may see: a superuser all; an organisation admin those of their organisations and
    communities, and those to the members of their organisations."""
    if not can_view_deliveries(actor):
        return Delivery.objects.none()
    if actor.is_superuser:
        return Delivery.objects.all()
    scope = scope_for(actor).directory  # the directory's part of the one Scope (kernel asks, accounts answers)
    org_ids = scope.organisation_ids_for("audit.view")
    communities = scope.community_ids("audit.view")
    return Delivery.objects.filter(
        Q(notification__organisation_id__in=org_ids) | Q(notification__community_id__in=communities)
        | Q(notification__recipient__memberships__organisation_id__in=org_ids)).distinct()


def delivery_list(*, actor, filters: DeliveryFilters, limit: int = PAGE_SIZE) -> list[Delivery]:
    """The delivery log, newest first, with the filters applied."""
    rows = deliveries_visible(actor)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.kind:
        rows = rows.filter(notification__kind__startswith=filters.kind)
    if filters.day:
        start = timezone.make_aware(datetime.combine(filters.day, time.min))
        rows = rows.filter(created_at__gte=start, created_at__lt=start + timedelta(days=1))
    return list(rows.select_related("notification__recipient").order_by("-created_at", "-pk")[:limit])
