"""Each role's 工作台 shows real, scoped content in Chinese."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.core.audit import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home:home"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(reverse("home:home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_org_admin_sees_the_organisation_figures_and_recent_audit(client, world, org_admin, social_worker):
    world.neighbour.category = "home_quarantine"
    world.neighbour.save()
    audit_record(actor=social_worker, action="person.reveal", obj=world.head, reason="电话回访")
    page = home(client, org_admin)
    assert "江汉区阳光社工服务中心" in page and "机构管理员" in page
    assert "民族社区" in page and "外区社区" not in page
    assert "居家隔离人员" in page and "?category=home_quarantine" in page
    assert "查看完整证件号/手机号/地址" in page  # the recent audit entry, in words
    assert reverse("core:audit_list") in page and reverse("places:community_create") in page


def test_social_worker_sees_people_needing_attention_and_a_search_box(client, world, social_worker):
    world.head.elderly_alone = True
    world.head.save()
    world.spouse.category = "severe_anxiety"
    world.spouse.save()
    page = home(client, social_worker)
    assert "需要关注的人员" in page and "严重焦虑者" in page and "60岁以上独居" in page
    assert "?vulnerability=elderly_alone" in page
    assert 'name="q"' in page and f'action="{reverse("people:person_list")}"' in page


def test_community_worker_sees_buildings_and_can_add_people(client, world, community_worker):
    page = home(client, community_worker)
    assert "各楼栋登记情况" in page and "锦绣小区" in page
    assert reverse("places:building_detail", args=[world.building.pk]) in page
    assert "2人" in page  # building 1 holds 张伟 and 王芳
    assert reverse("people:person_create") in page


def test_building_steward_sees_their_buildings(client, world, building_steward):
    page = home(client, building_steward)
    assert "我负责的楼栋" in page
    assert reverse("places:building_detail", args=[world.building.pk]) in page
    assert reverse("places:building_detail", args=[world.building2.pk]) not in page


@pytest.mark.parametrize(("persona", "duty"), [
    ("secretary", "群秘书的工作"), ("medic", "医务志愿者的工作"), ("counsellor", "心理咨询志愿者的工作")])
def test_volunteers_see_their_duties_group_rules_and_confidentiality(client, world, persona, duty, request):
    page = home(client, request.getfixturevalue(persona))
    assert duty in page
    assert "非当班社会工作者（或志愿者）切勿在群内发言" in page  # 在线工作守则 2
    assert "未经服务对象同意或允许，不得向第三方透露其个人身份信息" in page  # 隐私保密
    assert "张伟" not in page
    # The guide's long texts are folded away under their titles; today's work comes first.
    assert '<details class="card guide">' in page and "<summary>在线工作守则</summary>" in page
    assert page.index("非当班社会工作者") > page.index('<details class="card guide">')


def test_the_secretary_is_told_truthfully_what_they_can_see(client, world, secretary):
    page = home(client, secretary)
    # A secretary sees the members, chats and records of the groups they serve in: never "no resident data".
    assert "您看不到任何居民的个人信息" not in page
    assert "您能看到您担任群秘书的咨询群里的成员和聊天" in page and "您看不到社区的人员名册" in page
    assert "<summary>群秘书的工作（摘自工作导引六（三））</summary>" in page


def test_resident_sees_their_household_masked_and_how_to_get_help(client, world, resident):
    world.home.phone = "027-85677767"
    world.home.save()
    page = home(client, resident)
    assert "张伟" in page and "王芳" in page and "李娜" not in page
    assert world.spouse.phone not in page and world.spouse.phone_masked in page
    assert 'href="tel:027-85677767"' in page
    assert "120" in page


def test_a_user_without_roles_is_told_whom_to_ask(client, world):
    page = home(client, UserFactory())
    assert "还没有分配角色" in page


def test_navigation_follows_the_role(client, world, org_admin, secretary):
    page = home(client, org_admin)
    assert reverse("people:person_list") in page and reverse("core:audit_list") in page
    page = home(client, secretary)
    assert reverse("people:person_list") not in page and reverse("core:audit_list") not in page
