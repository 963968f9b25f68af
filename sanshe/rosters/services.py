"""Writes of the duty roster: templates, shifts, claims and assignments, drops and offers, check-in/out,
handover, hours and certificates, calendar feeds, calls for help. Each one validated and audited."""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.accounts.models import Organisation, User
from sanshe.accounts.policies import scope_for
from sanshe.core.audit import audit_record
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.notify.models import Channel
from sanshe.core.notify.services import notify_send
from sanshe.groups.models import DutyKind, Group, GroupMember, MemberRole, MemberStatus
from sanshe.people.choices import DocumentType
from sanshe.volunteers.clearance import cleared_user_ids, volunteer_is_cleared
from sanshe.volunteers.models import ApplicationStatus, VolunteerApplication

from . import rules
from .models import (
    KIND_ROLES,
    Assignment,
    AssignmentSource,
    AssignmentStatus,
    CalendarFeed,
    DropRequest,
    GroupRoster,
    HandoverNote,
    HelpCall,
    HoursCertificate,
    HoursCorrection,
    HoursRecord,
    HoursSource,
    HoursStatus,
    NoShowLift,
    RequestStatus,
    RosterPolicy,
    Shift,
    ShiftNeed,
    ShiftOffer,
    ShiftStatus,
    ShiftTemplate,
    TemplateSlot,
)
from .policies import can_override_rest, require_hours_manager, require_roster_manager
from .querysets import roster_managed_q

# Which group member roles may fill a place of each kind.
KIND_MEMBER_ROLES: dict[str, tuple[str, ...]] = {
    DutyKind.MEDICAL: (MemberRole.MEDICAL,),
    DutyKind.PSYCHOLOGICAL: (MemberRole.PSYCHOLOGICAL,),
    DutyKind.SECRETARY: (MemberRole.SECRETARY,),
    DutyKind.SOCIAL_WORK: (MemberRole.SOCIAL_WORKER, MemberRole.ADMIN),
}
EARLY_CHECK_IN = timedelta(minutes=30)
CHECK_OUT_GRACE = timedelta(hours=1)
MAX_GENERATE_DAYS = 62
HELP_CALL_INTERVAL = timedelta(minutes=30)


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def policy_for(organisation_id: int) -> rules.Policy:
    """The organisation's roster rules as plain data (defaults when it never changed them)."""
    row = RosterPolicy.objects.filter(organisation_id=organisation_id).first()
    if row is None:
        return rules.Policy()
    return rules.Policy(max_hours_per_24h=row.max_hours_per_24h, min_rest_hours=row.min_rest_hours,
                        no_show_limit=row.no_show_limit, free_drop_hours=row.free_drop_hours)


def claim_window_days(group_id: int) -> int:
    value = GroupRoster.objects.filter(group_id=group_id).values_list("claim_window_days", flat=True).first()
    return value if value is not None else GroupRoster._meta.get_field("claim_window_days").default


def _notify(user_ids: Iterable[int], text: str, *, kind: str, url: str = "", shift: Shift | None = None,
            sms: bool = False) -> None:
    """Tell users through the notify layer, in the caller's transaction (delivered after commit): a row in their
    notification list (kind `rosters.<kind>`, linking to `url` or 我的班次) pushed to their open pages, and with
    `sms` a text too (their preferences and quiet hours apply; rate-limited, retried, logged)."""
    user_ids = sorted(set(user_ids))
    if not user_ids:
        return
    notify_send(recipients=user_ids, kind=f"rosters.{kind}", title=text, body=text if len(text) > 200 else "",
                url=url or reverse("rosters:my_shifts"), sms_text=f"【三社】{text}" if sms else "",
                channels=(Channel.INAPP, Channel.SMS) if sms else (Channel.INAPP,),
                organisation_id=shift.group.organisation_id if shift is not None else None)


def _managed_group(actor, group_id: int) -> Group:
    scope = require_roster_manager(actor)
    group = Group.objects.filter(roster_managed_q(scope), pk=group_id).first()
    if group is None:
        raise ObjectNotFound()
    return group


def _managed_shift(actor, shift_id: int, *, lock: bool = False) -> Shift:
    require_roster_manager(actor)
    rows = Shift.objects.for_actor(actor, "manage").select_related("group")
    if lock:
        rows = rows.select_for_update(of=("self",))
    shift = rows.filter(pk=shift_id).first()
    if shift is None:
        raise ObjectNotFound()
    return shift


def _managers_of(group: Group) -> set[int]:
    """Who hears about drops and gaps: the group's admin and its active secretaries."""
    secretaries = GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE, role=MemberRole.SECRETARY)
    return {group.admin_id, *secretaries.values_list("user_id", flat=True)}


def _shift_label(shift: Shift) -> str:
    start = timezone.localtime(shift.starts_at)
    end = timezone.localtime(shift.ends_at)
    return f"{shift.group.name} {start:%m月%d日 %H:%M}–{end:%H:%M}"


# ------------------------------------------------------------------------------------------ settings


@transaction.atomic
def policy_update(*, actor, organisation_id: int, **values) -> RosterPolicy:
    """An organisation admin changes the roster rules of their organisation."""
    if organisation_id not in scope_for(actor).organisation_ids_for("users.manage"):
        raise ObjectNotFound()
    policy, _created = RosterPolicy.objects.select_for_update().get_or_create(organisation_id=organisation_id)
    allowed = {"max_hours_per_24h", "min_rest_hours", "no_show_limit", "free_drop_hours", "reminder_minutes",
               "person_in_charge", "handler", "contact_phone"}
    for key, value in values.items():
        if key in allowed:
            setattr(policy, key, value)
    errors = {}
    if not 1 <= policy.max_hours_per_24h <= 24:
        errors["max_hours_per_24h"] = _("应在1到24小时之间")
    if policy.min_rest_hours > 24:
        errors["min_rest_hours"] = _("应在0到24小时之间")
    if errors:
        raise ValidationError(errors)
    policy.full_clean()
    policy.save()
    audit_record(actor=actor, action="rosters.policy_update", obj=policy, organisation_id=organisation_id,
                 detail={k: v for k, v in values.items() if k in allowed and k not in ("contact_phone",)})
    return policy


@transaction.atomic
def group_roster_update(*, actor, group_id: int, claim_window_days: int) -> GroupRoster:
    group = _managed_group(actor, group_id)
    if not 1 <= claim_window_days <= 90:
        raise ValidationError({"claim_window_days": _("可提前认领天数应在1到90之间")})
    roster, _created = GroupRoster.objects.get_or_create(group=group)
    roster.claim_window_days = claim_window_days
    roster.save()
    audit_record(actor=actor, action="rosters.group_update", obj=group, organisation_id=group.organisation_id,
                 detail={"claim_window_days": claim_window_days})
    return roster


# ------------------------------------------------------------------------------------------ templates


@dataclass(frozen=True)
class SlotInput:
    start_minute: int
    end_minute: int
    weekdays: tuple[int, ...]
    needs: dict[str, int]


@transaction.atomic
def template_save(*, actor, group_id: int, name: str, slots: Sequence[SlotInput],
                  template_id: int | None = None) -> ShiftTemplate:
    """Create or replace a group's shift template (its slots and the people each slot needs)."""
    group = _managed_group(actor, group_id)
    if template_id is not None:
        template = ShiftTemplate.objects.filter(pk=template_id, group=group).first()
        if template is None:
            raise ObjectNotFound()
    else:
        template = ShiftTemplate(group=group, created_by=actor)
    errors: dict = {}
    template.name = (name or "").strip()
    if not template.name:
        errors["name"] = _("请填写模板名称")
    if not slots:
        errors["slots"] = [_("请至少添加一个时段")]
    problems = rules.slot_problems([rules.Slot(s.start_minute, s.end_minute, tuple(s.weekdays)) for s in slots])
    for n, slot in enumerate(slots, start=1):
        if not any(slot.needs.get(kind, 0) for kind in DutyKind.values):
            problems.append(_("第%(n)d个时段至少需要安排1人") % {"n": n})
        if any(v < 0 or v > 50 for v in slot.needs.values()):
            problems.append(_("第%(n)d个时段的人数应在0到50之间") % {"n": n})
    if problems:
        errors["slots"] = problems
    if errors:
        raise ValidationError(errors)
    template.full_clean(exclude=["created_by"])
    template.save()
    template.slots.all().delete()
    TemplateSlot.objects.bulk_create([
        TemplateSlot(template=template, start_minute=s.start_minute, end_minute=s.end_minute,
                     weekdays=sorted(set(s.weekdays)), needed_medical=s.needs.get(DutyKind.MEDICAL, 0),
                     needed_psychological=s.needs.get(DutyKind.PSYCHOLOGICAL, 0),
                     needed_secretary=s.needs.get(DutyKind.SECRETARY, 0),
                     needed_social_work=s.needs.get(DutyKind.SOCIAL_WORK, 0))
        for s in slots
    ])
    audit_record(actor=actor, action="rosters.template_save", obj=template, organisation_id=group.organisation_id,
                 detail={"slots": len(slots), "group_id": group.pk})
    return template


@transaction.atomic
def shifts_generate(*, actor, template_id: int, date_from: date, date_to: date, now: datetime | None = None) -> int:
    """Create the template's shifts for every day in the range; shifts that exist or have begun are skipped."""
    require_roster_manager(actor)
    template = (ShiftTemplate.objects.for_actor(actor, "manage").select_related("group")
                .filter(pk=template_id).first())
    if template is None:
        raise ObjectNotFound()
    if date_to < date_from:
        raise ValidationError({"date_to": _("结束日期不能早于开始日期")})
    if (date_to - date_from).days + 1 > MAX_GENERATE_DAYS:
        raise ValidationError({"date_to": _("一次最多生成%(n)d天的班次") % {"n": MAX_GENERATE_DAYS}})
    created = _generate(template, date_from, date_to, _now(now))
    audit_record(actor=actor, action="rosters.shifts_generate", obj=template,
                 organisation_id=template.group.organisation_id,
                 detail={"from": date_from.isoformat(), "to": date_to.isoformat(), "created": created})
    return created


def _generate(template: ShiftTemplate, date_from: date, date_to: date, now: datetime) -> int:
    slots = list(template.slots.all())
    plan = rules.occurrences([rules.Slot(s.start_minute, s.end_minute, tuple(s.weekdays)) for s in slots],
                             date_from, date_to, _tz())
    existing = set(Shift.objects.filter(group=template.group, slot__in=slots, starts_at__gte=plan[0][1].start
                                        if plan else now).values_list("slot_id", "starts_at"))
    shifts = [Shift(group=template.group, template=template, slot=slots[i], starts_at=interval.start,
                    ends_at=interval.end)
              for i, interval in plan
              if interval.start > now and (slots[i].pk, interval.start) not in existing]
    Shift.objects.bulk_create(shifts, batch_size=500)
    if shifts and shifts[0].pk is None:  # backends without RETURNING ids: read them back
        shifts = list(Shift.objects.filter(group=template.group, template=template,
                                           starts_at__in=[s.starts_at for s in shifts]))
    by_slot = {slot.pk: slot for slot in slots}
    needs = [ShiftNeed(shift=shift, kind=kind, needed=count)
             for shift in shifts for kind, count in by_slot[shift.slot_id].needs().items() if count]
    ShiftNeed.objects.bulk_create(needs, batch_size=1000)
    return len(shifts)


@transaction.atomic
def shift_update(*, actor, shift_id: int, start_minute: int, end_minute: int, needs: dict[str, int],
                 and_later: bool = False, note: str = "", now: datetime | None = None) -> int:
    """Change one shift, or this and every later shift of the same template slot; returns shifts changed."""
    now = _now(now)
    shift = _managed_shift(actor, shift_id, lock=True)
    problems = rules.slot_problems([rules.Slot(start_minute, end_minute)])
    if problems:
        raise ValidationError({"end": problems})
    if shift.starts_at <= now:
        raise ValidationError(_("班次已开始，不能再修改"))
    targets = [shift]
    if and_later and shift.slot_id:
        targets = list(Shift.objects.select_for_update().filter(
            group_id=shift.group_id, slot_id=shift.slot_id, starts_at__gte=shift.starts_at,
            status=ShiftStatus.OPEN).order_by("starts_at"))
    tz = _tz()
    touched_users: set[int] = set()
    all_needs = defaultdict(dict)
    for need in ShiftNeed.objects.select_for_update().filter(shift__in=targets):
        all_needs[need.shift_id][need.kind] = need
    for target in targets:
        for kind, count in needs.items():
            current = all_needs[target.pk].get(kind)
            if current is not None and count < current.filled:
                raise ValidationError({"needs": _("%(when)s的%(kind)s已有%(n)d人，需要人数不能少于%(n)d") % {
                    "when": timezone.localtime(target.starts_at).strftime("%m-%d %H:%M"),
                    "kind": DutyKind(kind).label, "n": current.filled}})
    if not any(needs.values()):
        raise ValidationError({"needs": _("至少需要安排1人")})
    for target in targets:
        interval = rules.moved(rules.Interval(target.starts_at, target.ends_at), start_minute=start_minute,
                               end_minute=end_minute, tz=tz)
        moved = (interval.start, interval.end) != (target.starts_at, target.ends_at)
        target.starts_at, target.ends_at = interval.start, interval.end
        if note or not and_later:
            target.note = (note or "").strip()[:200]
        target.save(update_fields=["starts_at", "ends_at", "note", "updated_at"])
        for kind, count in needs.items():
            current = all_needs[target.pk].get(kind)
            if current is None and count:
                ShiftNeed.objects.create(shift=target, kind=kind, needed=count)
            elif current is not None:
                if count == 0 and current.filled == 0:
                    current.delete()
                else:
                    current.needed = count
                    current.save(update_fields=["needed"])
        if moved:
            users = set(Assignment.objects.filter(shift=target, status=AssignmentStatus.ACTIVE)
                        .values_list("user_id", flat=True))
            touched_users |= users
            _notify(users, _("班次时间已调整：%(shift)s") % {"shift": _shift_label(target)}, shift=target,
                    url=reverse("rosters:shift_detail", args=[target.pk]), kind="shift_changed")
    audit_record(actor=actor, action="rosters.shift_update", obj=shift, organisation_id=shift.group.organisation_id,
                 detail={"shifts": len(targets), "and_later": and_later, "notified": len(touched_users)})
    return len(targets)


@transaction.atomic
def shift_cancel(*, actor, shift_id: int, reason: str, now: datetime | None = None) -> Shift:
    """Cancel a shift that has not begun; everyone on it is told."""
    shift = _managed_shift(actor, shift_id, lock=True)
    if shift.status == ShiftStatus.CANCELLED:
        raise ValidationError(_("该班次已取消"))
    if shift.starts_at <= _now(now):
        raise ValidationError(_("班次已开始，不能取消"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因，值班人员会收到通知")})
    shift.status = ShiftStatus.CANCELLED
    shift.note = reason[:200]
    shift.save(update_fields=["status", "note", "updated_at"])
    users = list(Assignment.objects.filter(shift=shift, status=AssignmentStatus.ACTIVE).values_list("user_id", flat=True))
    Assignment.objects.filter(shift=shift, status=AssignmentStatus.ACTIVE).update(
        status=AssignmentStatus.REMOVED, ended_by=actor, ended_at=timezone.now())
    ShiftNeed.objects.filter(shift=shift).update(filled=0)
    _notify(users, _("班次已取消：%(shift)s（%(reason)s）") % {"shift": _shift_label(shift), "reason": reason},
            shift=shift, sms=True, kind="shift_cancelled")
    audit_record(actor=actor, action="rosters.shift_cancel", obj=shift, organisation_id=shift.group.organisation_id,
                 reason=reason, detail={"notified": len(users)})
    return shift


# ------------------------------------------------------------------------------------------ claims


def no_show_count(user_id: int) -> int:
    """No-shows since the last time a social worker lifted the block."""
    last_lift = NoShowLift.objects.filter(user_id=user_id).order_by("-created_at").values_list("created_at", flat=True)
    rows = Assignment.objects.filter(user_id=user_id, status=AssignmentStatus.NO_SHOW)
    lifted = last_lift.first()
    if lifted is not None:
        rows = rows.filter(ended_at__gt=lifted)
    return rows.count()


def busy_intervals(user_ids: Iterable[int], around: rules.Interval, *, exclude_shift_id: int | None = None
                   ) -> dict[int, list[rules.Interval]]:
    """Each user's active shifts within two days of `around` (one query)."""
    rows = (Assignment.objects.filter(user_id__in=list(user_ids), status=AssignmentStatus.ACTIVE,
                                      shift__status=ShiftStatus.OPEN,
                                      shift__ends_at__gt=around.start - 2 * rules.DAY,
                                      shift__starts_at__lt=around.end + 2 * rules.DAY)
            .values_list("user_id", "shift_id", "shift__starts_at", "shift__ends_at"))
    result: dict[int, list[rules.Interval]] = defaultdict(list)
    for user_id, shift_id, start, end in rows:
        if shift_id != exclude_shift_id:
            result[user_id].append(rules.Interval(start, end))
    return result


def in_group_role(user_id: int, group_id: int, kind: str) -> bool:
    return GroupMember.objects.filter(group_id=group_id, user_id=user_id, status=MemberStatus.ACTIVE,
                                      role__in=KIND_MEMBER_ROLES[kind]).exists()


def claim_check(*, user, need: ShiftNeed, now: datetime, self_claim: bool = True,
                replacing: Assignment | None = None) -> list[str]:
    """Every reason `user` cannot take a place of `need` now (empty when they can)."""
    return [p.text for p in claim_findings(user=user, need=need, now=now, self_claim=self_claim,
                                           replacing=replacing)]


def claim_findings(*, user, need: ShiftNeed, now: datetime, self_claim: bool = True,
                   replacing: Assignment | None = None) -> list[rules.Problem]:
    """Every reason `user` cannot take a place of `need` now, with the rule codes (empty when they can)."""
    shift = need.shift
    interval = rules.Interval(shift.starts_at, shift.ends_at)
    busy = busy_intervals([user.pk], interval).get(user.pk, [])
    already = Assignment.objects.filter(shift=shift, user=user, status=AssignmentStatus.ACTIVE).exists()
    facts = rules.ClaimFacts(
        now=now, shift=interval, shift_cancelled=shift.status == ShiftStatus.CANCELLED,
        places_left=1 if replacing is not None else need.needed - need.filled,
        cleared=volunteer_is_cleared(user, KIND_ROLES[need.kind]),
        in_group_role=in_group_role(user.pk, shift.group_id, need.kind), already_on_shift=already,
        existing=tuple(busy), claim_window_days=claim_window_days(shift.group_id),
        no_shows=no_show_count(user.pk) if self_claim else 0, self_claim=self_claim,
    )
    return rules.claim_findings(facts, policy_for(shift.group.organisation_id))


def _lock(user_id: int, shift_id: int) -> Shift:
    """Row locks in a fixed order (person, then shift) so one person's claims and one shift's places are
    decided one at a time on PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers."""
    User.objects.select_for_update().filter(pk=user_id).first()
    return Shift.objects.select_for_update().select_related("group").get(pk=shift_id)


def _take_place(*, need: ShiftNeed, user, source: str, assigned_by) -> Assignment:
    """Fill one place: the conditional UPDATE decides the last free place, on SQLite and PostgreSQL alike."""
    won = ShiftNeed.objects.filter(pk=need.pk, filled__lt=F("needed")).update(filled=F("filled") + 1)
    if not won:
        raise ValidationError(_("该班次这一岗位的名额刚刚被认领完了，请选择其他班次"))
    try:
        with transaction.atomic():
            return Assignment.objects.create(shift_id=need.shift_id, need=need, user=user, kind=need.kind,
                                             source=source, assigned_by=assigned_by)
    except IntegrityError as exc:
        raise ValidationError(_("您已在这个班次中")) from exc


def _release_place(assignment: Assignment, status: str, actor) -> None:
    assignment.status, assignment.ended_by, assignment.ended_at = status, actor, timezone.now()
    assignment.save(update_fields=["status", "ended_by", "ended_at", "updated_at"])
    ShiftNeed.objects.filter(pk=assignment.need_id, filled__gt=0).update(filled=F("filled") - 1)
    ShiftOffer.objects.filter(assignment=assignment, status=RequestStatus.PENDING).update(status=RequestStatus.WITHDRAWN)


def _need(actor, need_id: int, action: str = "view") -> ShiftNeed:
    need = ShiftNeed.objects.for_actor(actor, action).select_related("shift__group").filter(pk=need_id).first()
    if need is None:
        raise ObjectNotFound()
    return need


@transaction.atomic
def shift_claim(*, actor, need_id: int, now: datetime | None = None) -> Assignment:
    """A volunteer claims a place: right role, cleared, no overlap, hours and rest limits, within the window."""
    now = _now(now)
    need = _need(actor, need_id)
    need.shift = _lock(actor.pk, need.shift_id)
    need.refresh_from_db(fields=["needed", "filled"])
    problems = claim_check(user=actor, need=need, now=now)
    if problems:
        raise ValidationError(problems)
    assignment = _take_place(need=need, user=actor, source=AssignmentSource.CLAIM, assigned_by=None)
    audit_record(actor=actor, action="rosters.claim", obj=assignment, organisation_id=need.shift.group.organisation_id,
                 detail={"shift_id": need.shift_id, "kind": need.kind})
    return assignment


@transaction.atomic
def shift_assign(*, actor, need_id: int, user_id: int, override_reason: str = "",
                 now: datetime | None = None) -> Assignment:
    """The secretary puts a colleague on a place (the same rules, without the claim window and no-show block).

    A coordinator (social worker, organisation admin) filling a gap may set aside the rest and 24-hour rules
    with a written reason; it is audited and shown on the shift. Clearance, group role, overlap and a full
    place are never set aside.
    """
    now = _now(now)
    need = _need(actor, need_id, "manage")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationError({"user": _("请选择值班人员")})
    override_reason = (override_reason or "").strip()
    need.shift = _lock(user.pk, need.shift_id)
    need.refresh_from_db(fields=["needed", "filled"])
    problems = claim_findings(user=user, need=need, now=now, self_claim=False)
    overridden: list[rules.Problem] = []
    if problems and override_reason:
        if not can_override_rest(actor):
            raise ActionForbidden("rosters.rest_override")
        if rules.only_rest_problems(problems):
            overridden, problems = problems, []
    if problems:
        texts = [f"{user}：{p.text}" for p in problems]
        if rules.only_rest_problems(problems):
            texts.append(_("如确需安排以填补空缺，社会工作者可填写原因后破例安排（休息规则）") if not can_override_rest(actor)
                         else _("如确需安排以填补空缺，请填写原因后点“破例安排”"))
        raise ValidationError({"user": texts})
    assignment = _take_place(need=need, user=user, source=AssignmentSource.ASSIGN, assigned_by=actor)
    text = _("您被安排了值班：%(shift)s") % {"shift": _shift_label(need.shift)}
    if overridden:
        assignment.rest_override_reason = override_reason[:200]
        assignment.save(update_fields=["rest_override_reason", "updated_at"])
        text += _("（休息时间不足，属临时补位，请注意休息；如身体吃不消请告诉社会工作者）")
    _notify([user.pk], text, shift=need.shift, url=reverse("rosters:shift_detail", args=[need.shift_id]), sms=True, kind="assigned")
    audit_record(actor=actor, action="rosters.assign", obj=assignment, organisation_id=need.shift.group.organisation_id,
                 detail={"shift_id": need.shift_id, "kind": need.kind, "user_id": user.pk})
    if overridden:
        audit_record(actor=actor, action="rosters.rest_override", obj=assignment, reason=override_reason[:200],
                     organisation_id=need.shift.group.organisation_id,
                     detail={"shift_id": need.shift_id, "kind": need.kind, "user_id": user.pk,
                             "rules": [p.code for p in overridden]})
    return assignment


def _assignment(actor, assignment_id: int, action: str) -> Assignment:
    rows = Assignment.objects.for_actor(actor, action).select_related("shift__group", "need", "user")
    assignment = rows.select_for_update(of=("self",)).filter(pk=assignment_id).first()
    if assignment is None:
        raise ObjectNotFound()
    return assignment


@transaction.atomic
def assignment_remove(*, actor, assignment_id: int, now: datetime | None = None) -> Assignment:
    """The secretary takes someone off a shift that has not begun (rearranging); the person is told."""
    assignment = _assignment(actor, assignment_id, "manage")
    if assignment.status != AssignmentStatus.ACTIVE:
        raise ValidationError(_("此人已不在该班次"))
    if assignment.shift.starts_at <= _now(now):
        raise ValidationError(_("班次已开始，不能调离；如未到岗请标记缺勤"))
    _release_place(assignment, AssignmentStatus.REMOVED, actor)
    _notify([assignment.user_id], _("您的值班已被群秘书调整：%(shift)s") % {"shift": _shift_label(assignment.shift)},
            shift=assignment.shift, sms=True, kind="removed")
    audit_record(actor=actor, action="rosters.remove", obj=assignment,
                 organisation_id=assignment.shift.group.organisation_id, detail={"user_id": assignment.user_id})
    return assignment


@transaction.atomic
def assignment_move(*, actor, assignment_id: int, need_id: int, now: datetime | None = None) -> Assignment:
    """Rearrange: move a person from one shift to another place in one step (all rules apply to the new place)."""
    now = _now(now)
    assignment = _assignment(actor, assignment_id, "manage")
    if assignment.status != AssignmentStatus.ACTIVE or assignment.shift.starts_at <= now:
        raise ValidationError(_("只能调整尚未开始的在岗班次"))
    target = _need(actor, need_id, "manage")
    if target.shift_id == assignment.shift_id:
        raise ValidationError(_("请选择另一个班次"))
    _release_place(assignment, AssignmentStatus.REMOVED, actor)
    moved = shift_assign(actor=actor, need_id=target.pk, user_id=assignment.user_id, now=now)
    audit_record(actor=actor, action="rosters.move", obj=moved, organisation_id=target.shift.group.organisation_id,
                 detail={"from_shift": assignment.shift_id, "to_shift": target.shift_id})
    return moved


@dataclass(frozen=True)
class DropResult:
    dropped: bool
    request: DropRequest | None = None


@transaction.atomic
def assignment_drop(*, actor, assignment_id: int, reason: str = "", now: datetime | None = None) -> DropResult:
    """A volunteer who cannot come drops the shift: free until N hours before, later the secretary approves."""
    now = _now(now)
    assignment = _assignment(actor, assignment_id, "own")
    shift = assignment.shift
    if assignment.status != AssignmentStatus.ACTIVE:
        raise ValidationError(_("您已不在该班次"))
    if shift.starts_at <= now:
        raise ValidationError(_("班次已开始，不能退班；如有紧急情况请联系群秘书"))
    policy = policy_for(shift.group.organisation_id)
    reason = (reason or "").strip()
    if rules.drop_needs_approval(now=now, shift_start=shift.starts_at, free_drop_hours=policy.free_drop_hours):
        if not reason:
            raise ValidationError({"reason": _("开班前%(h)d小时内退班需要群秘书同意，请写明原因") % {
                "h": policy.free_drop_hours}})
        if DropRequest.objects.filter(assignment=assignment, status=RequestStatus.PENDING).exists():
            raise ValidationError(_("退班申请已提交，请等待群秘书处理"))
        request = DropRequest.objects.create(assignment=assignment, reason=reason[:200])
        _notify(_managers_of(shift.group) - {actor.pk},
                _("%(who)s申请退班（%(shift)s）：%(reason)s") % {"who": actor, "shift": _shift_label(shift),
                                                             "reason": reason},
                shift=shift, url=reverse("rosters:shift_detail", args=[shift.pk]), sms=True, kind="drop_request")
        audit_record(actor=actor, action="rosters.drop_request", obj=request,
                     organisation_id=shift.group.organisation_id)
        return DropResult(dropped=False, request=request)
    _release_place(assignment, AssignmentStatus.DROPPED, actor)
    _notify(_managers_of(shift.group) - {actor.pk}, _("%(who)s退出了值班：%(shift)s，请补位") % {
        "who": actor, "shift": _shift_label(shift)}, shift=shift, url=reverse("rosters:shift_detail", args=[shift.pk]), kind="dropped")
    audit_record(actor=actor, action="rosters.drop", obj=assignment, organisation_id=shift.group.organisation_id)
    return DropResult(dropped=True)


@transaction.atomic
def drop_decide(*, actor, request_id: int, approve: bool, now: datetime | None = None) -> DropRequest:
    """The secretary approves or declines a late drop."""
    request = (DropRequest.objects.select_for_update().select_related("assignment__shift__group")
               .filter(pk=request_id, assignment__in=Assignment.objects.for_actor(actor, "manage")).first())
    require_roster_manager(actor)
    if request is None:
        raise ObjectNotFound()
    if request.status != RequestStatus.PENDING:
        raise ValidationError(_("该申请已处理"))
    request.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    request.decided_by, request.decided_at = actor, _now(now)
    request.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    assignment = request.assignment
    if approve and assignment.status == AssignmentStatus.ACTIVE:
        _release_place(assignment, AssignmentStatus.DROPPED, actor)
    _notify([assignment.user_id], (_("群秘书已同意您的退班：%(shift)s") if approve else
                                   _("群秘书未同意您的退班，请按时上岗：%(shift)s")) % {
        "shift": _shift_label(assignment.shift)}, shift=assignment.shift, sms=True, kind="drop_decided")
    audit_record(actor=actor, action="rosters.drop_decide", obj=request,
                 organisation_id=assignment.shift.group.organisation_id, detail={"approved": approve})
    return request


def eligible_free_users(need: ShiftNeed, *, now: datetime, exclude: Iterable[int] = ()) -> list[User]:
    """Group members of the right kind, cleared, not on the shift, whom the shift fits (few queries)."""
    shift = need.shift
    members = set(GroupMember.objects.filter(group_id=shift.group_id, status=MemberStatus.ACTIVE,
                                             role__in=KIND_MEMBER_ROLES[need.kind]).values_list("user_id", flat=True))
    members -= set(exclude)
    members -= set(Assignment.objects.filter(shift=shift, status=AssignmentStatus.ACTIVE)
                   .values_list("user_id", flat=True))
    if not members:
        return []
    cleared = cleared_user_ids(members, KIND_ROLES[need.kind])
    interval = rules.Interval(shift.starts_at, shift.ends_at)
    busy = busy_intervals(cleared, interval)
    policy = policy_for(shift.group.organisation_id)
    fit = [uid for uid in cleared if not rules.work_limit_problems(busy.get(uid, []), interval, policy)]
    return list(User.objects.filter(pk__in=fit, is_active=True).order_by("pk"))


@transaction.atomic
def offer_create(*, actor, assignment_id: int, note: str = "", now: datetime | None = None) -> ShiftOffer:
    """Offer one's place to eligible colleagues; they are told, and the first to take it gets it."""
    now = _now(now)
    assignment = _assignment(actor, assignment_id, "own")
    if assignment.status != AssignmentStatus.ACTIVE or assignment.shift.starts_at <= now:
        raise ValidationError(_("只能转让尚未开始的在岗班次"))
    if ShiftOffer.objects.filter(assignment=assignment, status=RequestStatus.PENDING).exists():
        raise ValidationError(_("这个班次已在转让中"))
    offer = ShiftOffer.objects.create(assignment=assignment, note=(note or "").strip()[:200])
    colleagues = eligible_free_users(assignment.need, now=now, exclude=[actor.pk])
    _notify([u.pk for u in colleagues], _("%(who)s想转让值班：%(shift)s，可以接班吗？") % {
        "who": actor, "shift": _shift_label(assignment.shift)}, shift=assignment.shift,
        url=reverse("rosters:my_shifts") + "#offers", sms=True, kind="offer")
    audit_record(actor=actor, action="rosters.offer", obj=offer, organisation_id=assignment.shift.group.organisation_id,
                 detail={"notified": len(colleagues)})
    return offer


def open_offers_for(user, *, now: datetime) -> list[ShiftOffer]:
    """Open offers in the user's groups of a kind they serve, not their own, for shifts not begun."""
    groups = GroupMember.objects.filter(user=user, status=MemberStatus.ACTIVE).values_list("group_id", "role")
    kinds_by_group: dict[int, set[str]] = defaultdict(set)
    for group_id, role in groups:
        for kind, roles in KIND_MEMBER_ROLES.items():
            if role in roles:
                kinds_by_group[group_id].add(kind)
    if not kinds_by_group:
        return []
    offers = (ShiftOffer.objects.filter(status=RequestStatus.PENDING, assignment__shift__group_id__in=kinds_by_group,
                                        assignment__shift__starts_at__gt=now)
              .exclude(assignment__user=user).select_related("assignment__shift__group", "assignment__user")
              .order_by("assignment__shift__starts_at"))
    return [o for o in offers if o.assignment.kind in kinds_by_group[o.assignment.shift.group_id]]


@transaction.atomic
def offer_take(*, actor, offer_id: int, now: datetime | None = None) -> Assignment:
    """Take over a colleague's offered place (all claim rules apply to the taker); exactly one taker wins."""
    now = _now(now)
    offer = (ShiftOffer.objects.select_related("assignment__need", "assignment__shift__group")
             .filter(pk=offer_id).first())
    if offer is None or offer not in open_offers_for(actor, now=now):
        raise ObjectNotFound()
    assignment = offer.assignment
    assignment.need.shift = _lock(actor.pk, assignment.shift_id)
    problems = claim_check(user=actor, need=assignment.need, now=now, replacing=assignment)
    if problems:
        raise ValidationError(problems)
    won = ShiftOffer.objects.filter(pk=offer.pk, status=RequestStatus.PENDING).update(
        status=RequestStatus.APPROVED, taken_by=actor, taken_at=now)
    if not won:
        raise ValidationError(_("这个班次刚刚被其他同事接走了"))
    Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.HANDED_OVER, ended_by=actor,
                                                       ended_at=now)
    try:
        with transaction.atomic():
            taken = Assignment.objects.create(shift_id=assignment.shift_id, need_id=assignment.need_id, user=actor,
                                              kind=assignment.kind, source=AssignmentSource.OFFER)
    except IntegrityError as exc:
        raise ValidationError(_("您已在这个班次中")) from exc
    shift = assignment.shift
    _notify([assignment.user_id], _("%(who)s已接下您转让的值班：%(shift)s") % {"who": actor, "shift": _shift_label(shift)},
            shift=shift, sms=True, kind="offer_taken")
    audit_record(actor=actor, action="rosters.offer_take", obj=taken, organisation_id=shift.group.organisation_id,
                 detail={"offer_id": offer.pk, "from_user": assignment.user_id})
    return taken


@transaction.atomic
def offer_withdraw(*, actor, offer_id: int) -> ShiftOffer:
    offer = ShiftOffer.objects.filter(pk=offer_id, assignment__user=actor).select_for_update().first()
    if offer is None:
        raise ObjectNotFound()
    if offer.status != RequestStatus.PENDING:
        raise ValidationError(_("该转让已结束"))
    offer.status = RequestStatus.WITHDRAWN
    offer.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="rosters.offer_withdraw", obj=offer)
    return offer


# ------------------------------------------------------------------------------------------ on duty


@transaction.atomic
def assignment_check_in(*, actor, assignment_id: int, now: datetime | None = None) -> Assignment:
    """Check in from 30 minutes before the start until the end."""
    now = _now(now)
    assignment = _assignment(actor, assignment_id, "own")
    shift = assignment.shift
    if assignment.status != AssignmentStatus.ACTIVE or shift.status != ShiftStatus.OPEN:
        raise ValidationError(_("您已不在该班次"))
    if assignment.checked_in_at:
        raise ValidationError(_("您已签到"))
    if now < shift.starts_at - EARLY_CHECK_IN:
        raise ValidationError(_("开班前30分钟起才能签到"))
    if now >= shift.ends_at:
        raise ValidationError(_("班次已结束，不能签到；如有实际服务请补录时长"))
    assignment.checked_in_at = now
    assignment.save(update_fields=["checked_in_at", "updated_at"])
    audit_record(actor=actor, action="rosters.check_in", obj=assignment, organisation_id=shift.group.organisation_id)
    return assignment


def _record_hours(assignment: Assignment, *, until: datetime, status: str, note: str = "", actor=None) -> HoursRecord:
    shift = assignment.shift
    minutes = rules.served_minutes(checked_in=assignment.checked_in_at, checked_out=until, start=shift.starts_at,
                                   end=shift.ends_at)
    return HoursRecord.objects.create(
        user_id=assignment.user_id, organisation_id=shift.group.organisation_id, group_id=shift.group_id,
        assignment=assignment, service_date=timezone.localtime(shift.starts_at).date(),
        started_at=max(assignment.checked_in_at, shift.starts_at), ended_at=min(until, shift.ends_at),
        minutes=minutes, content=_("%(group)s %(kind)s") % {"group": shift.group.name,
                                                            "kind": DutyKind(assignment.kind).label},
        source=HoursSource.SHIFT, status=status, note=note, recorded_by=actor)


@transaction.atomic
def assignment_check_out(*, actor, assignment_id: int, now: datetime | None = None) -> HoursRecord:
    """Check out: the hours served (check-in to check-out within the shift's bounds) are recorded."""
    now = _now(now)
    assignment = _assignment(actor, assignment_id, "own")
    if not assignment.checked_in_at:
        raise ValidationError(_("请先签到"))
    if assignment.checked_out_at:
        raise ValidationError(_("您已签退"))
    assignment.checked_out_at = now
    assignment.save(update_fields=["checked_out_at", "updated_at"])
    record = _record_hours(assignment, until=now, status=HoursStatus.APPROVED)
    audit_record(actor=actor, action="rosters.check_out", obj=assignment,
                 organisation_id=assignment.shift.group.organisation_id, detail={"minutes": record.minutes})
    return record


def close_forgotten_check_outs(*, now: datetime | None = None) -> int:
    """Checked in, never checked out, an hour past the end: closed at the shift's end, hours await approval."""
    now = _now(now)
    count = 0
    rows = (Assignment.objects.filter(status=AssignmentStatus.ACTIVE, checked_in_at__isnull=False,
                                      checked_out_at__isnull=True, shift__ends_at__lt=now - CHECK_OUT_GRACE)
            .select_related("shift__group"))
    for assignment in rows:
        with transaction.atomic():
            locked = Assignment.objects.select_for_update().filter(pk=assignment.pk, checked_out_at__isnull=True).first()
            if locked is None:
                continue
            locked.shift = assignment.shift
            locked.checked_out_at = assignment.shift.ends_at
            locked.save(update_fields=["checked_out_at", "updated_at"])
            _record_hours(locked, until=assignment.shift.ends_at, status=HoursStatus.PENDING,
                          note=_("未签退，按班次结束时间计，待机构确认"))
            audit_record(actor=None, action="rosters.auto_check_out", obj=locked, actor_label="system",
                         organisation_id=assignment.shift.group.organisation_id)
            count += 1
    return count


@transaction.atomic
def assignment_mark_no_show(*, actor, assignment_id: int, now: datetime | None = None) -> Assignment:
    """The secretary marks someone who did not come; it shows in their record and counts toward the block."""
    now = _now(now)
    assignment = _assignment(actor, assignment_id, "manage")
    require_roster_manager(actor)
    if assignment.status != AssignmentStatus.ACTIVE:
        raise ValidationError(_("此人已不在该班次"))
    if assignment.shift.starts_at > now:
        raise ValidationError(_("班次开始后才能标记缺勤"))
    if assignment.checked_in_at:
        raise ValidationError(_("此人已签到，不能标记缺勤"))
    _release_place(assignment, AssignmentStatus.NO_SHOW, actor)
    shift = assignment.shift
    total = no_show_count(assignment.user_id)
    limit = policy_for(shift.group.organisation_id).no_show_limit
    text = _("您在%(shift)s的值班被记为缺勤") % {"shift": _shift_label(shift)}
    if limit and total >= limit:
        text += _("；缺勤已达%(n)d次，暂停自主认领，请联系社会工作者") % {"n": total}
    _notify([assignment.user_id], text, shift=shift, kind="no_show")
    audit_record(actor=actor, action="rosters.no_show", obj=assignment, organisation_id=shift.group.organisation_id,
                 detail={"user_id": assignment.user_id, "no_shows": total})
    return assignment


@transaction.atomic
def no_show_lift(*, actor, user_id: int, reason: str) -> NoShowLift:
    """A social worker (or organisation admin) lets a blocked volunteer claim again."""
    scope = require_hours_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写解除原因")})
    # Only for volunteers on shifts of groups the actor manages.
    group_ids = Group.objects.filter(roster_managed_q(scope)).values("pk")
    if not Assignment.objects.filter(user_id=user_id, shift__group_id__in=group_ids).exists():
        raise ObjectNotFound()
    organisation_id = min(scope.organisation_ids) if scope.organisation_ids else None
    lift = NoShowLift.objects.create(user_id=user_id, organisation_id=organisation_id, lifted_by=actor,
                                     reason=reason[:200])
    _notify([user_id], _("社会工作者已解除您的认领限制，可以重新认领班次"), kind="no_show_lift")
    audit_record(actor=actor, action="rosters.no_show_lift", obj=lift, reason=reason, detail={"user_id": user_id})
    return lift


@transaction.atomic
def handover_write(*, actor, shift_id: int, body: str) -> HandoverNote:
    """工作交接: someone on this shift (or running the roster) leaves a note the next shift reads first."""
    shift = Shift.objects.for_actor(actor, "view").select_related("group").filter(pk=shift_id).first()
    if shift is None:
        raise ObjectNotFound()
    on_shift = Assignment.objects.filter(shift=shift, user=actor, status=AssignmentStatus.ACTIVE).exists()
    manages = Shift.objects.for_actor(actor, "manage").filter(pk=shift_id).exists()
    if not (on_shift or manages):
        raise ValidationError(_("只有本班次的值班人员可以写交接"))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("请填写交接内容")})
    note = HandoverNote.objects.create(shift=shift, author=actor, body=body[:4000])
    following = (Shift.objects.filter(group=shift.group, status=ShiftStatus.OPEN, starts_at__gte=shift.starts_at)
                 .exclude(pk=shift.pk).order_by("starts_at").first())
    if following is not None:
        users = Assignment.objects.filter(shift=following, status=AssignmentStatus.ACTIVE).values_list("user_id", flat=True)
        _notify(users, _("上一班留下了交接记录，请在上岗前查看：%(shift)s") % {"shift": _shift_label(following)},
                shift=following, url=reverse("rosters:shift_detail", args=[following.pk]), kind="handover")
    audit_record(actor=actor, action="rosters.handover", obj=note, organisation_id=shift.group.organisation_id)
    return note


# ------------------------------------------------------------------------------------------ calls for help


@transaction.atomic
def help_call(*, actor, need_id: int, now: datetime | None = None) -> HelpCall:
    """Send an unfilled place to every eligible free volunteer of the group (in the app and by SMS)."""
    now = _now(now)
    need = _need(actor, need_id, "manage")
    require_roster_manager(actor)
    shift = need.shift
    if shift.status != ShiftStatus.OPEN or shift.starts_at <= now:
        raise ValidationError(_("只能为尚未开始的班次求助"))
    if need.gap <= 0:
        raise ValidationError(_("这一岗位已排满"))
    last = HelpCall.objects.filter(need=need).order_by("-created_at").first()
    if last is not None and last.created_at > now - HELP_CALL_INTERVAL:
        raise ValidationError(_("30分钟内已为这一岗位求助过，请稍后再试"))
    users = eligible_free_users(need, now=now)
    call = HelpCall.objects.create(need=need, sent_by=actor, recipients=len(users))
    _notify([u.pk for u in users], _("急需补位：%(shift)s 还缺%(n)d名%(kind)s，点此认领") % {
        "shift": _shift_label(shift), "n": need.gap, "kind": DutyKind(need.kind).label},
        shift=shift, url=reverse("rosters:my_shifts") + "#open", sms=True, kind="help_call")
    audit_record(actor=actor, action="rosters.help_call", obj=call, organisation_id=shift.group.organisation_id,
                 detail={"recipients": len(users), "kind": need.kind})
    return call


# ------------------------------------------------------------------------------------------ hours


def _hours_record(actor, record_id: int, action: str) -> HoursRecord:
    record = (HoursRecord.objects.for_actor(actor, action).select_for_update(of=("self",))
              .select_related("user", "organisation").filter(pk=record_id).first())
    if record is None:
        raise ObjectNotFound()
    return record


def service_organisation_ids(user) -> set[int]:
    """Organisations a volunteer serves: their own, those running their groups, those holding their records."""
    groups = GroupMember.objects.filter(user=user, status=MemberStatus.ACTIVE).values_list("group__organisation_id",
                                                                                          flat=True)
    records = HoursRecord.objects.filter(user=user).values_list("organisation_id", flat=True).distinct()
    return set(scope_for(user).organisation_ids) | set(groups) | set(records)


@transaction.atomic
def hours_manual_add(*, actor, organisation_id: int, service_date: date, minutes: int, content: str,
                     now: datetime | None = None) -> HoursRecord:
    """A volunteer records service done outside a shift; the organisation confirms it before it counts."""
    if organisation_id not in service_organisation_ids(actor):
        raise ObjectNotFound()
    errors = {}
    if service_date > timezone.localdate(_now(now)):
        errors["service_date"] = _("服务日期不能晚于今天")
    if not 1 <= minutes <= 24 * 60:
        errors["minutes"] = _("时长应在1分钟到24小时之间")
    if not (content or "").strip():
        errors["content"] = _("请填写服务内容")
    if errors:
        raise ValidationError(errors)
    record = HoursRecord.objects.create(user=actor, organisation_id=organisation_id, service_date=service_date,
                                        minutes=minutes, content=content.strip()[:200], source=HoursSource.MANUAL,
                                        status=HoursStatus.PENDING, recorded_by=actor)
    audit_record(actor=actor, action="rosters.hours_add", obj=record, organisation_id=organisation_id,
                 detail={"minutes": minutes})
    return record


@transaction.atomic
def hours_decide(*, actor, record_id: int, approve: bool, note: str = "") -> HoursRecord:
    """The organisation confirms (or declines) a pending hours record."""
    require_hours_manager(actor)
    record = _hours_record(actor, record_id, "manage")
    if record.status != HoursStatus.PENDING:
        raise ValidationError(_("该记录已处理"))
    if record.user_id == actor.pk:
        raise ValidationError(_("不能确认自己的服务时长，请由其他工作人员处理"))
    if not approve and not (note or "").strip():
        raise ValidationError({"note": _("不予确认时请写明原因")})
    record.status = HoursStatus.APPROVED if approve else HoursStatus.REJECTED
    record.decided_by, record.decided_at, record.note = actor, timezone.now(), (note or record.note)[:300]
    record.save(update_fields=["status", "decided_by", "decided_at", "note", "updated_at"])
    _notify([record.user_id], (_("您的服务时长已确认：%(d)s %(h)s小时") if approve else
                               _("您的服务时长未被确认：%(d)s %(h)s小时")) % {"d": record.service_date, "h": record.hours}, kind="hours_decided")
    audit_record(actor=actor, action="rosters.hours_decide", obj=record, organisation_id=record.organisation_id,
                 detail={"approved": approve})
    return record


@transaction.atomic
def hours_correction_request(*, actor, record_id: int, minutes: int, reason: str) -> HoursCorrection:
    """A volunteer asks for a correction of one of their records."""
    record = HoursRecord.objects.filter(pk=record_id, user=actor).first()
    if record is None:
        raise ObjectNotFound()
    errors = {}
    if not 0 <= minutes <= 24 * 60:
        errors["minutes"] = _("时长应在0到24小时之间")
    elif minutes == record.minutes:
        errors["minutes"] = _("与现有记录相同，无需更正")
    if not (reason or "").strip():
        errors["reason"] = _("请写明更正理由")
    if HoursCorrection.objects.filter(record=record, status=RequestStatus.PENDING).exists():
        errors["reason"] = _("这条记录已有待处理的更正申请")
    if errors:
        raise ValidationError(errors)
    correction = HoursCorrection.objects.create(record=record, requested_by=actor, minutes=minutes,
                                                reason=reason.strip()[:300])
    audit_record(actor=actor, action="rosters.hours_correction", obj=correction,
                 organisation_id=record.organisation_id, detail={"from": record.minutes, "to": minutes})
    return correction


@transaction.atomic
def hours_correction_decide(*, actor, correction_id: int, accept: bool, note: str = "") -> HoursCorrection:
    """The organisation decides a correction; an accepted one changes the record."""
    require_hours_manager(actor)
    correction = (HoursCorrection.objects.select_for_update().select_related("record")
                  .filter(pk=correction_id, record__in=HoursRecord.objects.for_actor(actor, "manage")).first())
    if correction is None:
        raise ObjectNotFound()
    if correction.status != RequestStatus.PENDING:
        raise ValidationError(_("该申请已处理"))
    if correction.requested_by_id == actor.pk:
        raise ValidationError(_("不能处理自己的更正申请"))
    if not accept and not (note or "").strip():
        raise ValidationError({"note": _("不予更正时请写明原因")})
    correction.status = RequestStatus.APPROVED if accept else RequestStatus.DECLINED
    correction.decision_note, correction.decided_by, correction.decided_at = (note or "")[:300], actor, timezone.now()
    correction.save()
    if accept:
        record = correction.record
        before = record.minutes
        record.minutes = correction.minutes
        record.note = _("已按更正申请从%(a)d分钟改为%(b)d分钟") % {"a": before, "b": correction.minutes}
        record.save(update_fields=["minutes", "note", "updated_at"])
    _notify([correction.requested_by_id], _("您的时长更正申请已处理：%(r)s") % {
        "r": _("已更正") if accept else _("未更正（%(n)s）") % {"n": note}}, kind="hours_correction")
    audit_record(actor=actor, action="rosters.hours_correction_decide", obj=correction,
                 organisation_id=correction.record.organisation_id, detail={"accepted": accept})
    return correction


def _certificate_number(organisation_id: int, year: int) -> str:
    prefix = f"ZYFW{organisation_id:03d}{year}"
    last = (HoursCertificate.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    seq = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


@transaction.atomic
def certificate_issue(*, actor, organisation_id: int, now: datetime | None = None) -> HoursCertificate:
    """志愿服务证明 for the volunteer's confirmed hours with one organisation (a numbered snapshot)."""
    now = _now(now)
    Organisation.objects.select_for_update().filter(pk=organisation_id).first()  # one number at a time
    records = list(HoursRecord.objects.filter(user=actor, organisation_id=organisation_id,
                                              status=HoursStatus.APPROVED).order_by("service_date"))
    if not records or not sum(r.minutes for r in records):
        raise ValidationError(_("还没有已确认的服务时长，暂不能开具证明"))
    organisation = Organisation.objects.get(pk=organisation_id)
    policy = RosterPolicy.objects.filter(organisation_id=organisation_id).first()
    application = (VolunteerApplication.objects.filter(user=actor, status=ApplicationStatus.APPROVED)
                   .order_by("-reviewed_at").first())
    contents = []
    for record in records:
        if record.content not in contents:
            contents.append(record.content)
    certificate = HoursCertificate.objects.create(
        number=_certificate_number(organisation_id, timezone.localdate(now).year), user=actor,
        organisation=organisation, name=(application.name if application else actor.display_name) or actor.username,
        doc_type_label=str(DocumentType(application.doc_type).label) if application else "—",
        doc_masked=application.doc_masked if application else "—", minutes=sum(r.minutes for r in records),
        period_from=records[0].service_date, period_to=records[-1].service_date,
        content=("线上抗疫志愿服务：" + "、".join(contents))[:300],
        person_in_charge=(policy.person_in_charge if policy else "") or "—",
        handler=(policy.handler if policy else "") or "—",
        contact_phone=(policy.contact_phone if policy else "") or "—",
    )
    audit_record(actor=actor, action="rosters.certificate_issue", obj=certificate, organisation_id=organisation_id,
                 detail={"minutes": certificate.minutes})
    return certificate


# ------------------------------------------------------------------------------------------ calendar feed


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(f"roster-ical:{token}".encode()).hexdigest()


@transaction.atomic
def feed_create(*, actor) -> str:
    """A new private iCal link (any earlier link stops working); the token is shown once."""
    CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(24)
    feed = CalendarFeed.objects.create(user=actor, token_hash=feed_token_hash(token))
    audit_record(actor=actor, action="rosters.feed_create", obj=feed)
    return token


@transaction.atomic
def feed_revoke(*, actor) -> int:
    revoked = CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(actor=actor, action="rosters.feed_revoke", detail={"revoked": revoked})
    return revoked


def notices_mark_read(*, actor) -> int:
    """我的班次 shows the unread roster notifications once (as the old in-app notices did): mark them read."""
    from sanshe.core.notify.services import notifications_mark_all_read

    return notifications_mark_all_read(actor=actor, kind_prefix="rosters.")

