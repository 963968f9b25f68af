"""Password policy: at least 8 characters from 3 of 4 classes, wherever a password is set."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from sanshe.accounts import services
from sanshe.accounts.models import User
from sanshe.accounts.roles import Role
from sanshe.accounts.validators import generate_password
from sanshe.core.models import AuditEvent
from tests.factories import PASSWORD


@pytest.mark.parametrize("password, expected", [
    ("abcdefgh", "至少3类"),            # one class
    ("abcd1234", "至少3类"),            # two classes
    ("ABCD!@#$", "至少3类"),            # two classes
    ("Ab1!", "密码太短，至少需要8个字符"),  # too short
    ("Passw0rd", "太常见"),             # three classes, but on the common-passwords list
])
def test_weak_passwords_are_refused_with_a_chinese_reason(db, password, expected):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert expected in " ".join(exc.value.messages)


@pytest.mark.parametrize("password", ["Xq7mPz2k", "zt9!kq4m#r", "ZT9!KQ4M#R", "长城Zt9!kq4m"])
def test_passwords_with_three_classes_and_eight_characters_pass(db, password):
    validate_password(password)


def test_generated_passwords_always_meet_the_policy(db):
    seen = set()
    for _ in range(200):
        password = generate_password()
        validate_password(password)
        seen.add(password)
    assert len(seen) == 200


def test_user_creation_enforces_the_policy(world, org_admin):
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=org_admin, organisation_id=world.org.pk, username="wangli",
                             display_name="王丽", password="abcdefgh", role=Role.GENERAL_VOLUNTEER)
    assert "password" in exc.value.message_dict
    assert not User.objects.filter(username="wangli").exists()


def test_password_reset_enforces_the_policy(world, org_admin, social_worker):
    with pytest.raises(ValidationError) as exc:
        services.user_password_reset(actor=org_admin, user_id=social_worker.pk, password="12345678")
    assert "password" in exc.value.message_dict
    social_worker.refresh_from_db()
    assert social_worker.check_password(PASSWORD)


def test_own_password_change_enforces_the_policy_and_keeps_the_session(client, logged_in, social_worker):
    logged_in(social_worker)
    url = reverse("accounts:password_change")
    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"})
    assert weak.status_code == 200
    assert "至少3类" in weak.content.decode()
    social_worker.refresh_from_db()
    assert social_worker.check_password(PASSWORD)

    wrong_old = client.post(url, {"old_password": "nope", "new_password1": "Xq7mPz2k!", "new_password2": "Xq7mPz2k!"})
    assert "原密码不正确" in wrong_old.content.decode()
    assert AuditEvent.objects.filter(action="user.password_change", outcome="failure").exists()

    mismatch = client.post(url, {"old_password": PASSWORD, "new_password1": "Xq7mPz2k!", "new_password2": "Xq7mPz2k?"})
    assert "两次输入的新密码不一致" in mismatch.content.decode()

    ok = client.post(url, {"old_password": PASSWORD, "new_password1": "Xq7mPz2k!", "new_password2": "Xq7mPz2k!"})
    assert ok.status_code == 302
    social_worker.refresh_from_db()
    assert social_worker.check_password("Xq7mPz2k!")
    # Still logged in on this device after the change.
    assert client.get(reverse("accounts:my_account")).status_code == 200
    assert AuditEvent.objects.filter(action="user.password_change", outcome="success",
                                     actor=social_worker).exists()


def test_a_password_set_by_an_admin_must_be_changed_before_anything_else(client, world, org_admin):
    created = services.user_create(actor=org_admin, organisation_id=world.org.pk, username="zhaomin",
                                   display_name="赵敏", password="Init-Pass-77", role=Role.GENERAL_VOLUNTEER)
    assert created.generated_password is None
    response = client.post(reverse("accounts:login"), {"username": "zhaomin", "password": "Init-Pass-77"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:password_change")
    assert "请先修改为只有您自己知道的密码" in response.content.decode()
    assert client.get(reverse("home:home"))["Location"] == reverse("accounts:password_change")
    client.post(reverse("accounts:password_change"), {
        "old_password": "Init-Pass-77", "new_password1": "Mine-Pass-88", "new_password2": "Mine-Pass-88"})
    assert client.get(reverse("home:home")).status_code == 200
