"""Issue 12 item 12: the claim list shows only what a person can take (the rest folded, with reasons), and a
coordinator can put someone on despite the rest rules with a written reason — never despite clearance."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sanshe.core.errors import ActionForbidden
from sanshe.core.models import AuditEvent
from sanshe.core.notify.models import Notification
from sanshe.groups.models import GroupMember, MemberRole, MemberStatus
from sanshe.rosters import rules, selectors, services
from sanshe.rosters.models import Assignment, AssignmentStatus
from sanshe.rosters.rules import ClaimFacts, Interval, Policy
from tests.rosters.conftest import NOW, at, make_shift, need


def soon(hours: int):
    return timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)


# ------------------------------------------------------------------------------------------ rules


def test_findings_carry_codes_and_only_fatigue_rules_are_overridable():
    start = NOW + timedelta(days=1)
    base = dict(now=NOW, shift=Interval(start, start + timedelta(hours=4)), shift_cancelled=False, places_left=1,
                cleared=True, in_group_role=True, already_on_shift=False, claim_window_days=14, self_claim=False)
    earlier = Interval(start - timedelta(hours=6), start - timedelta(hours=2))  # 2 h rest only
    rest = rules.claim_findings(ClaimFacts(**base, existing=(earlier,)), Policy())
    assert [p.code for p in rest] == ["rest"] and rules.only_rest_problems(rest)
    long_day = (Interval(start - timedelta(hours=9), start - timedelta(hours=1)),)  # 8 h + 4 h, 1 h rest
    both = rules.claim_findings(ClaimFacts(**base, existing=long_day), Policy())
    assert {p.code for p in both} == {"hours_24h", "rest"} and rules.only_rest_problems(both)
    not_cleared = rules.claim_findings(ClaimFacts(**{**base, "cleared": False}, existing=(earlier,)), Policy())
    assert {p.code for p in not_cleared} == {"clearance", "rest"} and not rules.only_rest_problems(not_cleared)
    overlap = rules.claim_findings(ClaimFacts(**base, existing=(Interval(start, start + timedelta(hours=1)),)),
                                   Policy())
    assert [p.code for p in overlap] == ["overlap"] and not rules.only_rest_problems(overlap)
    assert not rules.only_rest_problems([])
    # The plain-text API the pages use says the same thing.
    assert rules.claim_problems(ClaimFacts(**base, existing=(earlier,)), Policy()) == [rest[0].text]


# ------------------------------------------------------------------------------------------ services


def _tired_medic(roster):
    """A medic on 08:00–12:00; a 14:00–18:00 shift would leave only 2 hours of rest."""
    medic = roster.medics[0]
    morning = make_shift(roster.group, at(1, 8), at(1, 12))
    services.shift_claim(actor=medic, need_id=need(morning).pk, now=NOW)
    afternoon = make_shift(roster.group, at(1, 14), at(1, 18))
    return medic, afternoon


def test_coordinator_overrides_the_rest_rule_with_a_reason_and_it_is_audited(roster):
    medic, afternoon = _tired_medic(roster)
    with pytest.raises(ValidationError) as caught:
        services.shift_assign(actor=roster.social_worker, need_id=need(afternoon).pk, user_id=medic.pk, now=NOW)
    assert "至少休息8小时" in " ".join(caught.value.messages) and "破例安排" in " ".join(caught.value.messages)

    assignment = services.shift_assign(actor=roster.social_worker, need_id=need(afternoon).pk, user_id=medic.pk,
                                       override_reason="下午无人可排，已电话征得本人同意", now=NOW)
    assert assignment.status == AssignmentStatus.ACTIVE and need(afternoon).filled == 1
    assert assignment.rest_override_reason == "下午无人可排，已电话征得本人同意"
    event = AuditEvent.objects.get(action="rosters.rest_override")
    assert event.actor == roster.social_worker and event.reason == "下午无人可排，已电话征得本人同意"
    assert event.detail["rules"] == ["rest"] and event.detail["user_id"] == medic.pk
    assert Notification.objects.filter(kind__startswith="rosters.", recipient=medic, title__contains="临时补位").exists()


def test_override_never_sets_aside_clearance_overlap_or_group_role(roster):
    medic, _afternoon = _tired_medic(roster)
    overlapping = make_shift(roster.group, at(1, 10), at(1, 14))
    with pytest.raises(ValidationError, match="重叠"):
        services.shift_assign(actor=roster.social_worker, need_id=need(overlapping).pk, user_id=medic.pk,
                              override_reason="缺人", now=NOW)
    # A member from before the clearance gate tightened, not cleared: a reason changes nothing.
    from sanshe.accounts.roles import Role
    from tests.volunteers.helpers import approved_volunteer

    pending = approved_volunteer(roster.social_worker, roster.recruitment, Role.MEDICAL_VOLUNTEER, name="新医生")
    GroupMember.objects.create(group=roster.group, user=pending, role=MemberRole.MEDICAL, nickname="医务-新医生",
                               status=MemberStatus.ACTIVE)
    evening = make_shift(roster.group, at(1, 20), at(1, 23))
    with pytest.raises(ValidationError, match="保密协议"):
        services.shift_assign(actor=roster.social_worker, need_id=need(evening).pk, user_id=pending.pk,
                              override_reason="缺人", now=NOW)
    assert not Assignment.objects.filter(user=pending).exists()
    assert not AuditEvent.objects.filter(action="rosters.rest_override").exists()


def test_a_secretary_cannot_override_the_rest_rule(roster):
    medic, afternoon = _tired_medic(roster)
    with pytest.raises(ValidationError) as caught:
        services.shift_assign(actor=roster.secretary, need_id=need(afternoon).pk, user_id=medic.pk, now=NOW)
    assert "社会工作者可填写原因后破例安排" in " ".join(caught.value.messages)
    with pytest.raises(ActionForbidden):
        services.shift_assign(actor=roster.secretary, need_id=need(afternoon).pk, user_id=medic.pk,
                              override_reason="缺人", now=NOW)
    assert need(afternoon).filled == 0


# ------------------------------------------------------------------------------------------ the claim list


def test_claim_list_folds_away_what_the_person_cannot_take_with_the_reason(roster):
    medic = roster.medics[0]
    morning = make_shift(roster.group, at(1, 8), at(1, 12))
    services.shift_claim(actor=medic, need_id=need(morning).pk, now=NOW)
    too_close = make_shift(roster.group, at(1, 14), at(1, 18))
    fine = make_shift(roster.group, at(2, 8), at(2, 12))
    full = make_shift(roster.group, at(2, 14), at(2, 18))
    services.shift_claim(actor=roster.medics[1], need_id=need(full).pk, now=NOW)
    listing = selectors.claim_list(user=medic, now=NOW)
    assert [p.need.shift_id for p in listing.claimable] == [fine.pk]
    blocked = {p.need.shift_id: p.problems for p in listing.blocked}
    assert set(blocked) == {too_close.pk, full.pk}
    assert any("至少休息8小时" in r for r in blocked[too_close.pk])
    assert any("名额已满" in r for r in blocked[full.pk])


def test_my_shifts_page_shows_claimable_first_and_folds_the_rest(client, roster):
    medic = roster.medics[0]
    morning = make_shift(roster.group, soon(30), soon(34))
    services.shift_assign(actor=roster.secretary, need_id=need(morning).pk, user_id=medic.pk)
    too_close = make_shift(roster.group, soon(36), soon(40))
    make_shift(roster.group, soon(60), soon(64))
    client.force_login(medic)
    page = client.get(reverse("rosters:my_shifts")).content.decode()
    claimable, _sep, folded = page.partition('id="blocked"')
    assert claimable.count(reverse("rosters:claim", args=[need(too_close).pk])) == 0
    assert claimable.count('action="/rosters/needs/') == 1  # the one shift that fits
    assert "不能认领的班次（1）" in folded and "至少休息8小时" in folded
    assert reverse("rosters:claim", args=[need(too_close).pk]) not in folded  # no claim button there


def test_shift_page_offers_the_override_to_coordinators_only(client, roster):
    medic = roster.medics[0]
    morning = make_shift(roster.group, soon(30), soon(34))
    services.shift_assign(actor=roster.secretary, need_id=need(morning).pk, user_id=medic.pk)
    afternoon = make_shift(roster.group, soon(36), soon(40))
    url = reverse("rosters:shift_detail", args=[afternoon.pk])
    client.force_login(roster.secretary)
    page = client.get(url).content.decode()
    assert "不能安排的人员（1）" in page and "至少休息8小时" in page and 'name="override"' not in page
    client.force_login(roster.social_worker)
    page = client.get(url).content.decode()
    assert 'name="override"' in page and "破例原因（必填）" in page
    assign = reverse("rosters:assign", args=[need(afternoon).pk])
    response = client.post(assign, {"user": medic.pk, "override": "1", "reason": " "}, follow=True)
    assert "破例安排须填写原因" in response.content.decode()
    assert need(afternoon).filled == 0
    response = client.post(assign, {"user": medic.pk, "override": "1", "reason": "夜间缺人，本人同意"}, follow=True)
    page = response.content.decode()
    assert "已破例安排" in page and "原因：夜间缺人，本人同意" in page
    assert Assignment.objects.get(shift=afternoon, user=medic).rest_override_reason == "夜间缺人，本人同意"
