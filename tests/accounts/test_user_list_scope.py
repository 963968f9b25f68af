"""The admin's user list covers everyone in the admin's scope, not only their own organisation: people holding
roles of partner organisations in the communities the admin's organisation serves, and residents of those
communities — never anyone elsewhere; and the managing pages stay refused for other organisations' users."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanshe.accounts.roles import Role
from sanshe.core.pii import blind_index
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, grant

GET_PAGES = ["accounts:user_detail", "accounts:user_edit", "accounts:membership_grant",
             "accounts:user_password_reset"]
POST_ACTIONS = ["accounts:user_deactivate", "accounts:user_activate", "accounts:user_unlock",
                "accounts:user_password_reset", "accounts:membership_grant"]


def _rows(response) -> str:
    """The list's rows only (the filter form names every role and organisation on offer)."""
    text = response.content.decode()
    start = text.index('<ul class="list users">')
    return text[start:text.index("</ul>", start)]


def _listed(rows: str, user) -> bool:
    """Whether `user` has a row (usernames are rendered alone or before their masked phone)."""
    return re.search(rf">{re.escape(user.username)}(<| ·)", rows) is not None


@pytest.fixture
def scope_world(world, org_admin, social_worker, resident, outsider):
    """A partner organisation serving both the home and the away community, with people on either side."""
    partner = OrganisationFactory(name="社区志愿者协会")
    partner.communities.add(world.home, world.away)
    volunteer = UserFactory(username="partner_vol", display_name="合作志愿者")
    volunteer.phone, volunteer.phone_index = "13812345678", blind_index("phone", "13812345678")
    volunteer.save()
    grant(volunteer, partner, Role.GENERAL_VOLUNTEER, communities=[world.home])
    # The same volunteer's role elsewhere (another organisation, the away community) stays out of sight.
    grant(volunteer, world.other_org, Role.COUNSELLOR, communities=[world.away])
    partner_admin = UserFactory(username="partner_admin", display_name="合作机构管理员")
    grant(partner_admin, partner, Role.ORG_ADMIN)
    steward = UserFactory(username="partner_steward", display_name="合作楼栋长")
    grant(steward, partner, Role.COMMUNITY_WORKER, buildings=[world.building], worker_kind="building_steward")
    away_only = UserFactory(username="partner_away", display_name="合作外区志愿者")
    grant(away_only, partner, Role.MEDICAL_VOLUNTEER, communities=[world.away])
    former = UserFactory(username="partner_former", display_name="合作前志愿者")
    old = grant(former, partner, Role.COUNSELLOR, communities=[world.home])
    old.is_active = False
    old.save()
    away_resident = UserFactory(username="away_resident", display_name="外区居民账号")
    world.stranger.user = away_resident
    world.stranger.save(update_fields=["user"])
    moved_out = UserFactory(username="moved_out", display_name="已迁出居民账号")
    PersonFactory(household=world.household2, name="迁出者", user=moved_out, is_active=False)
    return SimpleNamespace(partner=partner, volunteer=volunteer, partner_admin=partner_admin, steward=steward,
                           away_only=away_only, former=former, away_resident=away_resident,
                           moved_out=moved_out, org_admin=org_admin, social_worker=social_worker,
                           resident=resident, outsider=outsider)


def test_list_covers_in_scope_users_of_other_organisations_and_residents(client, logged_in, world, scope_world):
    s = scope_world
    logged_in(s.org_admin)
    rows = _rows(client.get(reverse("accounts:user_list")))
    for user in (s.social_worker, s.volunteer, s.partner_admin, s.steward, s.resident):
        assert _listed(rows, user), user.username
    # Each user's organisation(s) and roles in scope, and the community a resident lives in.
    assert "社区志愿者协会 · 一般志愿者（群秘书）" in rows
    assert "社区志愿者协会 · 机构管理员" in rows
    assert "社区志愿者协会 · 社区工作者·楼门栋长" in rows
    assert f"{world.org.name} · 社会工作者" in rows
    assert f"{world.home.name} · 居民" in rows


def test_list_never_shows_people_outside_the_scope(client, logged_in, world, scope_world):
    s = scope_world
    logged_in(s.org_admin)
    rows = _rows(client.get(reverse("accounts:user_list")))
    for user in (s.outsider, s.away_only, s.former, s.away_resident, s.moved_out):
        assert not _listed(rows, user), user.username
        assert user.display_name not in rows, user.display_name
    # The in-scope volunteer's role in another organisation's away community is not shown either.
    assert world.other_org.name not in rows and "心理咨询志愿者" not in rows
    # Nor does searching for them find them.
    found = _rows(client.get(reverse("accounts:user_list"), {"q": "外区"}))
    assert not _listed(found, s.away_resident) and not _listed(found, s.away_only)


def test_other_organisations_rows_are_view_only(client, logged_in, world, scope_world):
    s = scope_world
    logged_in(s.org_admin)
    rows = _rows(client.get(reverse("accounts:user_list")))
    assert reverse("accounts:user_detail", args=[s.social_worker.pk]) in rows
    for user in (s.volunteer, s.partner_admin, s.resident):
        assert reverse("accounts:user_detail", args=[user.pk]) not in rows
    assert "其他机构账号，仅可查看" in rows
    assert "138****5678" not in rows and "13812345678" not in rows


@pytest.mark.parametrize("name", GET_PAGES)
@pytest.mark.parametrize("who", ["volunteer", "partner_admin", "resident"])
def test_managing_pages_for_listed_users_of_other_organisations_are_404(client, logged_in, world, scope_world,
                                                                        name, who):
    logged_in(scope_world.org_admin)
    assert client.get(reverse(name, args=[getattr(scope_world, who).pk])).status_code == 404


@pytest.mark.parametrize("name", POST_ACTIONS)
@pytest.mark.parametrize("who", ["volunteer", "partner_admin", "resident"])
def test_managing_actions_on_listed_users_of_other_organisations_are_refused(client, logged_in, world,
                                                                             scope_world, name, who):
    user = getattr(scope_world, who)
    password = user.password
    roles = sorted(user.memberships.values_list("organisation_id", "role", "is_active"))
    logged_in(scope_world.org_admin)
    response = client.post(reverse(name, args=[user.pk]), {
        "organisation": world.org.pk, "role": Role.SOCIAL_WORKER, "communities": [world.home.pk],
        "password": "", "generate": "on"})
    assert response.status_code == 404
    user.refresh_from_db()
    assert user.is_active and user.password == password
    assert sorted(user.memberships.values_list("organisation_id", "role", "is_active")) == roles


def test_revoking_another_organisations_listed_role_is_404(client, logged_in, world, scope_world):
    s = scope_world
    theirs = s.volunteer.memberships.get(organisation=s.partner)
    logged_in(s.org_admin)
    assert client.post(reverse("accounts:membership_revoke", args=[s.volunteer.pk, theirs.pk])).status_code == 404
    assert client.get(reverse("accounts:membership_edit", args=[s.volunteer.pk, theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_filter_by_organisation_and_role(client, logged_in, world, scope_world):
    s = scope_world
    logged_in(s.org_admin)
    url = reverse("accounts:user_list")
    page = client.get(url).content.decode()
    # The organisations on offer are those on the list: never the away-only one.
    assert f'<option value="{s.partner.pk}"' in page and f'<option value="{world.org.pk}"' in page
    assert f'<option value="{world.other_org.pk}"' not in page

    partner_rows = _rows(client.get(url, {"organisation": s.partner.pk}))
    assert _listed(partner_rows, s.volunteer) and _listed(partner_rows, s.steward)
    assert not _listed(partner_rows, s.social_worker) and not _listed(partner_rows, s.resident)

    residents = _rows(client.get(url, {"role": Role.RESIDENT}))
    assert _listed(residents, s.resident)
    assert not _listed(residents, s.volunteer) and not _listed(residents, s.away_resident)

    admins = _rows(client.get(url, {"role": Role.ORG_ADMIN}))
    assert _listed(admins, s.partner_admin) and _listed(admins, s.org_admin)
    assert not _listed(admins, s.volunteer)

    both = _rows(client.get(url, {"role": Role.ORG_ADMIN, "organisation": s.partner.pk}))
    assert _listed(both, s.partner_admin) and not _listed(both, s.org_admin)

    # A role held only in another organisation's away community finds nobody.
    assert not _listed(_rows(client.get(url, {"role": Role.COUNSELLOR})), s.volunteer)


def test_filter_refuses_organisations_outside_the_scope_with_a_message(client, logged_in, world, scope_world):
    s = scope_world
    logged_in(s.org_admin)
    response = client.get(reverse("accounts:user_list"), {"organisation": world.other_org.pk, "role": "boss"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "所选机构不在您的管理范围内" in text and "没有这个角色" in text
    rows = _rows(response)
    assert not _listed(rows, s.outsider) and _listed(rows, s.social_worker)
    assert "所选机构不在您的管理范围内" in client.get(reverse("accounts:user_list"),
                                                       {"organisation": "x"}).content.decode()


def test_pager_keeps_the_filters(client, logged_in, world, scope_world):
    for n in range(31):
        grant(UserFactory(username=f"partner_more{n}"), scope_world.partner, Role.GENERAL_VOLUNTEER,
              communities=[world.home])
    logged_in(scope_world.org_admin)
    text = client.get(reverse("accounts:user_list"), {"organisation": scope_world.partner.pk}).content.decode()
    assert f"organisation={scope_world.partner.pk}&amp;role=&amp;page=2" in text


def test_list_query_count_does_not_grow_with_listed_people(client, logged_in, world, scope_world):
    s = scope_world
    logged_in(s.org_admin)
    url = reverse("accounts:user_list")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for n in range(5):
        grant(UserFactory(), s.partner, Role.MEDICAL_VOLUNTEER, communities=[world.home])
        PersonFactory(household=world.household2, name=f"居民{n}", user=UserFactory())
    assert count() == few


def test_the_away_admin_lists_only_their_own_side(client, logged_in, world, scope_world):
    """The other organisation's admin (serving only the away community) sees the away people, none of home."""
    s = scope_world
    away_admin = UserFactory(username="away_admin")
    grant(away_admin, world.other_org, Role.ORG_ADMIN)
    logged_in(away_admin)
    rows = _rows(client.get(reverse("accounts:user_list")))
    # The partner serves both communities, so its admin is in either admin's scope.
    for user in (s.outsider, s.away_resident, s.away_only, s.volunteer, s.partner_admin):
        assert _listed(rows, user), user.username
    for user in (s.org_admin, s.social_worker, s.resident, s.steward):
        assert not _listed(rows, user), user.username
    # The volunteer's home-community role with the partner is not theirs to see.
    assert "一般志愿者（群秘书）" not in rows and world.home.name not in rows
