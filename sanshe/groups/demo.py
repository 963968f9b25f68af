"""Demo groups on top of the core demo: a focus group, a key group and a compound resident group.

Deterministic and idempotent. Builds on the demo staff by username (shegong, shequ, mishu, mishu2, yiwu,
xinli) and the demo resident (jumin); uses the focus group the roster demo made, if it ran first. Runs after
the volunteers demo: only cleared volunteers may join (yiwu2 and xinli2 are not cleared and stay out).
The secretary, the medic and the counsellor are on duty all day by hand for 30 days (so the chat can be
tried at any hour, besides the roster's shifts); mishu2 is a member who is on duty only when the roster
says so.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from sanshe.accounts.models import User

from .chat import services as chat_services
from .clearance import clearance_problem
from .membership import services as membership_services
from .models import DutyKind, Group, GroupMember, GroupTier, ManualDuty, MemberRole, MemberStatus
from .secretary import services as secretary_services

DUTY_DAYS = 30
ANNOUNCEMENT = ("本群为线上咨询服务群：医务、心理志愿者每日轮班值守。请按顺序提问；涉及隐私的问题请点“私聊值班员”。"
                "请勿转发未经核实的消息。紧急情况请拨打 120。")


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _ensure_member(actor, group: Group, user: User | None, role: str, nickname: str = "") -> None:
    """Add the member unless present, or a volunteer not cleared for duty (the volunteers demo decides who is)."""
    if user is None or GroupMember.objects.filter(group=group, user=user, status=MemberStatus.ACTIVE).exists():
        return
    if clearance_problem(user, role):
        return
    membership_services.member_add(actor=actor, group=group, user=user, role=role, nickname=nickname)


@transaction.atomic
def demo_load(*, today: date) -> str:
    """Write the demo groups (nothing if they exist); returns a one-line Chinese summary."""
    social_worker = _user("shegong")
    if social_worker is None:
        return "线上群：未找到演示社工账号，跳过"
    membership = social_worker.memberships.filter(is_active=True).first()
    community = membership.communities.order_by("pk").first() if membership else None
    if community is None:
        return "线上群：演示社工没有负责的社区，跳过"
    key_name = f"{community.name}重点陪助群"
    if Group.objects.filter(community=community, name=key_name).exists():
        return "线上群：演示数据已存在"

    focus = (Group.objects.filter(community=community, tier=GroupTier.FOCUS, is_archived=False).order_by("pk").first()
             or membership_services.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=community,
                                                 name=f"{community.name}聚焦服务群"))
    key = membership_services.group_create(actor=social_worker, tier=GroupTier.KEY, community=community, name=key_name)
    staff = {name: _user(name) for name in ("mishu", "yiwu", "xinli", "mishu2", "shequ")}
    for name, role in (("mishu", MemberRole.SECRETARY), ("yiwu", MemberRole.MEDICAL),
                       ("xinli", MemberRole.PSYCHOLOGICAL), ("mishu2", MemberRole.SECRETARY)):
        _ensure_member(social_worker, focus, staff[name], role)
        if name in ("mishu", "xinli"):
            _ensure_member(social_worker, key, staff[name], role)
    resident = _user("jumin")
    _ensure_member(social_worker, focus, resident, MemberRole.CLIENT, nickname="王女士")

    # All-day manual duty, so that someone is on duty whenever the demo is tried.
    tz = timezone.get_current_timezone()
    duties = 0
    for day in range(-2, DUTY_DAYS):  # from two days back: the demo triage is dated up to 30 hours ago
        start = datetime.combine(today + timedelta(days=day), time(0), tzinfo=tz)
        for name, kind in (("mishu", DutyKind.SECRETARY), ("yiwu", DutyKind.MEDICAL),
                           ("xinli", DutyKind.PSYCHOLOGICAL)):
            if staff[name] is None:
                continue
            for group in (focus, key) if name != "yiwu" else (focus,):
                if not GroupMember.objects.filter(group=group, user=staff[name], status=MemberStatus.ACTIVE).exists():
                    continue
                ManualDuty.objects.create(group=group, user=staff[name], kind=kind, starts_at=start,
                                          ends_at=start + timedelta(hours=24), set_by=social_worker)
                duties += 1
    membership_services.announcement_set(actor=social_worker, group=focus, text=ANNOUNCEMENT)

    messages = 0
    now = timezone.now()
    script = [
        ("mishu", secretary_services.template_render(group=focus, key="open", now=now)),
        ("jumin", "您好，我家老人这两天有点咳嗽，体温37.5度，需要去医院吗？"),
        ("yiwu", "@王女士 您好，37.5度属于低热。先多喝温水、注意休息，每4小时量一次体温；如果出现呼吸困难、"
                 "胸闷或体温超过38.5度持续不退，请及时就医。老人有基础病吗？"),
        ("jumin", "有高血压，一直在吃药。"),
        ("xinli", "也请您自己注意休息，照顾老人很辛苦，心里着急的话可以随时私聊我。"),
    ]
    for name, body in script:
        sender = resident if name == "jumin" else staff.get(name)
        if sender is None or not GroupMember.objects.filter(group=focus, user=sender,
                                                            status=MemberStatus.ACTIVE).exists():
            continue
        chat_services.message_send(actor=sender, group=Group.objects.get(pk=focus.pk), body=body, now=now)
        messages += 1

    resident_groups = 0
    community_worker = staff["shequ"]
    household = getattr(getattr(resident, "person", None), "household", None) if resident else None
    if community_worker is not None and household is not None:
        compound = household.compound
        group = membership_services.group_create(actor=community_worker, tier=GroupTier.RESIDENT, community=compound.community,
                                                 compound=compound, name=f"{compound.name}居民群")
        membership_services.announcement_set(actor=community_worker, group=group,
                                             text="本群每户一名代表，请将群昵称改为“楼栋-房号-称呼”。物资配送与核酸通知以本群公告为准。")
        invite = membership_services.invite_create(actor=community_worker, group=group)
        membership_services.invite_accept(actor=resident, token=invite.token, title="王女士")
        _ensure_member(community_worker, group, social_worker, MemberRole.SOCIAL_WORKER)
        resident_groups = 1
    return (f"线上群：{focus.name}、{key.name}、{resident_groups}个小区居民群；"
            f"手动值班{duties}班次（{DUTY_DAYS}天全天）；示例消息{messages}条")
