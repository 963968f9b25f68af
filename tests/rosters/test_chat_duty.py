"""The roster puts people on duty in chat groups through the provider it registers with groups
(sanshe/rosters/chat_duty.py); without it, manual duty alone decides."""

from datetime import timedelta

import pytest

from sanshe.groups import duty
from sanshe.groups.duty import duty_cover, on_duty_user_ids
from sanshe.groups.membership.services import duty_set
from sanshe.groups.models import DutyKind
from sanshe.rosters import services

from .conftest import NOW, at, make_shift, need

pytestmark = pytest.mark.django_db


def test_a_shift_is_group_duty_through_the_registered_provider_only(roster, monkeypatch):
    rostered, manual = roster.medics[0], roster.medics[1]
    shift = make_shift(roster.group, at(0, 10), at(0, 14))
    services.shift_claim(actor=rostered, need_id=need(shift).pk, now=NOW)
    duty_set(actor=roster.social_worker, group=roster.group, user=manual, kind=DutyKind.MEDICAL,
             starts_at=at(0, 11), ends_at=at(0, 13))
    assert on_duty_user_ids(group=roster.group, at=at(0, 12)) == {rostered.pk, manual.pk}
    assert [p.user_id for p in duty_cover(group=roster.group, start=NOW)] == [rostered.pk, manual.pk]

    monkeypatch.setattr(duty, "_PROVIDERS", {})  # as without the roster feature
    assert on_duty_user_ids(group=roster.group, at=at(0, 12)) == {manual.pk}
    assert [p.user_id for p in duty_cover(group=roster.group, start=NOW)] == [manual.pk]
    assert on_duty_user_ids(group=roster.group, at=at(0, 13) + timedelta(minutes=1)) == set()
