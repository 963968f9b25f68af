"""Accounts opened by another feature go through accounts' own services (issue 14: another app's tables are
written only through its services): volunteers approve an applicant → account_open; the applicant's first
password → account_first_password_set."""

import pytest
from django.core.exceptions import ValidationError

from sanshe.accounts.services import account_first_password_set, account_open
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_account_open_takes_the_first_free_username_and_has_no_password():
    UserFactory(username="zyz00007")
    UserFactory(username="zyz00007-2")
    user = account_open(username_base="zyz00007", display_name="张" * 60, phone="13900000077",
                        phone_index="ix-77")
    assert user.username == "zyz00007-3"
    assert not user.has_usable_password() and len(user.display_name) == 50


def test_the_first_password_is_validated_and_set_once():
    user = account_open(username_base="zyz00008", display_name="李四", phone="13900000078", phone_index="ix-78")
    with pytest.raises(ValidationError) as mismatch:
        account_first_password_set(user=user, password1="Long-enough-9x", password2="Other-enough-9x")
    assert "password2" in mismatch.value.message_dict
    with pytest.raises(ValidationError) as weak:
        account_first_password_set(user=user, password1="123", password2="123")
    assert "password1" in weak.value.message_dict
    user = account_first_password_set(user=user, password1="Long-enough-9x", password2="Long-enough-9x")
    assert user.check_password("Long-enough-9x") and not user.password_must_change
    with pytest.raises(ValidationError):
        account_first_password_set(user=user, password1="Another-one-9x", password2="Another-one-9x")
    user.refresh_from_db()
    assert user.check_password("Long-enough-9x")
