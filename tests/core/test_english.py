"""The English catalogue: foundation strings translate and /i18n/setlang/ switches the UI to English."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext, ngettext, override

from sanshe.accounts.forms import StaffLoginForm
from sanshe.accounts.roles import Role, WorkerKind
from sanshe.people.choices import Category

pytestmark = pytest.mark.django_db


def test_foundation_strings_translate_to_english():
    with override("en"):
        assert gettext("工作台") == "Dashboard"
        assert gettext("工作人员登录") == "Staff login"
        assert gettext("用户名或手机号") == "Username or mobile number"
        assert str(Role.SOCIAL_WORKER.label) == "Social worker"
        assert str(WorkerKind.BUILDING_STEWARD.label) == "Building steward"
        assert str(Category.HOME_QUARANTINE.label) == "Home quarantine"
        assert ngettext("共 %(n)s 个账号", "共 %(n)s 个账号", 1) % {"n": 1} == "1 account"
        assert ngettext("共 %(n)s 个账号", "共 %(n)s 个账号", 3) % {"n": 3} == "3 accounts"
        form = StaffLoginForm()
        assert str(form.fields["username"].label) == "Username or mobile number"
        assert str(form.fields["password"].label) == "Password"
    with override("zh-hans"):
        assert gettext("工作台") == "工作台"  # Chinese stays the default


def test_setlang_renders_the_login_page_in_english(client):
    login = reverse("accounts:login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert response.status_code == 302 and response["Location"] == login
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(login).content.decode()
    assert "Staff login" in page and "Sanshe Online Epidemic Response Platform" in page
    assert "Username or mobile number" in page and "Log in" in page
    assert "工作人员登录" not in page

    client.post(reverse("set_language"), {"language": "zh-hans", "next": login})
    page = client.get(login).content.decode()
    assert "工作人员登录" in page and "Staff login" not in page


def test_staff_dashboard_in_english(client, social_worker):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.force_login(social_worker)
    page = client.get(reverse("home:home")).content.decode()
    assert "Dashboard" in page and "Social worker" in page


@pytest.mark.parametrize("persona", [
    "org_admin", "social_worker", "community_worker", "building_steward",
    "secretary", "medic", "counsellor", "resident",
])
def test_every_role_home_renders_in_english(client, world, persona, request):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("home:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dashboard" in page and "Log out" in page and "退出" not in page
