"""Screening pre-fills what is known about each member and offers a child no adult-only situations."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sanshe.monitoring import services
from sanshe.monitoring.choices import ADULT_ONLY_SITUATIONS
from sanshe.monitoring.models import ScreeningEntry
from sanshe.monitoring.screening_services import (
    is_child,
    screening_entry_save,
    screening_round_close,
    screening_round_start,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(world):
    """An 8-year-old in 张伟's household (born 2015: a child in 2020 and today alike)."""
    return PersonFactory(household=world.household, name="张小宝", relation="child", doc_number=None,
                         birth_date=date(2015, 3, 1))


@pytest.fixture
def round_(world, community_worker):
    return screening_round_start(actor=community_worker, compound_id=world.compound.pk)


def _url(round_, world):
    return reverse("monitoring:entry_form", args=[round_.pk, world.household.pk])


def test_a_child_is_under_18_on_the_day():
    person = PersonFactory.build(birth_date=date(2002, 2, 11), child_under_14=False)
    assert is_child(person, date(2020, 2, 10))  # 18 tomorrow
    assert not is_child(person, date(2020, 2, 11))
    assert is_child(PersonFactory.build(birth_date=None, child_under_14=True), date(2020, 2, 10))
    assert not is_child(PersonFactory.build(birth_date=None, child_under_14=False), date(2020, 2, 10))


def test_the_form_offers_a_child_no_adult_only_situation(client, world, community_worker, round_, child):
    client.force_login(community_worker)
    page = client.get(_url(round_, world))
    form = page.context["form"]
    child_codes = {code for code, _label in form.fields[f"m_{child.pk}"].choices}
    adult_codes = {code for code, _label in form.fields[f"m_{world.head.pk}"].choices}
    assert "stressed_worker" in adult_codes and "home_quarantine" in adult_codes
    assert not child_codes & ADULT_ONLY_SITUATIONS
    assert {"home_quarantine", "suspected", "fever", "severe_anxiety"} <= child_codes
    html = page.content.decode()
    assert f'name="m_{child.pk}" value="stressed_worker"' not in html
    assert f'name="m_{world.head.pk}" value="stressed_worker"' in html
    assert "未满18岁，不显示成年人才有的类别" in html


def test_a_forged_post_for_a_child_is_refused_and_keeps_what_was_typed(client, world, community_worker, round_,
                                                                        child):
    client.force_login(community_worker)
    page = client.post(_url(round_, world), {
        "contact": "visit", f"m_{child.pk}": ["stressed_worker"], f"m_{world.head.pk}": ["fever"],
        "exposure": "none", "note": "孩子在家上网课"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "张小宝未满18岁，不能登记为“压力较大的社区工作者”，请重新选择" in html
    assert "孩子在家上网课" in html
    assert page.context["form"][f"m_{world.head.pk}"].value() == ["fever"]
    assert f'name="m_{world.head.pk}" value="fever"' in html.replace(" checked", "")
    assert not ScreeningEntry.objects.exists()
    child.refresh_from_db()
    assert child.category == "resident"


def test_the_service_refuses_an_adult_only_situation_for_a_child(world, community_worker, round_, child):
    with pytest.raises(ValidationError) as error:
        screening_entry_save(actor=community_worker, round_id=round_.pk, household_id=world.household.pk,
                             contact="phone", members={child.pk: ["stressed_worker"]})
    assert "张小宝未满18岁" in error.value.message_dict["members"][0]
    assert not ScreeningEntry.objects.exists()
    child.refresh_from_db()
    assert child.category == "resident"


def test_an_adult_may_still_be_a_stressed_worker(client, world, community_worker, round_, child):
    client.force_login(community_worker)
    page = client.post(_url(round_, world), {
        "contact": "visit", f"m_{world.head.pk}": ["stressed_worker"], f"m_{child.pk}": ["normal"],
        "exposure": "none"})
    assert page.status_code == 302
    entry = ScreeningEntry.objects.get()
    assert entry.data["members"][str(world.head.pk)] == ["stressed_worker"]
    world.head.refresh_from_db()
    assert world.head.category == "stressed_worker"


def test_known_statuses_are_pre_filled_and_marked(client, world, community_worker, child):
    """Category, an open quarantine and the previous screening's statuses pre-fill; its fever does not."""
    earlier = screening_round_start(actor=community_worker, compound_id=world.compound.pk, title="第一轮")
    screening_entry_save(actor=community_worker, round_id=earlier.pk, household_id=world.household.pk,
                         contact="phone", members={world.head.pk: ["close_contact", "fever"],
                                                   child.pk: ["confirmed"]})
    screening_round_close(actor=community_worker, round_id=earlier.pk)
    world.spouse.category = "severe_anxiety"
    world.spouse.save(update_fields=["category"])
    services.quarantine_register(actor=community_worker, person_id=world.head.pk, kind="home",
                                 start_date=date.today(), ordered_how="written", ordered_by="江汉区疾控中心")
    round_ = screening_round_start(actor=community_worker, compound_id=world.compound.pk, title="第二轮")
    client.force_login(community_worker)
    page = client.get(_url(round_, world))
    form = page.context["form"]
    assert sorted(form.initial[f"m_{world.head.pk}"]) == ["close_contact", "home_quarantine"]
    assert form.initial[f"m_{world.spouse.pk}"] == ["severe_anxiety"]
    assert form.initial[f"m_{child.pk}"] == ["confirmed"]
    html = page.content.decode()
    assert html.count("预填</span>") == 4
    assert "隔离观察中" in html and "上次排查" in html and "人员类别" in html
    assert f'value="close_contact" id="id_m_{world.head.pk}_3" checked' in html


def test_a_pre_filled_child_gets_no_adult_only_status(client, world, community_worker, child):
    """A child wrongly classified as a stressed worker earlier is not pre-filled with it."""
    child.category = "stressed_worker"
    child.save(update_fields=["category"])
    round_ = screening_round_start(actor=community_worker, compound_id=world.compound.pk)
    client.force_login(community_worker)
    form = client.get(_url(round_, world)).context["form"]
    assert f"m_{child.pk}" not in form.initial


def test_an_ended_quarantine_from_the_last_screening_is_not_pre_filled(world, community_worker, period):
    from sanshe.monitoring import screening_selectors as selectors

    earlier = screening_round_start(actor=community_worker, compound_id=world.compound.pk)
    screening_entry_save(actor=community_worker, round_id=earlier.pk, household_id=world.household.pk,
                         contact="phone", members={world.head.pk: ["home_quarantine"]})
    services.quarantine_close(actor=community_worker, period_id=period.pk, status="cancelled",
                              reason="登记错误")
    world.head.refresh_from_db()
    world.head.category = "resident"
    world.head.save(update_fields=["category"])
    round_ = screening_round_start(actor=community_worker, compound_id=world.compound.pk)
    known = selectors.known_situations(round_=round_, household=world.household, members=[world.head])
    assert known == {world.head.pk: {}}


def test_an_entry_already_made_in_this_round_wins_over_the_pre_fill(client, world, community_worker, round_):
    world.head.category = "suspected"
    world.head.save(update_fields=["category"])
    screening_entry_save(actor=community_worker, round_id=round_.pk, household_id=world.household.pk,
                         contact="phone", members={world.head.pk: ["normal"]})
    client.force_login(community_worker)
    page = client.get(_url(round_, world))
    assert page.context["form"].initial[f"m_{world.head.pk}"] == ["normal"]
    assert "预填</span>" not in page.content.decode()
