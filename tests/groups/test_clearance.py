"""Issue 3's gate in groups: a volunteer not cleared for duty joins no group and sees no client."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sanshe.accounts.roles import Role
from sanshe.core.errors import ObjectNotFound
from sanshe.groups.models import Group, GroupTier, MemberRole, Message
from sanshe.groups.selectors import access_group
from sanshe.groups.services import group_create, member_add, message_send
from sanshe.volunteers.models import AgreementVersion
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def _fresh_user(world, role):
    """A user with the volunteer role but no application, training or signature."""
    user = UserFactory(username=f"new-{role}")
    grant(user, world.org, role, communities=[])
    return user


@pytest.mark.parametrize("role,member_role", [
    (Role.MEDICAL_VOLUNTEER, MemberRole.MEDICAL),
    (Role.COUNSELLOR, MemberRole.PSYCHOLOGICAL),
    (Role.GENERAL_VOLUNTEER, MemberRole.SECRETARY),
])
def test_an_uncleared_volunteer_cannot_be_added(world, social_worker, role, member_role):
    group = group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="聚焦服务群")
    with pytest.raises(ValidationError, match="申请尚未审核通过"):
        member_add(actor=social_worker, group=group, user=_fresh_user(world, role), role=member_role)
    assert group.members.filter(role=member_role).count() == 0


def test_a_new_agreement_version_hides_the_group_until_signed(world, social_worker, medic, resident):
    from tests.conftest import clear_for_duty

    group = group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="聚焦服务群")
    member_add(actor=social_worker, group=group, user=medic, role=MemberRole.MEDICAL)
    member_add(actor=social_worker, group=group, user=resident, role=MemberRole.CLIENT)
    message_send(actor=resident, group=group, body="我发烧了，需要去医院吗？")
    assert access_group(actor=medic, group_id=group.pk).pk == group.pk
    medic_again = type(medic).objects.get(pk=medic.pk)  # a new request: scope computed afresh

    AgreementVersion.objects.create(organisation=world.org, version=2, title="保密协议（第二版）", body="……")
    with pytest.raises(ObjectNotFound):
        access_group(actor=medic_again, group_id=group.pk)
    assert not Message.objects.for_actor(medic_again, "view").exists()
    assert not Group.objects.for_actor(medic_again, "view").exists()

    clear_for_duty(medic, world.org, Role.MEDICAL_VOLUNTEER)  # signs the new version
    signed = type(medic).objects.get(pk=medic.pk)
    assert access_group(actor=signed, group_id=group.pk).pk == group.pk
    assert Message.objects.for_actor(signed, "view").count() == 1


def test_a_lapsed_volunteer_is_not_handed_clients_and_loses_their_threads(world, social_worker, counsellor,
                                                                          resident):
    from datetime import timedelta

    from django.utils import timezone

    from sanshe.groups.duty import on_duty_helper
    from sanshe.groups.models import DutyKind, PrivateThread
    from sanshe.groups.services import duty_set, thread_open

    group = group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="聚焦服务群")
    member_add(actor=social_worker, group=group, user=counsellor, role=MemberRole.PSYCHOLOGICAL)
    member_add(actor=social_worker, group=group, user=resident, role=MemberRole.CLIENT)
    now = timezone.now()
    duty_set(actor=social_worker, group=group, user=counsellor, kind=DutyKind.PSYCHOLOGICAL,
             starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=4))
    thread = thread_open(actor=resident, group=group, kind=DutyKind.PSYCHOLOGICAL)
    message_send(actor=resident, group=group, thread=thread, body="晚上总是睡不着")
    assert PrivateThread.objects.for_actor(counsellor, "view").filter(pk=thread.pk).exists()

    AgreementVersion.objects.create(organisation=world.org, version=2, title="保密协议（第二版）", body="……")
    lapsed = type(counsellor).objects.get(pk=counsellor.pk)  # a new request: scope computed afresh
    assert on_duty_helper(group=group, kind=DutyKind.PSYCHOLOGICAL, at=timezone.now()) is None
    assert not PrivateThread.objects.for_actor(lapsed, "view").exists()
    assert not Message.objects.for_actor(lapsed, "view").exists()
    # The client is still told plainly that nobody can take the conversation now.
    with pytest.raises(ValidationError, match="现在没有值班的"):
        thread_open(actor=type(resident).objects.get(pk=resident.pk), group=group, kind=DutyKind.PSYCHOLOGICAL)
