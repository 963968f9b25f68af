"""Reads of records, referrals out, daily summaries and the handover list (all through for_actor)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from sanshe.core.errors import ObjectNotFound

from .models import (
    OPEN_REFERRAL_OUT,
    DailySummary,
    ReferralOut,
    ServiceRecord,
)
from .policies import records_scope

LIST_LIMIT = 200


def record_list(*, actor, group_id: int | None = None, day: date | None = None, kind: str = "",
                case_id: int | None = None, limit: int = LIST_LIMIT) -> list[ServiceRecord]:
    queryset = (ServiceRecord.objects.for_actor(actor, "view")
                .select_related("group", "author", "community").order_by("-service_date", "-recorded_at", "-pk"))
    if group_id:
        queryset = queryset.filter(group_id=group_id)
    if day:
        queryset = queryset.filter(service_date=day)
    if kind:
        queryset = queryset.filter(kind=kind)
    if case_id:
        queryset = queryset.filter(case_id=case_id)
    return list(queryset[:limit])


def access_record(*, actor, id: int) -> ServiceRecord:
    """The record if the actor may read it (need-to-know); 404 for missing and hidden alike."""
    record = (ServiceRecord.objects.for_actor(actor, "view")
              .select_related("group", "author", "community", "person", "case", "source_request")
              .prefetch_related("images").filter(pk=id).first())
    if record is None:
        raise ObjectNotFound()
    return record


def record_groups(*, actor):
    """Groups the actor may write records in or summarise (for pickers), with their community."""
    from sanshe.groups.models import Group

    scope = records_scope(actor)
    ids = set(scope.group_community)
    condition = Q(pk__in=ids)
    if scope.sw_communities:
        condition |= Q(community_id__in=scope.sw_communities, tier__in=(2, 3))
    return list(Group.objects.filter(condition, is_archived=False).select_related("community").order_by("pk"))


def group_clients(*, group_id: int) -> list:
    """People who are clients in a group (to pick a record's client); only those with a person record."""
    from sanshe.groups.models import GroupMember, MemberStatus
    from sanshe.people.models import Person

    user_ids = GroupMember.objects.filter(group_id=group_id, status=MemberStatus.ACTIVE,
                                          role__in=("client", "resident")).values("user_id")
    return list(Person.objects.filter(user_id__in=user_ids, is_active=True).order_by("name_pinyin", "pk")[:500])


def open_record_requests(*, actor, limit: int = 100) -> list:
    """"Record this" requests waiting in the groups where the actor writes consultation records."""
    from sanshe.groups.models import RecordRequest, RecordRequestStatus

    scope = records_scope(actor)
    condition = Q(group_id__in=scope.groups("secretary", "admin", "social_worker"))
    if scope.sw_communities:
        condition |= Q(group__community_id__in=scope.sw_communities)
    return list(RecordRequest.objects.for_actor(actor, "view").filter(condition, status=RecordRequestStatus.OPEN)
                .select_related("group", "requested_by", "client").order_by("created_at", "pk")[:limit])


def referral_out_list(*, actor, open_only: bool = False, case_id: int | None = None,
                      limit: int = LIST_LIMIT) -> list[ReferralOut]:
    queryset = ReferralOut.objects.for_actor(actor, "view").select_related("person", "case", "created_by")
    if open_only:
        queryset = queryset.filter(status__in=OPEN_REFERRAL_OUT)
    if case_id:
        queryset = queryset.filter(case_id=case_id)
    return list(queryset.order_by("-sent_at", "-pk")[:limit])


def access_referral_out(*, actor, id: int) -> ReferralOut:
    referral = (ReferralOut.objects.for_actor(actor, "view")
                .select_related("person", "case", "created_by", "record")
                .prefetch_related("events__by").filter(pk=id).first())
    if referral is None:
        raise ObjectNotFound()
    return referral


def summary_list(*, actor, limit: int = 60) -> list[DailySummary]:
    return list(DailySummary.objects.for_actor(actor, "view").select_related("group", "compiled_by", "finalised_by")
                .order_by("-day", "group_id")[:limit])


def summary_get(*, actor, group_id: int, day: date) -> DailySummary | None:
    return (DailySummary.objects.for_actor(actor, "view").select_related("group", "compiled_by", "finalised_by")
            .prefetch_related("rows__screenshots").filter(group_id=group_id, day=day).first())


def access_summary(*, actor, id: int) -> DailySummary:
    found = (DailySummary.objects.for_actor(actor, "view").select_related("group", "compiled_by", "finalised_by")
             .prefetch_related("rows__screenshots").filter(pk=id).first())
    if found is None:
        raise ObjectNotFound()
    return found


def access_summary_group(*, actor, group_id: int):
    """The group if the actor may see its summaries (staff of the group, social workers of the community)."""
    from sanshe.groups.models import Group

    scope = records_scope(actor)
    group = Group.objects.filter(pk=group_id).select_related("community").first()
    if group is None or not (group.pk in scope.group_community or group.community_id in scope.sw_communities):
        raise ObjectNotFound()
    return group


def day_record_count(*, group_id: int, day: date) -> int:
    return ServiceRecord.objects.filter(group_id=group_id, service_date=day, status="submitted").count()


@dataclass
class HandoverClient:
    name: str
    person_id: int | None
    kinds: list[str] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)
    next_appointment: datetime | None = None
    record_ids: list[int] = field(default_factory=list)


def handover_list(*, actor, group_id: int, day: date) -> list[HandoverClient]:
    """工作交接: the day's clients of a group the actor may see, what is open and who is booked next.

    Built from the records the actor may read (need-to-know holds in the handover too): a medic hands
    over the medical follow-ups, a counsellor the next appointments, the social worker everything.
    """
    clients: dict[str, HandoverClient] = {}
    for record in (ServiceRecord.objects.for_actor(actor, "view").filter(group_id=group_id, service_date=day)
                   .order_by("recorded_at", "pk")):
        key = f"p{record.person_id}" if record.person_id else f"n{record.client_name}"
        item = clients.setdefault(key, HandoverClient(name=record.client_name, person_id=record.person_id))
        label = str(record.get_kind_display())
        if label not in item.kinds:
            item.kinds.append(label)
        item.record_ids.append(record.pk)
        if record.follow_up:
            item.follow_ups.append(record.follow_up)
        if record.kind == "consultation" and record.is_draft:
            item.follow_ups.append("咨询记录尚未提交")
        if record.next_appointment and record.next_appointment_at:
            item.next_appointment = record.next_appointment_at
    return list(clients.values())


def handover_notes(*, group_id: int, day: date) -> list:
    """The roster's own handover notes (sanshe.rosters) left in this group on that day, to link, not copy."""
    try:
        from sanshe.rosters.models import HandoverNote
    except ImportError:  # pragma: no cover - rosters is installed in every deployment
        return []
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return list(HandoverNote.objects.filter(shift__group_id=group_id, created_at__gte=start,
                                            created_at__lt=start + timedelta(days=1))
                .select_related("author", "shift").order_by("created_at"))


def next_shift(*, group_id: int, after: datetime):
    try:
        from sanshe.rosters.models import Shift
    except ImportError:  # pragma: no cover
        return None
    return Shift.objects.filter(group_id=group_id, starts_at__gte=after).order_by("starts_at").first()


def records_for_case(*, actor, case) -> tuple[list[ServiceRecord], list[ReferralOut]]:
    return (record_list(actor=actor, case_id=case.pk, limit=50),
            referral_out_list(actor=actor, case_id=case.pk, limit=50))


def record_image(*, actor, record_id: int, image_id: int):
    """A screenshot attached to a record the actor may read (never a public media URL)."""
    record = access_record(actor=actor, id=record_id)
    image = next((i for i in record.images.all() if i.pk == image_id), None)
    if image is None:
        raise ObjectNotFound()
    return image


def summary_image(*, actor, summary_id: int, image_id: int):
    """A screenshot in a daily summary the actor may see (the 微信截图 column is a general column)."""
    summary = access_summary(actor=actor, id=summary_id)
    for row in summary.rows.all():
        for image in row.screenshots.all():
            if image.pk == image_id:
                return image
    raise ObjectNotFound()
