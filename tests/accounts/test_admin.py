"""The Django admin for accounts: scoped and read-only for organisation admins, audited for superusers."""

from __future__ import annotations

from django.urls import reverse

from sanshe.accounts import services
from sanshe.accounts.models import ApiToken, OneTimeCode
from sanshe.accounts.roles import Role
from sanshe.core.models import AuditEvent
from sanshe.core.pii import blind_index
from tests.factories import UserFactory


def _admin_of(world, org_admin):
    """An org admin whose role was granted through the service (which opens the admin site)."""
    user = services.user_create(actor=org_admin, organisation_id=world.org.pk, username="admin2",
                                display_name="第二管理员", role=Role.ORG_ADMIN).user
    user.password_must_change = False
    user.save()
    assert user.is_staff
    return user


def test_org_admin_sees_only_their_organisation_read_only(client, world, org_admin, social_worker, outsider):
    admin_user = _admin_of(world, org_admin)
    client.force_login(admin_user)
    users = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert social_worker.username in users and outsider.username not in users
    assert client.get(reverse("admin:accounts_user_change", args=[outsider.pk])).status_code == 302
    own = client.get(reverse("admin:accounts_user_change", args=[social_worker.pk]))
    assert own.status_code == 200
    assert "md5$" not in own.content.decode() and "哈希" not in own.content.decode()
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
    orgs = client.get(reverse("admin:accounts_organisation_changelist")).content.decode()
    assert world.org.name in orgs and world.other_org.name not in orgs
    assert client.get(reverse("admin:accounts_onetimecode_changelist")).status_code == 403
    # No changes through the admin: a POST to the change form is refused.
    response = client.post(reverse("admin:accounts_user_change", args=[social_worker.pk]),
                           {"username": "hijacked"})
    assert response.status_code == 403
    social_worker.refresh_from_db()
    assert social_worker.username != "hijacked"


def test_admin_never_shows_hashes_or_phones(client, world, org_admin, social_worker):
    social_worker.phone, social_worker.phone_index = "13912345678", blind_index("phone", "13912345678")
    social_worker.save()
    token = ApiToken.objects.create(user=social_worker, name="对接", prefix="ssk_ab", token_hash="f" * 64)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    page = client.get(reverse("admin:accounts_user_change", args=[social_worker.pk])).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    assert social_worker.phone_index not in page
    token_page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert "f" * 64 not in token_page
    code = OneTimeCode.objects.create(phone_index="p" * 64, code_hash="c" * 64,
                                      expires_at=world.org.created_at)
    code_page = client.get(reverse("admin:accounts_onetimecode_change", args=[code.pk])).content.decode()
    assert "c" * 64 not in code_page and "p" * 64 not in code_page


def test_superuser_changes_are_audited(client, world, social_worker):
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[social_worker.pk])
    response = client.post(url, {
        "username": social_worker.username, "display_name": "改过的名字", "is_active": "on",
        "last_login_0": "", "last_login_1": "", "date_joined_0": "2020-02-01", "date_joined_1": "08:00:00",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1", "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000", "memberships-0-id": social_worker.memberships.get().pk,
        "memberships-0-user": social_worker.pk, "memberships-0-organisation": world.org.pk,
        "memberships-0-role": Role.SOCIAL_WORKER, "memberships-0-communities": [world.home.pk],
        "memberships-0-is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    social_worker.refresh_from_db()
    assert social_worker.display_name == "改过的名字"
    assert AuditEvent.objects.filter(action="admin.user.change", actor=superuser,
                                     object_id=str(social_worker.pk)).exists()


def test_a_password_the_superuser_sets_in_the_admin_revokes_tokens_and_must_be_changed(client, world,
                                                                                      social_worker):
    from sanshe.accounts.services import api_token_authenticate, api_token_create

    social_worker.password_must_change = False
    social_worker.save()
    _token, plaintext = api_token_create(actor=social_worker, name="对接")
    assert api_token_authenticate(plaintext=plaintext) == social_worker
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    url = reverse("admin:auth_user_password_change", args=[social_worker.pk])
    response = client.post(url, {"password1": "Xq7#mLp2$vR9wz", "password2": "Xq7#mLp2$vR9wz"})
    assert response.status_code == 302, response.content.decode()[:2000]
    social_worker.refresh_from_db()
    assert social_worker.check_password("Xq7#mLp2$vR9wz")
    assert social_worker.password_must_change
    assert api_token_authenticate(plaintext=plaintext) is None
    assert AuditEvent.objects.filter(action="user.password_reset", actor=superuser,
                                     object_id=str(social_worker.pk)).exists()
