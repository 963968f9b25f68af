"""Placement after an accepted tier 2/3 decision: added to a group with room, full group, no account."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sanshe.assessments.models import Placement, PlacementStatus
from sanshe.assessments.services import placement_create, triage_decide, triage_run
from sanshe.core.models import AuditEvent
from sanshe.groups.models import GroupMember, MemberStatus

from .conftest import give, likert

pytestmark = pytest.mark.django_db

GAD7_TIER2 = [2, 2, 2, 2, 1, 1, 1]
GAD7_TIER3 = [3, 3, 3, 2, 2, 2, 2]


def _accept(social_worker, case, values):
    give(social_worker, case, "gad7", likert(values))
    decision = triage_run(actor=social_worker, case_id=case.pk)
    return triage_decide(actor=social_worker, decision_id=decision.pk, accept=True)


def test_client_with_an_account_is_added_to_a_focus_group_with_room(social_worker, resident, case, focus_group):
    outcome = _accept(social_worker, case, GAD7_TIER2)
    placement = outcome.placement
    assert placement.status == PlacementStatus.ADDED and placement.group == focus_group and placement.tier == 2
    member = GroupMember.objects.get(group=focus_group, user=resident)
    assert member.status == MemberStatus.ACTIVE and member.role == "client"
    assert placement.decision == outcome.decision and placement.placed_by == social_worker
    assert AuditEvent.objects.filter(action="placement.create").count() == 1


def test_full_group_is_skipped_and_no_room_anywhere_is_said_clearly(social_worker, resident, case, world, focus_group):
    from sanshe.groups.models import Group
    from tests.factories import UserFactory

    Group.objects.filter(pk=focus_group.pk).update(capacity=2)  # the admin and one client: full
    GroupMember.objects.create(group=focus_group, user=UserFactory(), role="client", status=MemberStatus.ACTIVE)
    outcome = _accept(social_worker, case, GAD7_TIER2)
    assert outcome.placement is None
    assert "没有您负责的、还有空位的二级：聚焦服务群" in outcome.placement_problem
    assert not Placement.objects.exists()
    case.refresh_from_db()
    assert case.tier == 2  # the decision stands; only the placement waits
    with pytest.raises(ValidationError) as exc:
        placement_create(actor=social_worker, case_id=case.pk, group_id=focus_group.pk)
    assert "已满" in exc.value.messages[0]


def test_client_without_an_account_gets_an_invite(social_worker, case, focus_group):
    outcome = _accept(social_worker, case, GAD7_TIER2)
    placement = outcome.placement
    assert placement.status == PlacementStatus.INVITED and placement.member is None
    assert placement.invite.group == focus_group and placement.invite.max_uses == 1


def test_moving_from_focus_to_key_group_uses_member_move(social_worker, resident, case, focus_group, key_group):
    _accept(social_worker, case, GAD7_TIER2)
    outcome = _accept(social_worker, case, GAD7_TIER3)
    assert outcome.placement.group == key_group and outcome.placement.status == PlacementStatus.ADDED
    assert GroupMember.objects.get(group=focus_group, user=resident).status == MemberStatus.LEFT
    assert GroupMember.objects.get(group=key_group, user=resident).status == MemberStatus.ACTIVE
    assert Placement.objects.get(group=focus_group).status == PlacementStatus.ENDED
    assert AuditEvent.objects.filter(action="groups.member.move").exists()


def test_picking_a_group_of_another_community_is_404(social_worker, away_social_worker, case, world):
    from sanshe.core.errors import ObjectNotFound
    from sanshe.groups.services import group_create

    away = group_create(actor=away_social_worker, tier=2, community=world.away, name="外区聚焦群")
    with pytest.raises(ObjectNotFound):
        placement_create(actor=social_worker, case_id=case.pk, group_id=away.pk)


# --- issue 12 item 4: a move is told in both groups, and nobody is placed where nobody is on duty ---------------

TIER_WORDS = ("重点", "陪助", "聚焦", "三级", "二级", "焦虑", "抑郁", "风险")


def _system_bodies(group) -> list[str]:
    from sanshe.groups.models import Message, MessageKind

    return [m.body for m in Message.objects.filter(group=group, kind=MessageKind.SYSTEM, sender__isnull=True,
                                                   status="published").order_by("seq")]


def test_a_move_posts_a_neutral_system_message_in_both_groups(social_worker, resident, case, focus_group, key_group):
    _accept(social_worker, case, GAD7_TIER2)
    member = GroupMember.objects.get(group=focus_group, user=resident)
    nickname = member.nickname or str(resident)  # how the chat names them
    assert _system_bodies(focus_group) == [f"欢迎 {nickname} 加入本群，有需要可以随时在群里提问，或私聊值班人员。"]
    _accept(social_worker, case, GAD7_TIER3)
    old, new = _system_bodies(focus_group), _system_bodies(key_group)
    assert old[-1] == f"{nickname} 已转入其他群继续交流。"
    assert new == [f"欢迎 {nickname} 加入本群，有需要可以随时在群里提问，或私聊值班人员。"]
    for body in old + new:
        assert not any(word in body for word in TIER_WORDS), body
    # Published into each group's stream: the members' catch-up after their last seq includes it.
    from sanshe.groups.models import ChatEvent

    assert ChatEvent.objects.filter(group=key_group, message__kind="system").count() == 1
    assert GroupMember.objects.get(group=focus_group, user=resident).moved_to == key_group


def test_placing_into_a_group_nobody_staffs_in_12_hours_is_refused_with_the_staffed_one_offered(
        social_worker, resident, case, world, focus_group):
    from sanshe.assessments.services import NoDutyCover

    from .conftest import staff_group

    _accept(social_worker, case, GAD7_TIER2)
    empty = staff_group(social_worker, world.home, tier=2, name="无人值班的聚焦群")
    before = (Placement.objects.count(), GroupMember.objects.filter(user=resident).count(),
              AuditEvent.objects.filter(action="placement.create").count())
    with pytest.raises(NoDutyCover) as exc:
        placement_create(actor=social_worker, case_id=case.pk, group_id=empty.pk)
    text = exc.value.messages[0]
    assert "“无人值班的聚焦群”在未来12小时内没有医务或心理值班人员" in text
    # The client's current group has a counsellor on duty, but it is the group being left: nothing else to offer
    # but the private chat with that counsellor.
    assert exc.value.suggestion is None and "可以先与其私聊" in text
    after = (Placement.objects.count(), GroupMember.objects.filter(user=resident).count(),
             AuditEvent.objects.filter(action="placement.create").count())
    assert after == before  # nothing moved, nothing saved
    assert Placement.objects.get(status=PlacementStatus.ADDED).group == focus_group


def test_the_refusal_names_the_soonest_staffed_group_of_the_same_tier(social_worker, case, world, counsellor):
    from sanshe.assessments.services import NoDutyCover

    from .conftest import staff_group

    empty = staff_group(social_worker, world.home, tier=3, name="甲群")
    staffed = staff_group(social_worker, world.home, tier=3, name="乙群", helper=counsellor)
    with pytest.raises(NoDutyCover) as exc:
        placement_create(actor=social_worker, case_id=case.pk, group_id=empty.pk)
    assert exc.value.suggestion == staffed
    assert "建议改为安排到“乙群”（现在有人值班）" in exc.value.messages[0]
    assert not Placement.objects.exists()


def test_duty_starting_within_12_hours_is_cover_and_after_12_hours_is_not(social_worker, case, world, counsellor,
                                                                          secretary):
    from datetime import timedelta

    from django.utils import timezone

    from sanshe.assessments.services import NoDutyCover
    from sanshe.groups.models import DutyKind, MemberRole
    from sanshe.groups.services import duty_set, member_add

    from .conftest import staff_group

    group = staff_group(social_worker, world.home, tier=2, name="夜班群")
    member_add(actor=social_worker, group=group, user=counsellor, role=MemberRole.PSYCHOLOGICAL)
    now = timezone.now()
    late = duty_set(actor=social_worker, group=group, user=counsellor, kind=DutyKind.PSYCHOLOGICAL,
                    starts_at=now + timedelta(hours=13), ends_at=now + timedelta(hours=17))
    with pytest.raises(NoDutyCover):
        placement_create(actor=social_worker, case_id=case.pk, group_id=group.pk, now=now)
    # A secretary on duty is not cover: the client needs someone who can answer a medical or psychological need.
    member_add(actor=social_worker, group=group, user=secretary, role=MemberRole.SECRETARY)
    duty_set(actor=social_worker, group=group, user=secretary, kind=DutyKind.SECRETARY,
             starts_at=now, ends_at=now + timedelta(hours=4))
    with pytest.raises(NoDutyCover):
        placement_create(actor=social_worker, case_id=case.pk, group_id=group.pk, now=now)
    late.starts_at = now + timedelta(hours=11)
    late.save(update_fields=["starts_at"])
    placement = placement_create(actor=social_worker, case_id=case.pk, group_id=group.pk, now=now)
    assert placement.group == group


def test_a_roster_shift_of_a_medical_volunteer_is_cover(social_worker, case, world, medic):
    from datetime import timedelta

    from django.utils import timezone

    from sanshe.groups.models import DutyKind, MemberRole
    from sanshe.groups.services import member_add
    from sanshe.rosters.models import Assignment, AssignmentSource, AssignmentStatus, Shift, ShiftNeed

    from .conftest import staff_group

    group = staff_group(social_worker, world.home, tier=2, name="排班群")
    member_add(actor=social_worker, group=group, user=medic, role=MemberRole.MEDICAL)
    now = timezone.now()
    shift = Shift.objects.create(group=group, starts_at=now + timedelta(hours=6), ends_at=now + timedelta(hours=10))
    need = ShiftNeed.objects.create(shift=shift, kind=DutyKind.MEDICAL, needed=1, filled=1)
    assignment = Assignment.objects.create(shift=shift, need=need, user=medic, kind=DutyKind.MEDICAL,
                                           status=AssignmentStatus.DROPPED, source=AssignmentSource.CLAIM)
    from sanshe.assessments.services import NoDutyCover

    with pytest.raises(NoDutyCover):  # a dropped place is nobody
        placement_create(actor=social_worker, case_id=case.pk, group_id=group.pk, now=now)
    Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.ACTIVE)
    assert placement_create(actor=social_worker, case_id=case.pk, group_id=group.pk, now=now).group == group


def test_triage_places_into_the_staffed_group_and_says_why_when_none_is(social_worker, resident, case, world,
                                                                         counsellor):
    from .conftest import staff_group

    staff_group(social_worker, world.home, tier=2, name="先建的空群")  # lower pk, nobody on duty
    staffed = staff_group(social_worker, world.home, tier=2, name="有人值班的群", helper=counsellor)
    outcome = _accept(social_worker, case, GAD7_TIER2)
    assert outcome.placement.group == staffed


def test_triage_with_no_staffed_group_keeps_the_decision_and_explains(social_worker, resident, case, world):
    from .conftest import staff_group

    staff_group(social_worker, world.home, tier=2, name="空群")
    outcome = _accept(social_worker, case, GAD7_TIER2)
    assert outcome.placement is None
    assert "“空群”在未来12小时内没有医务或心理值班人员" in outcome.placement_problem
    assert "同级别的群都没有值班人员" in outcome.placement_problem
    case.refresh_from_db()
    assert case.tier == 2 and not Placement.objects.exists()


def test_the_refusal_page_offers_a_private_thread_with_the_counsellor_on_duty(client, social_worker, resident, case,
                                                                             world, focus_group, counsellor):
    from django.urls import reverse

    from sanshe.groups.models import Message, PrivateThread

    from .conftest import staff_group

    _accept(social_worker, case, GAD7_TIER2)
    empty_key = staff_group(social_worker, world.home, tier=3, name="民族社区重点陪助群")
    client.force_login(social_worker)
    page = client.post(reverse("assessments:place", args=[case.pk]), {"group": empty_key.pk})
    body = page.content.decode()
    assert page.status_code == 400 and "在未来12小时内没有医务或心理值班人员" in body
    thread_url = reverse("assessments:place_thread", args=[case.pk])
    assert f'action="{thread_url}"' in body and f"开通与{counsellor.display_name}的私聊" in body
    assert not PrivateThread.objects.exists()

    answer = client.post(thread_url, follow=True)
    assert "已开通服务对象与值班心理咨询志愿者" in answer.content.decode()
    thread = PrivateThread.objects.get()
    assert (thread.group, thread.client, thread.helper, thread.kind) == (focus_group, resident, counsellor,
                                                                         "psychological")
    opening = Message.objects.get(thread=thread)
    assert opening.sender is None and "会在这里和您单独交流" in opening.body
    assert not any(word in opening.body for word in TIER_WORDS)
    assert AuditEvent.objects.filter(action="groups.thread.arrange", actor=social_worker).count() == 1
    assert GroupMember.objects.get(group=focus_group, user=resident).status == MemberStatus.ACTIVE  # not moved


def test_after_triage_finds_no_staffed_group_the_place_page_offers_the_thread(client, social_worker, resident, case,
                                                                              world, focus_group, counsellor):
    from django.urls import reverse

    from .conftest import staff_group

    _accept(social_worker, case, GAD7_TIER2)
    staff_group(social_worker, world.home, tier=3, name="民族社区重点陪助群")
    outcome = _accept(social_worker, case, GAD7_TIER3)
    assert outcome.placement is None and "可以先与其私聊" in outcome.placement_problem
    client.force_login(social_worker)
    body = client.get(reverse("assessments:place", args=[case.pk])).content.decode()
    assert 'id="placement-thread"' in body and "未来12小时无人值班" in body


def test_no_counsellor_on_duty_no_thread_and_a_clear_message(client, social_worker, resident, case, world):
    from django.urls import reverse

    from sanshe.groups.models import PrivateThread

    client.force_login(social_worker)
    answer = client.post(reverse("assessments:place_thread", args=[case.pk]), follow=True)
    assert "现在没有值班的心理咨询志愿者，无法开通私聊" in answer.content.decode()
    assert not PrivateThread.objects.exists()
