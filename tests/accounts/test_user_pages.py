"""User management pages: the permission matrix, what the admin sees, and the main flows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanshe.accounts.models import Membership, User
from sanshe.accounts.roles import Role
from sanshe.core.pii import blind_index
from tests.factories import UserFactory, grant

from .conftest import login_post

GET_PAGES = ["accounts:user_detail", "accounts:user_edit", "accounts:membership_grant",
             "accounts:user_password_reset"]
POST_ACTIONS = ["accounts:user_deactivate", "accounts:user_activate", "accounts:user_unlock"]


def _rows(response) -> str:
    """The list's rows only (the filter form names every role and organisation on offer)."""
    text = response.content.decode()
    return text[text.index('<ul class="list users">'):text.index("</ul>", text.index('<ul class="list users">'))]


def _url(name: str, user_id: int | None = None) -> str:
    return reverse(name, args=[user_id]) if user_id is not None else reverse(name)


@pytest.mark.parametrize("name", ["accounts:user_list", "accounts:user_create"])
def test_anonymous_is_sent_to_login(client, world, name):
    response = client.get(_url(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", GET_PAGES + POST_ACTIONS)
def test_anonymous_is_sent_to_login_for_a_user(client, world, social_worker, name):
    response = client.post(_url(name, social_worker.pk)) if name in POST_ACTIONS else client.get(
        _url(name, social_worker.pk))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["social_worker", "community_worker", "secretary", "medic", "counsellor",
                                     "resident", "outsider"])
def test_roles_without_user_management_get_403(client, logged_in, world, org_admin, persona, request):
    user = request.getfixturevalue(persona)
    logged_in(user)
    assert client.get(_url("accounts:user_list")).status_code == 403
    assert client.get(_url("accounts:user_create")).status_code == 403
    assert client.get(_url("accounts:user_detail", org_admin.pk)).status_code == 403
    assert client.post(_url("accounts:user_unlock", org_admin.pk)).status_code == 403


@pytest.mark.parametrize("name", GET_PAGES + POST_ACTIONS)
def test_another_organisations_user_is_404(client, logged_in, world, org_admin, outsider, name):
    logged_in(org_admin)
    response = client.post(_url(name, outsider.pk)) if name in POST_ACTIONS else client.get(
        _url(name, outsider.pk))
    assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active


def test_another_organisations_membership_is_404(client, logged_in, world, org_admin, social_worker, outsider):
    logged_in(org_admin)
    theirs = outsider.memberships.get()
    assert client.get(reverse("accounts:membership_edit", args=[outsider.pk, theirs.pk])).status_code == 404
    # Even addressed through a user the admin does manage.
    assert client.post(reverse("accounts:membership_revoke", args=[social_worker.pk, theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


@pytest.mark.parametrize("name", GET_PAGES)
def test_org_admin_opens_pages_for_their_users(client, logged_in, world, org_admin, social_worker, name):
    logged_in(org_admin)
    assert client.get(_url(name, social_worker.pk)).status_code == 200


def test_list_shows_the_organisations_users_masked_and_nobody_elses(client, logged_in, world, org_admin,
                                                                    social_worker, outsider):
    social_worker.phone, social_worker.phone_index = "13912345678", blind_index("phone", "13912345678")
    social_worker.save()
    logged_in(org_admin)
    text = client.get(_url("accounts:user_list")).content.decode()
    assert social_worker.display_name in text and "社会工作者" in text
    assert "139****5678" in text and "13912345678" not in text
    assert outsider.display_name not in text


def test_list_search_and_status_filter(client, logged_in, world, org_admin, social_worker, medic):
    medic.is_active = False
    medic.save()
    logged_in(org_admin)
    found = _rows(client.get(_url("accounts:user_list"), {"q": social_worker.display_name}))
    assert social_worker.username in found and medic.username not in found
    inactive = _rows(client.get(_url("accounts:user_list"), {"status": "inactive"}))
    assert medic.username in inactive and social_worker.username not in inactive and "已停用" in inactive


def test_list_query_count_does_not_grow_with_users(client, logged_in, world, org_admin):
    logged_in(org_admin)
    client.get(_url("accounts:user_list"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url("accounts:user_list")).status_code == 200
        return len(queries)

    few = count()
    for _ in range(12):
        user = UserFactory()
        grant(user, world.org, Role.COMMUNITY_WORKER, communities=[world.home], worker_kind="community_staff")
    assert count() == few


def test_list_marks_locked_accounts_and_unlock_works(client, logged_in, world, org_admin, social_worker):
    for _ in range(5):
        login_post(client, social_worker.username, "Wrong-Pass-1!")
    logged_in(org_admin)
    assert "登录已锁定" in client.get(_url("accounts:user_list")).content.decode()
    detail = client.get(_url("accounts:user_detail", social_worker.pk)).content.decode()
    assert "解除登录锁定" in detail
    response = client.post(_url("accounts:user_unlock", social_worker.pk), follow=True)
    assert "已解除登录锁定" in response.content.decode()
    assert "登录已锁定" not in client.get(_url("accounts:user_list")).content.decode()


def test_create_page_shows_the_generated_password_once(client, logged_in, world, org_admin):
    logged_in(org_admin)
    form = client.get(_url("accounts:user_create")).content.decode()
    assert world.home.name in form and world.away.name not in form
    response = client.post(_url("accounts:user_create"), {
        "organisation": world.org.pk, "username": "sunli", "display_name": "孙丽", "phone": "",
        "password_mode": "generate", "role": Role.COMMUNITY_WORKER, "worker_kind": "building_steward",
        "buildings": [world.building.pk]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = re.search(r'id="generated-password">([^<]+)<', response.content.decode()).group(1)
    user = User.objects.get(username="sunli")
    assert user.check_password(password)
    assert list(Membership.objects.get(user=user).buildings.all()) == [world.building]
    # Nowhere else: the detail page does not show it.
    assert password not in client.get(_url("accounts:user_detail", user.pk)).content.decode()


def test_create_page_keeps_input_and_explains_errors(client, logged_in, world, org_admin):
    logged_in(org_admin)
    response = client.post(_url("accounts:user_create"), {
        "organisation": world.org.pk, "username": "zhouyu", "display_name": "周瑜", "phone": "1234",
        "password_mode": "manual", "password": "short", "role": Role.SOCIAL_WORKER,
        "communities": [world.home.pk]})
    text = response.content.decode()
    assert response.status_code == 200
    assert "手机号应为11位" in text and "密码太短" in text
    assert 'value="zhouyu"' in text and 'value="周瑜"' in text and 'value="1234"' in text
    assert re.search(rf'value="{world.home.pk}"[^>]*checked', text)
    assert not User.objects.filter(username="zhouyu").exists()


def test_grant_and_revoke_roles_through_the_pages(client, logged_in, world, org_admin, secretary):
    logged_in(org_admin)
    response = client.post(_url("accounts:membership_grant", secretary.pk), {
        "organisation": world.org.pk, "role": Role.SOCIAL_WORKER, "communities": [world.home.pk]})
    assert response.status_code == 302
    membership = Membership.objects.get(user=secretary, role=Role.SOCIAL_WORKER)
    detail = client.get(_url("accounts:user_detail", secretary.pk)).content.decode()
    assert "社会工作者" in detail and world.home.name in detail
    revoke = reverse("accounts:membership_revoke", args=[secretary.pk, membership.pk])
    assert client.get(revoke).status_code == 405
    client.post(revoke)
    membership.refresh_from_db()
    assert not membership.is_active


def test_editing_a_role_changes_its_scope_not_its_role(client, logged_in, world, org_admin, community_worker):
    logged_in(org_admin)
    membership = community_worker.memberships.get()
    url = reverse("accounts:membership_edit", args=[community_worker.pk, membership.pk])
    page = client.get(url).content.decode()
    assert re.search(rf'value="{world.home.pk}"[^>]*checked', page)
    client.post(url, {"role": Role.ORG_ADMIN, "organisation": world.other_org.pk,
                      "worker_kind": "building_steward", "buildings": [world.building2.pk]})
    membership.refresh_from_db()
    assert membership.role == Role.COMMUNITY_WORKER and membership.organisation_id == world.org.pk
    assert list(membership.buildings.all()) == [world.building2]
    assert community_worker.memberships.count() == 1


def test_deactivate_through_the_page(client, logged_in, world, org_admin, social_worker):
    logged_in(org_admin)
    response = client.post(_url("accounts:user_deactivate", social_worker.pk), follow=True)
    assert "账号已停用" in response.content.decode()
    social_worker.refresh_from_db()
    assert not social_worker.is_active
    self_attempt = client.post(_url("accounts:user_deactivate", org_admin.pk), follow=True)
    assert "不能停用自己的账号" in self_attempt.content.decode()


def test_password_reset_page(client, logged_in, world, org_admin, social_worker):
    logged_in(org_admin)
    response = client.post(_url("accounts:user_password_reset", social_worker.pk), {"password_mode": "generate"})
    password = re.search(r'id="generated-password">([^<]+)<', response.content.decode()).group(1)
    social_worker.refresh_from_db()
    assert social_worker.check_password(password)
    manual = client.post(_url("accounts:user_password_reset", social_worker.pk),
                         {"password_mode": "manual", "password": "Reset-Pass-99"})
    assert manual.status_code == 302
    social_worker.refresh_from_db()
    assert social_worker.check_password("Reset-Pass-99")


def test_edit_page_never_shows_the_full_phone(client, logged_in, world, org_admin, social_worker):
    social_worker.phone, social_worker.phone_index = "13912345678", blind_index("phone", "13912345678")
    social_worker.save()
    logged_in(org_admin)
    page = client.get(_url("accounts:user_edit", social_worker.pk)).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    client.post(_url("accounts:user_edit", social_worker.pk), {"display_name": "新名字", "phone": ""})
    social_worker.refresh_from_db()
    assert social_worker.display_name == "新名字" and social_worker.phone == "13912345678"


def test_my_account_lists_my_roles(client, logged_in, world, building_steward):
    logged_in(building_steward)
    text = client.get(reverse("accounts:my_account")).content.decode()
    assert "社区工作者" in text and "楼门栋长" in text and world.building.name in text
    assert "修改密码" in text


def test_my_account_for_a_resident(client, world, resident):
    resident.set_unusable_password()
    resident.save()
    client.force_login(resident)
    text = client.get(reverse("accounts:my_account")).content.decode()
    assert "居民" in text and world.home.name in text and "无需密码" in text
    assert client.get(reverse("accounts:password_change")).status_code == 302
