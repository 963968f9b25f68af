"""Roster pages: permission matrix, the volunteer's page, the secretary's tools, coverage, hours, export, iCal."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sanshe.groups.models import DutyKind
from sanshe.rosters import services
from sanshe.rosters.models import Assignment, HoursRecord, HoursSource, HoursStatus
from tests.rosters.conftest import make_shift, need

MANAGER_PAGES = ["rosters:group_list", "rosters:coverage"]
MEMBER_PAGES = ["rosters:my_shifts", "rosters:my_hours", "rosters:calendar"]


def soon(hours: int) -> timezone.datetime:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    return now + timedelta(hours=hours)


@pytest.mark.parametrize("name", MANAGER_PAGES + MEMBER_PAGES + ["rosters:hours_manage", "rosters:policy"])
def test_anonymous_goes_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", MANAGER_PAGES)
@pytest.mark.parametrize("persona", ["medic", "counsellor", "community_worker", "resident"])
def test_roles_that_do_not_arrange_shifts_get_403(client, request, name, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("persona", ["community_worker", "resident"])
def test_non_duty_roles_get_403_on_volunteer_pages(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for name in MEMBER_PAGES:
        assert client.get(reverse(name)).status_code == 403


def test_hours_desk_and_policy_are_for_certifiers(client, roster, org_admin):
    client.force_login(roster.medics[0])
    assert client.get(reverse("rosters:hours_manage")).status_code == 403
    assert client.get(reverse("rosters:policy")).status_code == 403
    client.force_login(org_admin)
    assert client.get(reverse("rosters:policy")).status_code == 200


def test_out_of_scope_shift_and_group_are_404(client, roster, outsider, medic):
    shift = make_shift(roster.group, soon(30), soon(34))
    client.force_login(medic)  # a medical volunteer who is not in this group
    assert client.get(reverse("rosters:shift_detail", args=[shift.pk])).status_code == 404
    assert client.post(reverse("rosters:claim", args=[need(shift).pk])).status_code == 404
    client.force_login(roster.secretary)
    assert client.get(reverse("rosters:group_roster", args=[roster.group.pk])).status_code == 200
    client.force_login(roster.medics[0])  # a member, but medical volunteers do not arrange shifts
    assert client.get(reverse("rosters:shift_edit", args=[shift.pk])).status_code == 403
    client.force_login(outsider_secretary(roster))
    assert client.get(reverse("rosters:shift_edit", args=[shift.pk])).status_code == 404
    assert client.get(reverse("rosters:group_roster", args=[roster.group.pk])).status_code == 404


def outsider_secretary(roster):
    """A general volunteer who is not this group's secretary."""
    from sanshe.accounts.roles import Role
    from tests.factories import UserFactory, grant

    user = UserFactory(username="other-secretary")
    grant(user, roster.vol_org, Role.GENERAL_VOLUNTEER)
    return user


def test_volunteer_claims_from_their_page(client, roster):
    shift = make_shift(roster.group, soon(30), soon(34))
    medic = roster.medics[0]
    client.force_login(medic)
    page = client.get(reverse("rosters:my_shifts")).content.decode()
    assert roster.group.name in page and "认领" in page
    response = client.post(reverse("rosters:claim", args=[need(shift).pk]), follow=True)
    assert "认领成功" in response.content.decode()
    assert Assignment.objects.filter(user=medic, shift=shift).exists()
    again = client.post(reverse("rosters:claim", args=[need(shift).pk]), follow=True).content.decode()
    assert "名额已满" in again or "已在这个班次" in again


def test_my_shifts_shows_the_handover_first(client, roster):
    first = make_shift(roster.group, soon(-4), soon(-1))
    nxt = make_shift(roster.group, soon(10), soon(13))
    services.shift_assign(actor=roster.secretary, need_id=need(nxt).pk, user_id=roster.medics[0].pk)
    services.handover_write(actor=roster.secretary, shift_id=first.pk, body="5栋刘阿姨今天需要再次随访")
    client.force_login(roster.medics[0])
    page = client.get(reverse("rosters:my_shifts")).content.decode()
    assert page.index("上一班的交接") < page.index("可认领的班次")
    assert "5栋刘阿姨今天需要再次随访" in page


def test_secretary_builds_a_template_and_generates(client, roster):
    client.force_login(roster.secretary)
    url = reverse("rosters:template_create", args=[roster.group.pk])
    page = client.get(url).content.decode()
    assert "时段 1" in page
    data = {"name": "周末加班", "slot-TOTAL_FORMS": "2", "slot-INITIAL_FORMS": "0", "slot-MIN_NUM_FORMS": "0",
            "slot-MAX_NUM_FORMS": "12", "slot-0-start": "08:00", "slot-0-end": "12:00", "slot-0-weekdays": ["5", "6"],
            f"slot-0-need_{DutyKind.MEDICAL}": "1", "slot-1-start": "11:00", "slot-1-end": "13:00",
            "slot-1-weekdays": ["5"], f"slot-1-need_{DutyKind.MEDICAL}": "1"}
    response = client.post(url, data)
    assert "时间重叠" in response.content.decode() and "周末加班" in response.content.decode()
    data["slot-1-start"], data["slot-1-end"] = "14:00", "13:00"
    assert "须晚于开始时间" in client.post(url, data).content.decode()
    data["slot-1-start"], data["slot-1-end"] = "14:00", "24:00"
    response = client.post(url, data)
    assert response.status_code == 302
    template = roster.group.shift_templates.get()
    today = timezone.localdate()
    response = client.post(reverse("rosters:template_generate", args=[template.pk]),
                           {"date_from": today.isoformat(), "date_to": (today + timedelta(days=13)).isoformat()},
                           follow=True)
    assert "已生成" in response.content.decode()
    assert roster.group.shifts.count() >= 4


def test_coverage_board_query_count_is_flat(client, roster, django_assert_max_num_queries):
    for h in (5, 9, 30):
        make_shift(roster.group, soon(h), soon(h + 2), medical=2, psychological=1)
    client.force_login(roster.social_worker)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("rosters:coverage") + "?span=7d").content.decode()
    assert roster.group.name in page and "发出求助" in page


def test_hours_export_is_formula_safe(client, roster, social_worker):
    HoursRecord.objects.create(user=roster.medics[0], organisation=roster.group.organisation, group=roster.group,
                               service_date=timezone.localdate(), minutes=90, content="=HYPERLINK(\"http://x\")",
                               source=HoursSource.MANUAL, status=HoursStatus.APPROVED)
    client.force_login(social_worker)
    response = client.get(reverse("rosters:hours_export"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and rows[1][7] == 1.5
    assert rows[1][8].startswith("'=")


def test_ical_feed_private_and_revocable(client, roster):
    shift = make_shift(roster.group, soon(30), soon(34))
    services.shift_assign(actor=roster.secretary, need_id=need(shift).pk, user_id=roster.medics[0].pk)
    client.force_login(roster.medics[0])
    page = client.post(reverse("rosters:calendar"), {"action": "create"}).content.decode()
    link = page.split('class="copy"')[0].rsplit('value="', 1)[1].split('"')[0]
    path = link.split("testserver", 1)[1]
    client.logout()
    feed = client.get(path)
    body = feed.content.decode()
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "BEGIN:VEVENT" in body and roster.group.name in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    client.force_login(roster.medics[0])
    client.post(reverse("rosters:calendar"), {"action": "revoke"})
    client.logout()
    assert client.get(path).status_code == 404


def test_certificate_page_is_own_only(client, roster):
    medic = roster.medics[0]
    HoursRecord.objects.create(user=medic, organisation=roster.group.organisation, group=roster.group,
                               service_date=timezone.localdate(), minutes=240, content="值班", source=HoursSource.SHIFT,
                               status=HoursStatus.APPROVED)
    client.force_login(medic)
    response = client.post(reverse("rosters:my_hours"), {"action": "certificate",
                                                         "organisation": roster.group.organisation_id})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "志愿服务证明" in page and "4.0" in page and "********" in page
    client.force_login(roster.medics[1])
    assert client.get(response["Location"]).status_code == 404


def test_home_panels_render(roster):
    from django.template.loader import render_to_string

    from sanshe.rosters.selectors import home_coordinator, home_volunteer

    shift = make_shift(roster.group, soon(3), soon(6), medical=2)
    services.shift_claim(actor=roster.medics[0], need_id=need(shift).pk)
    volunteer = render_to_string("rosters/_home_volunteer.html", home_volunteer(user=roster.medics[0]))
    assert "我的值班" in volunteer and roster.group.name in volunteer
    coordinator = render_to_string("rosters/_home_coordinator.html", home_coordinator(user=roster.social_worker))
    assert "24小时内缺人" in coordinator and "<b>1</b>" in coordinator


def test_secretary_moves_a_volunteer_to_another_shift_in_one_step(client, roster):
    first = make_shift(roster.group, soon(30), soon(34))
    second = make_shift(roster.group, soon(54), soon(58))
    medic = roster.medics[0]
    assignment = services.shift_assign(actor=roster.secretary, need_id=need(first).pk, user_id=medic.pk)
    client.force_login(roster.secretary)
    page = client.get(reverse("rosters:shift_detail", args=[first.pk])).content.decode()
    assert f'id="move-{assignment.pk}"' in page and f'value="{need(second).pk}"' in page
    response = client.post(reverse("rosters:assignment_action", args=[assignment.pk, "move"]),
                           {"need": need(second).pk, "next": reverse("rosters:shift_detail", args=[first.pk])})
    assert response.status_code == 302
    assert need(first).filled == 0 and need(second).filled == 1
    assert Assignment.objects.get(need=need(second), status="active").user == medic
    # A medical volunteer may not rearrange others.
    other = services.shift_assign(actor=roster.secretary, need_id=need(first).pk, user_id=roster.medics[1].pk)
    client.force_login(medic)
    client.post(reverse("rosters:assignment_action", args=[other.pk, "move"]), {"need": need(second).pk})
    assert Assignment.objects.get(pk=other.pk).status == "active" and need(second).filled == 1
