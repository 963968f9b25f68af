"""Records fixtures: the focus group of tests/groups with everyone in it, and a helper per record tool."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sanshe.groups import services as group_services
from sanshe.groups.models import GroupTier, MemberRole
from sanshe.records import services

# The focus group fixture (secretary, medic, counsellor, client 张伟 = world.head) is shared with groups.
from tests.groups.conftest import focus, on_duty  # noqa: F401


@pytest.fixture
def other_group(world, social_worker):
    """A second focus group in the same community with no volunteers in it."""
    return group_services.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home,
                                       name="另一个聚焦服务群")


def times(hours_ago: int = 2):
    """A finished service earlier today (local time): soon after midnight, "2 hours ago" would be yesterday."""
    now = timezone.now()
    since_midnight = now - timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    back = min(timedelta(hours=hours_ago), since_midnight * 0.8)
    start = now - back
    return {"service_start": start, "service_end": start + min(timedelta(minutes=40), back / 2)}


def consultation(actor, group, person=None, *, kind="medical", submit=True, **extra):
    data = {"client_name": "张伟", "consult_kind": kind, "service_staff": "医务志愿者 李医生",
            "consultation_points": [{"q": "发烧37.5度要去医院吗", "a": "先多喝水，每4小时测体温"}],
            "chat_record": "群里的问答文字", **extra}
    record = services.record_create(actor=actor, kind="consultation", group_id=group.pk,
                                    person_id=person.pk if person else None, data=data)
    return services.record_submit(actor=actor, record_id=record.pk) if submit else record


def medical(actor, group, person=None, *, submit=True, **extra):
    data = {"client_name": "张伟", "physical_condition": "低热", "online_service": "了解症状，测温指导",
            "professional_advice": "居家观察，体温超过38.5度就医", "result": "情绪平稳，接受建议", **times(), **extra}
    record = services.record_create(actor=actor, kind="medical", group_id=group.pk,
                                    person_id=person.pk if person else None, data=data)
    return services.record_submit(actor=actor, record_id=record.pk) if submit else record


def psychological(actor, group, person=None, *, submit=True, **extra):
    t = times()
    data = {"client_name": "张伟", "observation": "焦虑，睡眠差", "counselling_process": "倾听、放松训练",
            "goal_plan": "一周内改善睡眠", "next_appointment": True,
            "next_appointment_at": t["service_end"] + timedelta(days=2), **t, **extra}
    record = services.record_create(actor=actor, kind="psychological", group_id=group.pk,
                                    person_id=person.pk if person else None, data=data)
    return services.record_submit(actor=actor, record_id=record.pk) if submit else record


def social_work(actor, group, person=None, *, submit=True, **extra):
    data = {"client_name": "张伟", "demand_emotion": "担心老人", "needs": ["health_consultation", "emotional_support"],
            "service_points": ["电话了解情况", "联系社区送药"], "result": "药品已送达", "follow_up": "明天回访",
            **times(), **extra}
    record = services.record_create(actor=actor, kind="social_work", group_id=group.pk if group else None,
                                    person_id=person.pk if person else None, data=data)
    return services.record_submit(actor=actor, record_id=record.pk) if submit else record


__all__ = ["MemberRole", "consultation", "medical", "psychological", "social_work", "times"]
