"""Demo roster on top of the core and volunteer demos: a focus group's template and a month of shifts (two
weeks served, with check-ins, hours, a no-show and handover notes; two weeks ahead, partly filled so the
coverage board has gaps). Made through the real services with simulated clocks. Deterministic, idempotent.

Runs after `sanshe.volunteers.demo` (it needs cleared volunteers) and after the groups demo if there is one
(it uses the first consultation group of the first community, or creates one).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sanshe.accounts.models import User
from sanshe.groups.clearance import clearance_problem
from sanshe.groups.models import DutyKind, Group, GroupMember, GroupTier, MemberRole, MemberStatus
from sanshe.groups.services import group_create, member_add
from sanshe.volunteers.models import ApplicationStatus, VolunteerApplication

from . import services
from .models import Assignment, AssignmentStatus, Shift, ShiftStatus, ShiftTemplate

TEMPLATE_NAME = "日常值班（演示）"
DAYS_BACK, DAYS_AHEAD = 14, 16
HANDOVERS = [
    "上午共答复11个问题：3户询问隔离期满解除流程，已转社工；5栋刘阿姨（独居）血压偏高，已建议联系家庭医生，下午请再问一次。",
    "8栋一位居民连续两天夜里失眠、情绪低落，已私聊安抚并约好明天上午再聊，请心理值班同事跟进。",
    "团购药品信息有人转发了未经核实的“特效药”链接，已报群管理员处理；请下一班继续留意。",
]


def _user(username: str | None = None, *, applicant: str | None = None) -> User | None:
    if username:
        return User.objects.filter(username=username).first()
    application = (VolunteerApplication.objects.filter(name=applicant, status=ApplicationStatus.APPROVED)
                   .select_related("user").first())
    return application.user if application else None


def _ensure_member(actor, group: Group, user: User | None, role: str) -> None:
    if user is None:
        return
    if GroupMember.objects.filter(group=group, user=user, status=MemberStatus.ACTIVE).exists():
        return
    if clearance_problem(user, role):
        return  # not cleared for duty (issue 3): the volunteers pages show what they still lack
    member_add(actor=actor, group=group, user=user, role=role)


def _claim(user: User | None, shift: Shift, kind: str) -> Assignment | None:
    if user is None:
        return None
    need = shift.needs.filter(kind=kind).first()
    if need is None:
        return None
    try:
        return services.shift_claim(actor=user, need_id=need.pk, now=shift.starts_at - timedelta(days=2))
    except ValidationError:
        return None  # the rules said no (rest, hours, overlap): the demo keeps the gap, as real life would


@transaction.atomic
def demo_load(*, today: date) -> str:
    """Write the demo roster (nothing if the demo template exists); returns a one-line Chinese summary."""
    if ShiftTemplate.objects.filter(name=TEMPLATE_NAME).exists():
        return "排班：演示数据已存在"
    social_worker = _user("shegong")
    if social_worker is None:
        return "排班：未找到演示社工账号，跳过"
    community = social_worker.memberships.filter(is_active=True).first().communities.order_by("pk").first()
    group = (Group.objects.filter(community=community, tier__in=[GroupTier.FOCUS, GroupTier.KEY], is_archived=False)
             .order_by("tier", "pk").first())
    if group is None:
        group = group_create(actor=social_worker, tier=GroupTier.FOCUS, community=community,
                             name=f"{community.name}聚焦服务群")
    people = {
        "mishu": _user("mishu"), "mishu2": _user("mishu2"), "yiwu": _user("yiwu"), "yiwu2": _user("yiwu2"),
        "xinli": _user("xinli"), "xinli2": _user("xinli2"), "chen": _user(applicant="陈志明"),
        "liu": _user(applicant="刘芳"),
    }
    for key, role in (("mishu", MemberRole.SECRETARY), ("mishu2", MemberRole.SECRETARY), ("yiwu", MemberRole.MEDICAL),
                      ("yiwu2", MemberRole.MEDICAL), ("chen", MemberRole.MEDICAL), ("xinli", MemberRole.PSYCHOLOGICAL),
                      ("xinli2", MemberRole.PSYCHOLOGICAL), ("liu", MemberRole.PSYCHOLOGICAL)):
        _ensure_member(social_worker, group, people[key], role)

    admin = _user("admin")
    if admin is not None:
        services.policy_update(actor=admin, organisation_id=group.organisation_id, person_in_charge="陈建华",
                               handler="刘思远", contact_phone="027-85812020")
    both = {DutyKind.MEDICAL: 1, DutyKind.PSYCHOLOGICAL: 1, DutyKind.SECRETARY: 1}
    template = services.template_save(actor=social_worker, group_id=group.pk, name=TEMPLATE_NAME, slots=[
        services.SlotInput(8 * 60, 12 * 60, tuple(range(7)), both),
        services.SlotInput(14 * 60, 18 * 60, tuple(range(7)), both),
        services.SlotInput(19 * 60, 22 * 60, tuple(range(7)), {DutyKind.PSYCHOLOGICAL: 1, DutyKind.SECRETARY: 1}),
    ])
    tz = timezone.get_current_timezone()
    first_day = today - timedelta(days=DAYS_BACK)
    services.shifts_generate(actor=social_worker, template_id=template.pk, date_from=first_day,
                             date_to=today + timedelta(days=DAYS_AHEAD),
                             now=datetime.combine(first_day, time(0), tzinfo=tz) - timedelta(minutes=1))
    now = timezone.now()
    filled = served = 0
    shifts = list(Shift.objects.filter(template=template).select_related("group").order_by("starts_at"))
    for shift in shifts:
        day = (timezone.localtime(shift.starts_at).date() - first_day).days
        slot = timezone.localtime(shift.starts_at).hour
        even = day % 2 == 0
        if day > DAYS_BACK + 3 and slot != 8:
            continue  # further ahead only mornings are arranged: the coverage board shows the rest
        if slot == 8:
            plan = [(people["yiwu"] if even else people["chen"], DutyKind.MEDICAL),
                    (people["xinli"] if even else people["liu"], DutyKind.PSYCHOLOGICAL),
                    (people["mishu"], DutyKind.SECRETARY)]
        elif slot == 14:
            plan = [(people["chen"] if even else people["yiwu"], DutyKind.MEDICAL),
                    (people["liu"] if even else people["xinli"], DutyKind.PSYCHOLOGICAL),
                    (people["mishu2"], DutyKind.SECRETARY)]
        else:
            plan = [(people["liu"] if day % 3 == 0 else None, DutyKind.PSYCHOLOGICAL)]
        for user, kind in plan:
            assignment = _claim(user, shift, kind)
            if assignment is None:
                continue
            filled += 1
            if shift.starts_at > now:
                continue
            if day == 3 and kind == DutyKind.MEDICAL and slot == 14:
                services.assignment_mark_no_show(actor=people["mishu2"], assignment_id=assignment.pk,
                                                 now=shift.starts_at + timedelta(minutes=40))
                continue
            services.assignment_check_in(actor=user, assignment_id=assignment.pk,
                                         now=shift.starts_at - timedelta(minutes=5 + day % 10))
            if shift.ends_at <= now:
                services.assignment_check_out(actor=user, assignment_id=assignment.pk,
                                              now=shift.ends_at + timedelta(minutes=day % 4))
                served += 1
        if shift.ends_at <= now and shift.starts_at >= now - timedelta(days=3) and slot in (8, 14):
            author = people["mishu"] if slot == 8 else people["mishu2"]
            if author is not None and Assignment.objects.filter(shift=shift, user=author,
                                                                status=AssignmentStatus.ACTIVE).exists():
                services.handover_write(actor=author, shift_id=shift.pk, body=HANDOVERS[day % len(HANDOVERS)])
    open_shifts = sum(1 for s in shifts if s.status == ShiftStatus.OPEN)
    return (f"排班：{group.name} 生成{open_shifts}个班次（前{DAYS_BACK}天至后{DAYS_AHEAD}天），"
            f"排班{filled}人次，已签到签退{served}人次")
