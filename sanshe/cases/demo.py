"""Demo cases on top of the core, groups and monitoring demos: open cases in every status with follow-ups
(some overdue), a part assigned to a medic, referrals waiting from each source, and a resident's 求助.

Deterministic and idempotent: nothing happens when the demo already has cases. The monitoring demo's records
are referred first (its first red-flag alert and a screening entry), then the sources it lacks.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from sanshe.accounts.models import User
from sanshe.people.models import Person

from .models import Case, CasePart, HelpRequest, Referral, ReferralStatus


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def demo_load(*, today: date) -> str:
    if Case.objects.exists():
        return "个案演示数据已存在，未重复加载。"
    users = {u.username: u for u in User.objects.filter(username__in=["shegong", "shegong2", "shequ", "yiwu",
                                                                       "xinli", "jumin"])}
    if "shegong" not in users or "shequ" not in users:
        return "未找到核心演示数据（社工 shegong），未加载个案演示数据。"
    with transaction.atomic():
        return _load(today=today, users=users)


def _people(social_worker: User, exclude: set[int], count: int) -> list[Person]:
    from .policies import cases_scope

    communities = cases_scope(social_worker).communities("cases.manage")
    return list(Person.objects.filter(community_id__in=communities, is_active=True, user__isnull=True)
                .exclude(pk__in=exclude).exclude(referrals__isnull=False).order_by("pk")[:count])


def _load(*, today: date, users: dict[str, User]) -> str:
    from . import services

    sw, worker = users["shegong"], users["shequ"]
    now = timezone.now()
    _monitoring_referrals(worker=worker)
    busy = set(Referral.objects.values_list("person_id", flat=True))
    resident = users.get("jumin")
    if resident is not None and hasattr(resident, "person"):
        # The demo resident's family stays out of the social workers' caseload (their login shows their home).
        busy |= set(Person.objects.filter(household_id=resident.person.household_id).values_list("pk", flat=True))
    people = _people(sw, busy, 6)
    if len(people) < 5:
        return "演示社区人员不足，未加载个案演示数据。"
    opened = _at(today - timedelta(days=5), 9, 30)
    stories = [
        # (status, urgency, emotion, medical, psychological, needs, plan)
        ("in_service", "within_24h", "独居，隔离后情绪低落，夜里睡不着", "高血压，药快吃完", "担心自己被感染",
         ["health_consultation", "medical_supplies", "emotional_support"],
         "每日电话问候；联系医务志愿者解答用药；社区代购降压药；一周后复评PHQ-9"),
        ("open", "immediate", "与家人争吵后说“活着没意思”", "", "需要心理评估",
         ["emotional_support", "online_accompaniment"], "当天完成C-SSRS筛查；安排心理咨询志愿者线上陪伴"),
        ("in_service", "routine", "照顾确诊家属，疲惫焦虑", "家属住院中", "",
         ["quarantine_guidance", "daily_living_care"], "隔离指导；协调生活物资配送"),
        ("referred_out", "within_24h", "", "孕晚期，产检中断", "紧张",
         ["hospital_admission", "health_consultation"], "联系定点医院产科；转介至街道妇幼保健"),
        ("closed", "routine", "失业焦虑", "", "",
         ["living_supplies", "emotional_support"], "对接社区救助；链接就业信息"),
    ]
    cases = []
    for index, (status, urgency, emotion, medical, psychological, needs, plan) in enumerate(stories):
        person = people[index]
        case = services.case_open(actor=sw, person_id=person.pk, urgency=urgency,
                                  now=opened + timedelta(hours=index * 7))
        services.case_intake_save(actor=sw, case_id=case.pk, emergency_contact_name="家属" + person.name[:1],
                                  emergency_contact_phone=f"1390715{3000 + index:04d}", demand_emotion=emotion,
                                  demand_medical=medical, demand_psychological=psychological, needs=needs, plan=plan)
        cases.append((case, status))
    day = today - timedelta(days=4)
    first, second, third, fourth, fifth = (c for c, _s in cases)
    medic, counsellor = users.get("yiwu"), users.get("xinli")
    entries = [
        (first, day, CasePart.MEDICAL, "医务志愿者电话解答降压药替代方案", medic, True, None),
        (first, day, CasePart.OTHER, "社区代购降压药两盒，已送到门口", worker, True, None),
        (first, day + timedelta(days=1), CasePart.PSYCHOLOGICAL, "线上陪伴30分钟，情绪有所好转", counsellor, True, None),
        # Overdue: planned two days ago, not done — the owner is reminded.
        (first, today - timedelta(days=2), CasePart.PSYCHOLOGICAL, "复评PHQ-9", counsellor, False,
         _at(today - timedelta(days=1), 18)),
        (second, today - timedelta(days=1), CasePart.PSYCHOLOGICAL, "完成C-SSRS筛查，安排每日陪伴", counsellor, False,
         _at(today - timedelta(days=1), 12)),
        (third, day, CasePart.OTHER, "生活物资配送已协调物业", worker, True, None),
        (third, today, CasePart.OTHER, "回访家属住院情况", sw, False, _at(today + timedelta(days=1), 17)),
        (fourth, day, CasePart.MEDICAL, "已联系定点医院产科预约", medic, True, None),
    ]
    for case, when, part, content, who, done, due in entries:
        who = who or sw
        services.case_followup_add(actor=sw, case_id=case.pk, date=when, domain=part, content=content,
                                   responsible_name=str(who), responsible_id=who.pk, contact=who.phone or "",
                                   due_at=due, done=done, now=_at(when, 20) if done else now - timedelta(days=3))
    for case, status in cases:
        if status in {"in_service", "referred_out", "closed"}:
            services.case_status_set(actor=sw, case_id=case.pk, status="in_service", reason="信息采集完成，开始服务",
                                     now=case.opened_at + timedelta(hours=2))
        if status == "referred_out":
            services.case_status_set(actor=sw, case_id=case.pk, status="referred_out",
                                     reason="转介至街道妇幼保健院产科", now=case.opened_at + timedelta(days=1))
        if status == "closed":
            services.case_status_set(actor=sw, case_id=case.pk, status="closed", reason="需求已满足，本人同意结案",
                                     now=case.opened_at + timedelta(days=3))
    if medic is not None:
        try:
            services.case_assign(actor=sw, case_id=first.pk, part=CasePart.MEDICAL, assignee_id=medic.pk,
                                 note="负责用药咨询")
        except Exception:  # noqa: BLE001 — the medic may not cover this community in a trimmed demo
            pass
    waiting = _waiting_referrals(worker=worker, spare=people[5:], today=today)
    help_note = _help_request(resident)
    return (f"个案演示数据：{len(cases)} 个个案（含超时跟进），待接收转介 "
            f"{Referral.objects.filter(status=ReferralStatus.NEW).count()} 条（新增 {waiting}）{help_note}。")


def _monitoring_referrals(*, worker: User) -> None:
    """The community worker refers what the monitoring demo found: today's first red-flag alert (fever, cough,
    low oxygen and a worried family) and a household of the screening round (an elderly person alone)."""
    from django.apps import apps

    if not apps.is_installed("sanshe.monitoring"):
        return
    from sanshe.monitoring.choices import AlertKind, ContactMethod
    from sanshe.monitoring.models import Alert, ScreeningEntry

    from . import services

    first = Alert.objects.filter(kind=AlertKind.RED_FLAG, check_in__isnull=False).order_by("pk").first()
    if first is not None:
        alert = Alert.objects.filter(person_id=first.person_id).order_by("-pk").first()
        services.referral_create(actor=worker, person_id=alert.person_id, source_kind="alert", source_id=alert.pk,
                                 reason="隔离期间发热伴咳嗽，血氧偏低，本人非常担心家中老人，情绪紧张，需要社工跟进。",
                                 urgency="within_24h")
    entry = (ScreeningEntry.objects.exclude(contact=ContactMethod.UNREACHABLE)
             .select_related("household").order_by("pk").first())
    if entry is not None:
        person = Person.objects.filter(household=entry.household).order_by("pk").first()
        if person is not None and not Referral.objects.filter(person=person).exists():
            services.referral_create(actor=worker, person_id=person.pk, source_kind="screening",
                                     source_id=entry.pk, urgency="routine",
                                     reason="独居老人，家中常用降压药快吃完了，子女在外地，希望有人帮忙买药。")


def _waiting_referrals(*, worker: User, spare: list[Person], today: date) -> int:
    """Referrals of the sources the other demos did not produce: a chat risk alert and a check-in."""
    from . import services

    added = 0
    added += _chat_alert()
    try:
        from sanshe.monitoring.models import CheckIn

        check_in = (CheckIn.objects.filter(person__community_id__in=[p.community_id for p in spare])
                    .exclude(person__referrals__isnull=False).order_by("-pk").first())
        if check_in is not None:
            services.referral_create(actor=worker, person_id=check_in.person_id, source_kind="check_in",
                                     source_id=check_in.pk, urgency="within_24h",
                                     reason="健康打卡连续三天写“心里很慌、睡不着”，希望社工联系。")
            added += 1
    except LookupError:
        pass
    return added


def _chat_alert() -> int:
    """A resident writes something alarming in their group: the risk alert becomes an immediate referral."""
    from django.apps import apps

    if not apps.is_installed("sanshe.groups"):
        return 0
    from sanshe.groups.models import GroupMember, MemberStatus, RiskAlert
    from sanshe.groups.services import message_send

    from . import services

    if RiskAlert.objects.exists():
        alert = RiskAlert.objects.filter(subject__person__isnull=False).order_by("-level", "pk").first()
        return int(alert is not None and services.referral_from_chat_alert(alert_id=alert.pk) is not None)
    member = (GroupMember.objects.filter(status=MemberStatus.ACTIVE, user__person__isnull=False,
                                         user__memberships__isnull=True)
              .select_related("group", "user").order_by("-group__tier", "pk").first())
    if member is None:
        return 0
    message_send(actor=member.user, group=member.group, body="封了这么久，实在撑不下去了，不想活了，安眠药已经攒好了。",
                 client_id="cases-demo-risk")
    return 1


def _help_request(resident: User | None) -> str:
    from . import services

    if resident is None or not hasattr(resident, "person") or HelpRequest.objects.filter(user=resident).exists():
        return ""
    services.help_request_create(actor=resident, kinds=["emotion", "other"], urgency="today",
                                 text="家里老人隔离在医院，我一个人带孩子，这几天很焦虑，想找人聊聊。")
    return "，居民求助 1 条"
