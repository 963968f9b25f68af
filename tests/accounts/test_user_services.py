"""Users and roles, managed by organisation admins: rules, scope, audit."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.test import Client

from sanshe.accounts import services
from sanshe.accounts.lockout import is_locked
from sanshe.accounts.models import ApiToken, Membership, User
from sanshe.accounts.roles import Role, WorkerKind
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.core.pii import blind_index
from sanshe.people.models import Person
from tests.factories import PASSWORD, BuildingFactory, CompoundFactory, grant

from .conftest import login_post


def _create(world, actor, **overrides):
    data = {"organisation_id": world.org.pk, "username": "liuqiang", "display_name": "刘强",
            "phone": "139 0000 1234", "role": Role.SOCIAL_WORKER, "community_ids": [world.home.pk]}
    data.update(overrides)
    return services.user_create(actor=actor, **data)


def _visible_people(user) -> set[str]:
    user = User.objects.get(pk=user.pk)  # fresh object: no cached scope
    return set(Person.objects.for_actor(user, "view").values_list("name", flat=True))


def test_org_admin_creates_a_user_with_a_generated_password(world, org_admin):
    created = _create(world, org_admin)
    user = created.user
    assert user.check_password(created.generated_password)
    assert user.password_must_change
    assert user.phone == "13900001234" and user.phone_index == blind_index("phone", "13900001234")
    membership = Membership.objects.get(user=user)
    assert (membership.organisation_id, membership.role) == (world.org.pk, Role.SOCIAL_WORKER)
    assert list(membership.communities.values_list("pk", flat=True)) == [world.home.pk]
    actions = list(AuditEvent.objects.filter(actor=org_admin).values_list("action", flat=True))
    assert {"user.create", "membership.grant"} <= set(actions)
    assert created.generated_password not in str(list(AuditEvent.objects.values()))
    # The new social worker sees the home community's people at once.
    assert _visible_people(user) == {"张伟", "王芳", "李娜"}


def test_every_bad_field_is_reported_at_once_in_chinese(world, org_admin, social_worker):
    social_worker.phone, social_worker.phone_index = "13900001234", blind_index("phone", "13900001234")
    social_worker.save()
    with pytest.raises(ValidationError) as exc:
        _create(world, org_admin, username="social_worker", display_name=" ", phone="13900001234",
                password="abc", community_ids=[world.away.pk])
    errors = exc.value.message_dict
    assert "已存在" in errors["username"][0]
    assert errors["display_name"] == ["请填写姓名"]
    assert errors["phone"] == ["该手机号已被其他账号使用"]
    assert "password" in errors
    assert errors["communities"] == ["所选社区不在本机构的服务范围内"]
    assert not User.objects.filter(display_name="刘强").exists()


@pytest.mark.parametrize("overrides, field, message", [
    ({"username": "13800001111"}, "username", "用户名不能是手机号（手机号请填在“手机号”一栏）"),
    ({"phone": "12345"}, "phone", None),
    ({"role": Role.RESIDENT}, "role", "居民账号在居民用手机验证码首次登录时自动建立，无需分配"),
    ({"role": Role.COMMUNITY_WORKER}, "worker_kind", "请选择社区工作者类别"),
    ({"role": Role.SOCIAL_WORKER, "community_ids": []}, "communities", "请至少选择一个负责社区"),
    ({"role": Role.COMMUNITY_WORKER, "worker_kind": WorkerKind.BUILDING_STEWARD, "community_ids": []},
     "buildings", "楼门栋长请至少选择一个负责楼栋"),
    ({"role": Role.MEDICAL_VOLUNTEER, "building_ids": ["B"]}, "buildings",
     "只有社区工作者（如楼门栋长）可以负责具体楼栋"),
])
def test_role_rules(world, org_admin, overrides, field, message):
    if overrides.get("building_ids") == ["B"]:
        overrides["building_ids"] = [world.building.pk]
    with pytest.raises(ValidationError) as exc:
        _create(world, org_admin, **overrides)
    errors = exc.value.message_dict
    assert field in errors
    if message:
        assert errors[field] == [message]


def test_buildings_must_belong_to_the_organisations_communities(world, org_admin):
    away_building = BuildingFactory(compound=CompoundFactory(community=world.away))
    with pytest.raises(ValidationError) as exc:
        _create(world, org_admin, role=Role.COMMUNITY_WORKER, worker_kind=WorkerKind.BUILDING_STEWARD,
                community_ids=[], building_ids=[away_building.pk])
    assert exc.value.message_dict["buildings"] == ["所选楼栋不在本机构服务的社区内"]


def test_only_org_admins_manage_users_and_only_in_their_organisations(world, org_admin, social_worker, outsider):
    with pytest.raises(ActionForbidden):
        _create(world, social_worker)
    with pytest.raises(ObjectNotFound):
        _create(world, org_admin, organisation_id=world.other_org.pk)
    for call in (
        lambda: services.user_deactivate(actor=org_admin, user_id=outsider.pk),
        lambda: services.user_password_reset(actor=org_admin, user_id=outsider.pk),
        lambda: services.user_unlock(actor=org_admin, user_id=outsider.pk),
        lambda: services.user_update(actor=org_admin, user_id=outsider.pk, display_name="x"),
        lambda: services.membership_grant(actor=org_admin, user_id=outsider.pk, organisation_id=world.org.pk,
                                          role=Role.GENERAL_VOLUNTEER),
        lambda: services.membership_revoke(actor=org_admin, membership_id=outsider.memberships.get().pk),
    ):
        with pytest.raises(ObjectNotFound):
            call()
    with pytest.raises(ActionForbidden):
        services.user_unlock(actor=social_worker, user_id=org_admin.pk)


def test_granting_and_revoking_roles_changes_what_the_user_sees(world, org_admin, secretary):
    assert _visible_people(secretary) == set()
    membership = services.membership_grant(actor=org_admin, user_id=secretary.pk, organisation_id=world.org.pk,
                                           role=Role.COMMUNITY_WORKER, worker_kind=WorkerKind.BUILDING_STEWARD,
                                           building_ids=[world.building.pk])
    # A building steward sees the people of the building they steward, nobody else.
    assert _visible_people(secretary) == {"张伟", "王芳"}
    services.membership_grant(actor=org_admin, user_id=secretary.pk, organisation_id=world.org.pk,
                              role=Role.COMMUNITY_WORKER, worker_kind=WorkerKind.COMMUNITY_STAFF,
                              community_ids=[world.home.pk])
    assert Membership.objects.filter(user=secretary, role=Role.COMMUNITY_WORKER).count() == 1
    assert _visible_people(secretary) == {"张伟", "王芳", "李娜"}
    services.membership_revoke(actor=org_admin, membership_id=membership.pk)
    assert _visible_people(secretary) == set()
    membership.refresh_from_db()
    assert membership.is_active is False  # kept, for the history
    grant_event = AuditEvent.objects.filter(action="membership.grant").first()
    assert grant_event.detail["role"] == Role.COMMUNITY_WORKER
    assert AuditEvent.objects.filter(action="membership.revoke", organisation=world.org).exists()


def test_org_admin_role_opens_the_admin_site_and_revoking_closes_it(world, org_admin, secretary):
    membership = services.membership_grant(actor=org_admin, user_id=secretary.pk, organisation_id=world.org.pk,
                                           role=Role.ORG_ADMIN, community_ids=[world.home.pk])
    secretary.refresh_from_db()
    assert secretary.is_staff
    assert list(membership.communities.all()) == []  # covers all the organisation's communities anyway
    services.membership_revoke(actor=org_admin, membership_id=membership.pk)
    secretary.refresh_from_db()
    assert not secretary.is_staff


def test_an_admin_cannot_remove_their_own_admin_role_or_account(world, org_admin):
    own = org_admin.memberships.get()
    with pytest.raises(ValidationError, match="不能撤销自己的机构管理员角色"):
        services.membership_revoke(actor=org_admin, membership_id=own.pk)
    with pytest.raises(ValidationError, match="不能停用自己的账号"):
        services.user_deactivate(actor=org_admin, user_id=org_admin.pk)


def test_deactivated_user_cannot_log_in_and_loses_tokens_and_sessions(world, org_admin, social_worker):
    session = Client()
    assert login_post(session, social_worker.username).status_code == 302
    token = ApiToken.objects.create(user=social_worker, name="导入脚本", prefix="abc", token_hash="x" * 64)
    services.user_deactivate(actor=org_admin, user_id=social_worker.pk)
    assert login_post(Client(), social_worker.username).status_code == 200
    assert session.get("/").status_code == 302  # the open session no longer authenticates
    token.refresh_from_db()
    assert token.revoked_at is not None
    services.user_activate(actor=org_admin, user_id=social_worker.pk)
    assert login_post(Client(), social_worker.username).status_code == 302
    assert {"user.deactivate", "user.activate"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_account_wide_changes_need_every_organisation_of_the_user(world, org_admin, outsider):
    grant(outsider, world.org, Role.GENERAL_VOLUNTEER)
    # The admin now manages the outsider's volunteer role here, but not their account elsewhere.
    with pytest.raises(ValidationError, match="其他机构"):
        services.user_password_reset(actor=org_admin, user_id=outsider.pk)
    with pytest.raises(ValidationError, match="其他机构"):
        services.user_deactivate(actor=org_admin, user_id=outsider.pk)
    volunteer = outsider.memberships.get(organisation=world.org)
    services.membership_revoke(actor=org_admin, membership_id=volunteer.pk)
    assert outsider.memberships.get(organisation=world.other_org).is_active


def test_password_reset_sets_a_new_password_and_unlocks(client, world, org_admin, social_worker):
    for _ in range(5):
        login_post(client, social_worker.username, "Wrong-Pass-1!")
    assert is_locked(social_worker.username)
    generated = services.user_password_reset(actor=org_admin, user_id=social_worker.pk)
    assert not is_locked(social_worker.username)
    social_worker.refresh_from_db()
    assert social_worker.check_password(generated) and not social_worker.check_password(PASSWORD)
    assert social_worker.password_must_change
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.detail == {"generated_password": True, "unlocked": True, "api_tokens_revoked": 0}
    assert generated not in str(event.detail)


def test_unlock_lets_a_locked_user_in_at_once(client, world, org_admin, social_worker):
    for _ in range(5):
        login_post(client, social_worker.username, "Wrong-Pass-1!")
    assert login_post(client, social_worker.username).status_code == 429
    assert services.user_unlock(actor=org_admin, user_id=social_worker.pk) >= 1
    assert not AccessAttempt.objects.filter(username=social_worker.username).exists()
    assert login_post(client, social_worker.username).status_code == 302
    assert AuditEvent.objects.filter(action="user.unlock", actor=org_admin).exists()


def test_user_update_changes_name_and_phone_and_audits_field_names_only(world, org_admin, social_worker):
    services.user_update(actor=org_admin, user_id=social_worker.pk, display_name="陈静", phone="13655556666")
    social_worker.refresh_from_db()
    assert (social_worker.display_name, social_worker.phone) == ("陈静", "13655556666")
    event = AuditEvent.objects.get(action="user.update")
    assert event.detail == {"fields": ["display_name", "phone"]}
    services.user_update(actor=org_admin, user_id=social_worker.pk, display_name="陈静", phone=None)
    social_worker.refresh_from_db()
    assert social_worker.phone == "13655556666"
    services.user_update(actor=org_admin, user_id=social_worker.pk, display_name="陈静", phone="")
    social_worker.refresh_from_db()
    assert social_worker.phone is None and social_worker.phone_index is None

