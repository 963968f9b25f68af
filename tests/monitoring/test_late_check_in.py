"""Issue 12 item 6: a late report fills the slot it is late for (补报, with its time); the next slot stays open,
and late reports are never counted as on time."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.monitoring import services, views
from sanshe.monitoring.choices import FollowUpStatus
from sanshe.monitoring.models import DailyFigures, FollowUp
from sanshe.monitoring.selectors import Place, building_today, indicators, period_days, today_overview
from sanshe.monitoring.services import CheckInInput

from .conftest import DAY, at

pytestmark = pytest.mark.django_db
WELL = CheckInInput(temperature_c=36.6)


@pytest.fixture
def token(period, community_worker, morning):
    return services.link_token(services.check_in_link_issue(actor=community_worker, period_id=period.pk,
                                                            now=morning))


def _submit(token, when, key="late-key-001", data=WELL):
    return services.check_in_by_link(token=token, data=data, idempotency_key=key, now=when)


def _slots(period):
    return {f.slot: f for f in FollowUp.objects.filter(period=period, date=DAY)}


def test_a_missed_morning_reported_at_15_is_the_morning_late_and_the_evening_stays_open(token, period):
    services.followups_pass_deadline(now=at(DAY, 10, 5))
    assert _slots(period)[0].status == FollowUpStatus.MISSED

    result = _submit(token, at(DAY, 15))

    slots = _slots(period)
    assert result.follow_up.slot == 0
    assert (slots[0].status, slots[0].late, slots[0].seen_at) == (FollowUpStatus.SEEN_WELL, True, at(DAY, 15))
    assert slots[0].last_check_in == result.check_in
    assert (slots[1].status, slots[1].late, slots[1].last_check_in) == (FollowUpStatus.PENDING, False, None)


def test_before_the_deadline_job_ran_the_overdue_morning_is_still_the_one_filled(token, period):
    result = _submit(token, at(DAY, 10, 20))
    assert result.follow_up.slot == 0 and result.follow_up.late
    assert _slots(period)[1].status == FollowUpStatus.PENDING


def test_the_next_report_after_the_late_one_fills_the_evening_on_time(token, period):
    _submit(token, at(DAY, 15), key="late-morning-1")
    evening = _submit(token, at(DAY, 19, 30), key="evening-on-time")
    slots = _slots(period)
    assert evening.follow_up.slot == 1
    assert (slots[1].status, slots[1].late) == (FollowUpStatus.SEEN_WELL, False)
    assert (slots[0].seen_at, slots[0].late) == (at(DAY, 15), True)  # the morning keeps its late report


def test_a_report_after_both_deadlines_fills_the_evening_then_the_morning(token, period):
    first = _submit(token, at(DAY, 21), key="both-missed-1")
    second = _submit(token, at(DAY, 21, 5), key="both-missed-2")
    assert (first.follow_up.slot, second.follow_up.slot) == (1, 0)
    assert all(f.late for f in _slots(period).values())


def test_a_worker_records_a_call_against_the_missed_morning_as_late(period, community_worker):
    morning_slot = _slots(period)[0]
    result = services.check_in_record(actor=community_worker, follow_up_id=morning_slot.pk, data=WELL,
                                      idempotency_key="call-late-01", now=at(DAY, 14))
    assert result.follow_up.slot == 0 and result.follow_up.late


def test_staff_lists_show_补报_with_its_time(token, period, world, community_worker):
    _submit(token, at(DAY, 15))
    labels = services.profile_slot_labels(services.profile_current())
    row = building_today(actor=community_worker, building=world.building, day=DAY, labels=labels)[0]
    assert [(c.slot, c.late_label) for c in row.slots] == [(0, "补报 15:00"), (1, "")]
    cells = period_days(period=period, labels=labels)[0].cells
    assert [c.late_label for c in cells] == ["补报 15:00", ""]
    overview = today_overview(actor=community_worker, day=DAY)
    assert (overview.totals.seen, overview.totals.late) == (1, 1)


def test_late_reports_are_not_counted_as_on_time(token, period, world, community_worker, org_admin):
    services.quarantine_register(actor=community_worker, person_id=world.neighbour.pk, kind="home",
                                 start_date=DAY, ordered_how="phone", now=at(DAY, 8))
    neighbour = FollowUp.objects.get(person=world.neighbour, date=DAY, slot=0)
    services.check_in_record(actor=community_worker, follow_up_id=neighbour.pk, data=WELL,
                             idempotency_key="on-time-0001", now=at(DAY, 9))
    _submit(token, at(DAY, 15))  # 张伟's morning, five hours late

    figures = indicators(actor=org_admin, place=Place("community", world.home), now=at(DAY, 15, 30))
    assert (figures.seen_so_far, figures.late_so_far, figures.due_so_far) == (1, 1, 2)
    assert figures.seen_today_pct == 50
    assert figures.trend[-1]["late"] == 1

    services.figures_refresh(day=DAY, now=at(DAY, 23, 59))
    stored = DailyFigures.objects.get(date=DAY, building=world.building)
    assert (stored.seen_well, stored.late) == (1, 1)


def _page(client, user, when, monkeypatch, method="get", **data):
    monkeypatch.setattr(views, "_now", lambda: when)
    client.force_login(user)
    url = reverse("monitoring:check_in_mine")
    return client.post(url, data) if method == "post" else client.get(url)


def test_the_resident_page_says_it_is_filling_the_missed_morning(client, period, resident, monkeypatch):
    page = _page(client, resident, at(DAY, 15), monkeypatch).content.decode()
    assert "现在填写：<b>补报上午体温</b>" in page and "已逾期" in page

    response = _page(client, resident, at(DAY, 15), monkeypatch, method="post", temperature_c="36.6",
                     breathing="none", idempotency_key="page-late-0001")
    body = response.content.decode()
    assert response.status_code == 200
    assert "已补报上午体温（15:00）" in body
    assert "晚上体温请在 20:00 前报告" in body
    assert "补报 15:00" in body
    slots = {f.slot: f for f in FollowUp.objects.filter(period=period, date=DAY)}
    assert slots[0].late and slots[1].status == FollowUpStatus.PENDING

    page = _page(client, resident, at(DAY, 15, 10), monkeypatch).content.decode()
    assert "现在填写：<b>晚上体温</b>（20:00 前）" in page


def test_on_time_the_page_names_the_slot_without_补报(client, period, resident, monkeypatch):
    page = _page(client, resident, at(DAY, 8, 30), monkeypatch).content.decode()
    assert "现在填写：<b>上午体温</b>（10:00 前）" in page and "补报" not in page


def test_the_building_list_shows_补报_with_the_time(client, token, period, world, community_worker, monkeypatch):
    _submit(token, at(DAY, 15))
    monkeypatch.setattr(views, "_now", lambda: at(DAY, 15, 30))
    client.force_login(community_worker)
    page = client.get(reverse("monitoring:today_building", args=[world.building.pk])).content.decode()
    assert '<b class="late">补报 15:00</b>' in page
    page = client.get(reverse("monitoring:period_detail", args=[period.pk])).content.decode()
    assert '<b class="late">补报 15:00</b>' in page
