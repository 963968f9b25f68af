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
