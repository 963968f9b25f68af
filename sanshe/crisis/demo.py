"""Demo crises on top of the cases and groups demos.

- Yesterday evening: a crisis on the demo case at immediate urgency (a client who said "活着没意思"),
  acknowledged within two minutes, the whole checklist done, the outcome recorded and closed.
- Now: a crisis started from the chat risk alert of the demo resident (jumin) that nobody has acknowledged
  yet: the on-duty counsellor, the social worker and the organisation admin are alerted; when the periodic
  task runs (every minute), it escalates after 5 minutes, and again every 5 minutes until someone acknowledges.
Deterministic and idempotent: nothing happens when the demo already has crises.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from sanshe.accounts.models import User

from .models import CrisisResponse


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def demo_load(*, today: date) -> str:
    if CrisisResponse.objects.exists():
        return "危机处置演示数据已存在，未重复加载。"
    social_worker = User.objects.filter(username="shegong", is_active=True).first()
    if social_worker is None:
        return "未找到演示社工（shegong），未加载危机处置演示数据。"
    with transaction.atomic():
        closed = _closed_crisis(social_worker, today)
    with transaction.atomic():
        waiting = _waiting_crisis(social_worker)
    parts = []
    if closed:
        parts.append("已结束 1 起（清单完成、已记录结果）")
    if waiting:
        parts.append("待确认 1 起（无人确认将每5分钟升级）")
    return "危机处置演示数据：" + ("，".join(parts) if parts else "没有可用的演示个案，未加载") + "。"


def _closed_crisis(social_worker: User, today: date) -> bool:
    from sanshe.cases.models import OPEN_CASE_STATUSES, Case

    from . import services

    case = (Case.objects.for_actor(social_worker, "change").filter(status__in=OPEN_CASE_STATUSES,
                                                                 urgency="immediate", person__user__isnull=True)
            .order_by("opened_at", "pk").first())
    if case is None:
        return False
    if not case.emergency_contact_phone:
        from sanshe.cases.services import case_intake_save

        # The checklist calls the emergency contact: the intake gets one through the cases feature, the rest of
        # it as it was.
        case = case_intake_save(actor=social_worker, case_id=case.pk, emergency_contact_name="家属",
                                emergency_contact_phone="13907150001", demand_emotion=case.demand_emotion,
                                demand_medical=case.demand_medical, demand_psychological=case.demand_psychological,
                                demand_other=case.demand_other, needs=case.needs, needs_other=case.needs_other,
                                plan=case.plan)
    opened = _at(today - timedelta(days=1), 21, 10)
    crisis = services.crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                                  reason="晚间电话回访时说“活着没意思，今晚不想再撑了”，独自在家。", now=opened)
    minute = timedelta(minutes=1)
    services.crisis_acknowledge(actor=social_worker, crisis=crisis, now=opened + 2 * minute)
    steps = [
        ("stay_in_contact", "", "一直保持通话，请本人把药品交给家人保管", 3),
        ("emergency_contact", "", "联系到女儿，20分钟内赶到", 6),
        ("community", "", "社区值班主任已知悉，安排楼栋长先上门陪伴", 9),
        ("emergency_call", "not_applicable", "本人无外伤、未服药，家属和楼栋长已到场，暂不需120/110", 25),
        ("help_confirmed", "", "女儿已到家，楼栋长在场，本人情绪平稳", 31),
    ]
    for kind, call, note, minutes in steps:
        services.crisis_step_record(actor=social_worker, crisis=crisis, kind=kind, call=call, note=note,
                                    now=opened + minutes * minute)
    services.crisis_note_add(actor=social_worker, crisis=crisis, text="再次通话：已答应明早与心理咨询志愿者线上见面",
                             now=opened + 40 * minute)
    services.crisis_close(actor=social_worker, crisis=crisis, outcome_kind="safe_with_family",
                          outcome="女儿今晚留宿陪伴；明早9点社工回访，安排心理咨询志愿者每日线上陪伴一周。",
                          now=opened + 45 * minute)
    return True


def _waiting_crisis(social_worker: User) -> bool:
    """From the demo resident's chat risk alert (or their case), opened two minutes ago, not acknowledged."""
    from sanshe.cases.services import case_open
    from sanshe.people.models import Person

    from . import services

    now = timezone.now() - timedelta(minutes=2)
    try:
        from sanshe.groups.models import RiskAlert

        alert = (RiskAlert.objects.for_actor(social_worker, "view").filter(subject__person__isnull=False)
                 .order_by("-level", "pk").first())
    except LookupError:
        alert = None
    if alert is not None:
        try:
            services.crisis_from_alert(actor=social_worker, alert_id=alert.pk, now=now)
            return True
        except (ValidationError, PermissionDenied, Http404):  # the person may lie outside shegong's communities
            pass
    person = Person.objects.filter(user__username="jumin").first()
    if person is None:
        return False
    case = case_open(actor=social_worker, person_id=person.pk, now=now)
    services.crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                         reason="群里说“实在撑不下去了，安眠药已经攒好了”，私聊未回复。", now=now)
    return True
