"""Demo service records on top of the groups demo: a day of records in the focus group and a draft summary.

Today in the focus group: the secretary (mishu) turned the demo chat's question into a consultation record
(tool 3) through "record this"; the medic (yiwu) wrote tool 6 and the counsellor (xinli) tool 7 with a next
appointment; the social worker (shegong) wrote tool 4. The secretary compiled today's daily summary (a
draft, for the social worker to review and finalise). One more "record this" is left open for the secretary
to try. Idempotent: nothing happens when the focus group already has records.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from sanshe.accounts.models import User
from sanshe.groups.models import Group, GroupMember, GroupTier, MemberStatus, Message, MessageStatus

from . import services
from .models import ServiceRecord


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _member(group: Group, user: User | None) -> bool:
    return user is not None and GroupMember.objects.filter(group=group, user=user, status=MemberStatus.ACTIVE).exists()


def _service_start(today: date, now: datetime, minutes_ago: int) -> datetime:
    """A time earlier today (never in the future, never yesterday) for the demo's service times."""
    start = now - timedelta(minutes=minutes_ago)
    midnight = datetime.combine(today, time(0, 5), tzinfo=timezone.get_current_timezone())
    return max(start, midnight) if midnight <= now else now


@transaction.atomic
def demo_load(*, today: date) -> str:
    """Write the demo records (nothing if they exist); returns a one-line Chinese summary."""
    social_worker, secretary, medic, counsellor = (_user(n) for n in ("shegong", "mishu", "yiwu", "xinli"))
    resident = _user("jumin")
    if social_worker is None or secretary is None:
        return "服务记录：未找到演示社工或群秘书账号，跳过"
    focus = (Group.objects.filter(tier=GroupTier.FOCUS, is_archived=False, members__user=secretary,
                                  members__status=MemberStatus.ACTIVE).order_by("pk").first())
    if focus is None:
        return "服务记录：未找到演示聚焦服务群，跳过"
    if ServiceRecord.objects.filter(group=focus).exists():
        return "服务记录：演示数据已存在"
    person = getattr(resident, "person", None) if resident else None
    person_id = person.pk if person is not None and person.community_id == focus.community_id else None
    now = timezone.now()
    made = []

    # Tool 3 from "record this" on the demo chat (the client's question and the medic's answer).
    messages = list(Message.objects.filter(group=focus, thread__isnull=True, status=MessageStatus.PUBLISHED)
                    .exclude(body="").order_by("seq", "pk"))
    from sanshe.groups import services as group_services

    if _member(focus, secretary) and messages:
        chosen = [m.pk for m in messages if m.sender_id in {getattr(resident, "pk", None), getattr(medic, "pk", None)}]
        request = group_services.record_request_create(actor=secretary, group=focus, message_ids=chosen[:3],
                                                       consult_kind="medical", note="老人低热咨询")
        record = services.consultation_from_request(actor=secretary, request_id=request.pk, now=now)
        record = services.record_update(actor=secretary, record_id=record.pk, now=now, data={
            "consultation_points": (record.points or []) + [
                {"q": "老人有高血压，还能照常吃药吗？", "a": "降压药照常服用，不要自行停药；有不适随时在群里说。"}]})
        made.append(services.record_submit(actor=secretary, record_id=record.pk, now=now))
        # One more "record this" left for the secretary to try.
        last = [m.pk for m in messages if m.sender_id == getattr(counsellor, "pk", None)]
        if last:
            group_services.record_request_create(actor=secretary, group=focus, message_ids=last[:1],
                                                 consult_kind="psychological", note="家属照护压力")

    start = _service_start(today, now, 150)
    if _member(focus, medic):
        record = services.record_create(actor=medic, kind="medical", group_id=focus.pk, person_id=person_id, now=now,
                                        data={"client_name": "王女士（代老人咨询）", "client_education": "高中",
                                              "client_marital": "已婚", "physical_condition": "老人低热37.5℃，轻咳",
                                              "other_history": "高血压10年", "medication": "氨氯地平",
                                              "online_service": "了解体温、咳嗽和基础病情况；指导每4小时测温、补水。",
                                              "professional_advice": "居家观察；出现呼吸困难、胸闷或体温超过38.5℃持续不退时就医。",
                                              "result": "家属已知晓观察要点，情绪平稳。",
                                              "service_start": start, "service_end": start + timedelta(minutes=20)})
        made.append(services.record_submit(actor=medic, record_id=record.pk, now=now))
    start = _service_start(today, now, 100)
    if _member(focus, counsellor):
        record = services.record_create(actor=counsellor, kind="psychological", group_id=focus.pk,
                                        person_id=person_id, now=now,
                                        data={"client_name": "王女士", "consult_count": 1,
                                              "physical_condition": "睡眠较差",
                                              "observation": "照顾老人压力大，担心老人病情，表达焦虑。",
                                              "counselling_process": "倾听与共情；讲解腹式呼吸放松；一起梳理照护分工。",
                                              "goal_plan": "一周内睡眠改善；家属轮流照护。",
                                              "next_appointment": True,
                                              "next_appointment_at": start + timedelta(days=2),
                                              "service_start": start, "service_end": start + timedelta(minutes=40)})
        made.append(services.record_submit(actor=counsellor, record_id=record.pk, now=now))
    start = _service_start(today, now, 60)
    record = services.record_create(actor=social_worker, kind="social_work", group_id=focus.pk, person_id=person_id,
                                    now=now, data={"client_name": "王女士", "demand_emotion": "照顾老人焦虑",
                                                   "demand_medical": "老人低热，需要体温计和退烧药",
                                                   "needs": ["health_consultation", "medical_supplies",
                                                             "emotional_support"],
                                                   "service_points": ["电话了解家中情况", "联系社区网格员送体温计和退烧药",
                                                                      "转介心理志愿者跟进"],
                                                   "result": "物资已由网格员送达。",
                                                   "follow_up": "明日上午回访老人体温。",
                                                   "service_start": start, "service_end": start + timedelta(minutes=30)})
    made.append(services.record_submit(actor=social_worker, record_id=record.pk, now=now))
    summary = services.summary_compile(actor=secretary, group_id=focus.pk, day=today, now=now)
    return f"服务记录：{focus.name} 今日记录{len(made)}份，每日汇总表草稿{summary.rows.count()}行，待记录咨询1条"
