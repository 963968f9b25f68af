"""Roster services against the database: templates, generation, claims, assignment, drops, offers, duty, hours."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from sanshe.accounts.roles import Role
from sanshe.core.errors import ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.core.notify.models import Notification
from sanshe.groups.duty import on_duty_user_ids
from sanshe.groups.models import DutyKind, GroupMember, MemberRole, MemberStatus
from sanshe.groups.services import member_add
from sanshe.rosters import services
from sanshe.rosters.duty import roster_on_duty_user_ids
from sanshe.rosters.models import (
    Assignment,
    AssignmentStatus,
    HoursRecord,
    HoursStatus,
    RequestStatus,
    Shift,
    ShiftNeed,
    ShiftStatus,
)
from sanshe.rosters.services import SlotInput
from sanshe.rosters.tasks import send_shift_reminders
from sanshe.volunteers.models import TrainingModule
from tests.rosters.conftest import NOW, TZ, at, make_shift, need
from tests.volunteers.helpers import approved_volunteer

ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)


def slot(start, end, medical=1, psychological=0, secretary=0, weekdays=ALL_DAYS):
    return SlotInput(start * 60, end * 60, weekdays, {DutyKind.MEDICAL: medical,
                                                      DutyKind.PSYCHOLOGICAL: psychological,
                                                      DutyKind.SECRETARY: secretary})


def test_template_then_generate_a_week(roster):
    template = services.template_save(actor=roster.secretary, group_id=roster.group.pk, name="日常排班",
                                      slots=[slot(8, 12, secretary=1), slot(14, 18, psychological=1)])
    created = services.shifts_generate(actor=roster.secretary, template_id=template.pk, date_from=date(2026, 3, 2),
                                       date_to=date(2026, 3, 8), now=NOW)
    # Monday 8:00 has begun at NOW (8:00): skipped; 13 shifts remain.
    assert created == 13
    assert ShiftNeed.objects.filter(shift__group=roster.group).count() == 13 * 2
    again = services.shifts_generate(actor=roster.secretary, template_id=template.pk, date_from=date(2026, 3, 2),
                                     date_to=date(2026, 3, 8), now=NOW)
    assert again == 0


def test_bad_templates_are_refused_and_nothing_saved(roster):
    with pytest.raises(ValidationError) as caught:
        services.template_save(actor=roster.secretary, group_id=roster.group.pk, name="坏模板",
                               slots=[slot(8, 12), slot(11, 15)])
    assert "时间重叠" in caught.value.message_dict["slots"][0]
    with pytest.raises(ValidationError) as caught:
        services.template_save(actor=roster.secretary, group_id=roster.group.pk, name="坏模板",
                               slots=[SlotInput(720, 480, ALL_DAYS, {DutyKind.MEDICAL: 1})])
    assert "须晚于开始时间" in caught.value.message_dict["slots"][0]
    from sanshe.rosters.models import ShiftTemplate

    assert not ShiftTemplate.objects.exists()


def test_generation_range_is_checked(roster):
    template = services.template_save(actor=roster.secretary, group_id=roster.group.pk, name="t", slots=[slot(8, 12)])
    with pytest.raises(ValidationError, match="不能早于"):
        services.shifts_generate(actor=roster.secretary, template_id=template.pk, date_from=date(2026, 3, 8),
                                 date_to=date(2026, 3, 2), now=NOW)


def test_edit_one_or_this_and_later(roster):
    template = services.template_save(actor=roster.secretary, group_id=roster.group.pk, name="t", slots=[slot(8, 12)])
    services.shifts_generate(actor=roster.secretary, template_id=template.pk, date_from=date(2026, 3, 3),
                             date_to=date(2026, 3, 7), now=NOW)
    shifts = list(Shift.objects.order_by("starts_at"))
    services.shift_update(actor=roster.secretary, shift_id=shifts[1].pk, start_minute=9 * 60, end_minute=13 * 60,
                          needs={DutyKind.MEDICAL: 2}, now=NOW)
    starts = [timezone_hour(s) for s in Shift.objects.order_by("starts_at")]
    assert starts == [8, 9, 8, 8, 8]
    services.shift_update(actor=roster.secretary, shift_id=shifts[2].pk, start_minute=7 * 60, end_minute=11 * 60,
                          needs={DutyKind.MEDICAL: 1, DutyKind.PSYCHOLOGICAL: 1}, and_later=True, now=NOW)
    rows = list(Shift.objects.order_by("starts_at"))
    assert [timezone_hour(s) for s in rows] == [8, 9, 7, 7, 7]
    assert [s.needs.count() for s in rows] == [1, 1, 2, 2, 2]
    assert need(rows[1]).needed == 2


def timezone_hour(shift):
    return shift.starts_at.astimezone(TZ).hour


def test_needed_cannot_drop_below_filled(roster):
    shift = make_shift(roster.group, at(1, 8), at(1, 12), medical=2)
    services.shift_claim(actor=roster.medics[0], need_id=need(shift).pk, now=NOW)
    with pytest.raises(ValidationError, match="不能少于1"):
        services.shift_update(actor=roster.secretary, shift_id=shift.pk, start_minute=480, end_minute=720,
                              needs={DutyKind.MEDICAL: 0}, now=NOW)


def test_claim_fills_a_place_and_is_audited(roster):
    shift = make_shift(roster.group, at(1, 8), at(1, 12))
    assignment = services.shift_claim(actor=roster.medics[0], need_id=need(shift).pk, now=NOW)
    assert assignment.status == AssignmentStatus.ACTIVE and need(shift).filled == 1
    assert AuditEvent.objects.filter(action="rosters.claim", actor=roster.medics[0]).exists()
    with pytest.raises(ValidationError) as caught:
        services.shift_claim(actor=roster.medics[1], need_id=need(shift).pk, now=NOW)
    assert "名额已满" in " ".join(caught.value.messages)


def test_claim_rules_overlap_rest_and_hours(roster):
    medic = roster.medics[0]
    first = make_shift(roster.group, at(1, 8), at(1, 12))
    services.shift_claim(actor=medic, need_id=need(first).pk, now=NOW)
    overlapping = make_shift(roster.group, at(1, 10), at(1, 14))
    too_close = make_shift(roster.group, at(1, 16), at(1, 20))
    for shift, reason in ((overlapping, "重叠"), (too_close, "至少休息8小时")):
        with pytest.raises(ValidationError) as caught:
            services.shift_claim(actor=medic, need_id=need(shift).pk, now=NOW)
        assert reason in " ".join(caught.value.messages)
    assert Assignment.objects.filter(user=medic).count() == 1


def test_cancelled_or_started_shifts_cannot_be_claimed(roster):
    cancelled = make_shift(roster.group, at(1, 8), at(1, 12))
    services.shift_cancel(actor=roster.secretary, shift_id=cancelled.pk, reason="群暂停服务", now=NOW)
    with pytest.raises(ValidationError, match="已取消"):
        services.shift_claim(actor=roster.medics[0], need_id=need(cancelled).pk, now=NOW)
    started = make_shift(roster.group, at(0, 7), at(0, 11))
    with pytest.raises(ValidationError, match="已开始"):
        services.shift_claim(actor=roster.medics[0], need_id=need(started).pk, now=NOW)


def test_claim_window_per_group(roster):
    services.group_roster_update(actor=roster.secretary, group_id=roster.group.pk, claim_window_days=3)
    far = make_shift(roster.group, at(5, 8), at(5, 12))
    with pytest.raises(ValidationError, match="3天内"):
        services.shift_claim(actor=roster.medics[0], need_id=need(far).pk, now=NOW)
    # The secretary may still arrange it.
    services.shift_assign(actor=roster.secretary, need_id=need(far).pk, user_id=roster.medics[0].pk, now=NOW)


def test_not_cleared_volunteers_cannot_take_shifts(roster):
    pending = approved_volunteer(roster.social_worker, roster.recruitment, Role.MEDICAL_VOLUNTEER, name="新医生")
    # Not cleared: the group refuses them (they would see clients), and so does the roster.
    with pytest.raises(ValidationError, match="岗前培训"):
        member_add(actor=roster.social_worker, group=roster.group, user=pending, role=MemberRole.MEDICAL)
    GroupMember.objects.create(group=roster.group, user=pending, role=MemberRole.MEDICAL, nickname="医务-新医生",
                               status=MemberStatus.ACTIVE)  # a member from before the gate tightened
    shift = make_shift(roster.group, at(1, 8), at(1, 12))
    with pytest.raises(ValidationError, match="保密协议"):
        services.shift_claim(actor=pending, need_id=need(shift).pk, now=NOW)
    with pytest.raises(ValidationError, match="保密协议"):
        services.shift_assign(actor=roster.secretary, need_id=need(shift).pk, user_id=pending.pk, now=NOW)


def test_a_new_training_version_closes_the_gate_for_claims(roster):
    module = TrainingModule.objects.filter(role=Role.MEDICAL_VOLUNTEER).first()
    TrainingModule.objects.filter(pk=module.pk).update(version=module.version + 1)
    shift = make_shift(roster.group, at(1, 8), at(1, 12))
    with pytest.raises(ValidationError, match="岗前培训"):
        services.shift_claim(actor=roster.medics[0], need_id=need(shift).pk, now=NOW)


def test_wrong_role_in_group_cannot_claim(roster):
    shift = make_shift(roster.group, at(1, 8), at(1, 12), psychological=1)
    with pytest.raises(ValidationError, match="不是本群这一岗位的成员"):
        services.shift_claim(actor=roster.medics[0], need_id=need(shift, DutyKind.PSYCHOLOGICAL).pk, now=NOW)


def test_outsiders_do_not_see_the_shift(roster, outsider, medic):
    shift = make_shift(roster.group, at(1, 8), at(1, 12))
    for user in (outsider, medic):  # medic persona: not a member of this group
        with pytest.raises(ObjectNotFound):
            services.shift_claim(actor=user, need_id=need(shift).pk, now=NOW)


def test_drop_free_before_three_hours_then_needs_approval(roster):
    medic = roster.medics[0]
    early = make_shift(roster.group, at(1, 8), at(1, 12))
    a = services.shift_claim(actor=medic, need_id=need(early).pk, now=NOW)
    result = services.assignment_drop(actor=medic, assignment_id=a.pk, now=NOW)
    assert result.dropped and need(early).filled == 0
    soon = make_shift(roster.group, at(0, 10), at(0, 12))
    b = services.shift_claim(actor=medic, need_id=need(soon).pk, now=NOW)
    with pytest.raises(ValidationError, match="写明原因"):
        services.assignment_drop(actor=medic, assignment_id=b.pk, now=NOW)
    result = services.assignment_drop(actor=medic, assignment_id=b.pk, reason="孩子发烧", now=NOW)
    assert not result.dropped and need(soon).filled == 1
    assert Notification.objects.filter(kind__startswith="rosters.", recipient=roster.secretary, title__contains="申请退班").exists()
    services.drop_decide(actor=roster.secretary, request_id=result.request.pk, approve=True, now=NOW)
    b.refresh_from_db()
    assert b.status == AssignmentStatus.DROPPED and need(soon).filled == 0


def test_offer_to_colleagues_one_taker_wins(roster):
    giver, taker, other = roster.medics
    shift = make_shift(roster.group, at(1, 8), at(1, 12))
    a = services.shift_claim(actor=giver, need_id=need(shift).pk, now=NOW)
    offer = services.offer_create(actor=giver, assignment_id=a.pk, note="临时出差", now=NOW)
    assert set(Notification.objects.filter(kind__startswith="rosters.", title__contains="想转让值班").values_list("recipient_id", flat=True)) == {taker.pk, other.pk}
    taken = services.offer_take(actor=taker, offer_id=offer.pk, now=NOW)
    assert taken.user == taker and need(shift).filled == 1
    a.refresh_from_db()
    assert a.status == AssignmentStatus.HANDED_OVER
    with pytest.raises(ObjectNotFound):
        services.offer_take(actor=other, offer_id=offer.pk, now=NOW)
    offer.refresh_from_db()
    assert offer.status == RequestStatus.APPROVED


def test_check_in_out_hours_and_on_duty(roster):
    medic = roster.medics[0]
    shift = make_shift(roster.group, at(0, 10), at(0, 14))
    a = services.shift_claim(actor=medic, need_id=need(shift).pk, now=NOW)
    assert roster_on_duty_user_ids(group_id=roster.group.pk, at=at(0, 9, 45)) == set()
    with pytest.raises(ValidationError, match="30分钟"):
        services.assignment_check_in(actor=medic, assignment_id=a.pk, now=at(0, 9))
    services.assignment_check_in(actor=medic, assignment_id=a.pk, now=at(0, 9, 40))
    assert roster_on_duty_user_ids(group_id=roster.group.pk, at=at(0, 9, 45)) == {medic.pk}
    assert medic.pk in on_duty_user_ids(group=roster.group, at=at(0, 12))
    record = services.assignment_check_out(actor=medic, assignment_id=a.pk, now=at(0, 14, 20))
    assert record.minutes == 240 and record.status == HoursStatus.APPROVED  # capped at the shift's bounds
    assert roster_on_duty_user_ids(group_id=roster.group.pk, at=at(0, 14, 30)) == set()
    assert roster_on_duty_user_ids(group_id=roster.group.pk, at=at(0, 12)) == {medic.pk}


def test_forgotten_check_out_is_closed_pending_approval(roster):
    medic = roster.medics[0]
    shift = make_shift(roster.group, at(0, 9), at(0, 12))
    a = services.shift_claim(actor=medic, need_id=need(shift).pk, now=NOW)
    services.assignment_check_in(actor=medic, assignment_id=a.pk, now=at(0, 9, 5))
    assert services.close_forgotten_check_outs(now=at(0, 13, 30)) == 1
    record = HoursRecord.objects.get(assignment=a)
    assert record.status == HoursStatus.PENDING and record.minutes == 175
    services.hours_decide(actor=roster.social_worker, record_id=record.pk, approve=True)
    record.refresh_from_db()
    assert record.status == HoursStatus.APPROVED


def test_no_shows_block_self_claims_until_lifted(roster):
    medic = roster.medics[0]
    for day in (0, 1):
        shift = make_shift(roster.group, at(day, 9), at(day, 11))
        a = services.shift_claim(actor=medic, need_id=need(shift).pk, now=at(day, 8))
        services.assignment_mark_no_show(actor=roster.secretary, assignment_id=a.pk, now=at(day, 9, 30))
    later = make_shift(roster.group, at(3, 9), at(3, 11))
    with pytest.raises(ValidationError, match="缺勤已达2次"):
        services.shift_claim(actor=medic, need_id=need(later).pk, now=at(2, 8))
    services.no_show_lift(actor=roster.social_worker, user_id=medic.pk, reason="已沟通，家中有事")
    services.shift_claim(actor=medic, need_id=need(later).pk, now=at(2, 8))


def test_handover_reaches_the_next_shift(roster):
    first = make_shift(roster.group, at(0, 9), at(0, 12))
    second = make_shift(roster.group, at(0, 12), at(0, 15))
    a = services.shift_claim(actor=roster.medics[0], need_id=need(first).pk, now=NOW)
    services.shift_claim(actor=roster.medics[1], need_id=need(second).pk, now=NOW)
    with pytest.raises(ValidationError, match="只有本班次"):
        services.handover_write(actor=roster.medics[2], shift_id=first.pk, body="x")
    services.handover_write(actor=a.user, shift_id=first.pk, body="3号楼王阿姨血压偏高，下午再问一次")
    assert Notification.objects.filter(kind__startswith="rosters.", recipient=roster.medics[1], title__contains="交接").exists()


def test_help_call_reaches_eligible_free_volunteers_only(roster, django_capture_on_commit_callbacks):
    from sanshe.accounts.sms import MemorySmsBackend

    busy, free1, free2 = roster.medics
    clash = make_shift(roster.group, at(1, 8), at(1, 12))
    services.shift_claim(actor=busy, need_id=need(clash).pk, now=NOW)
    gap = make_shift(roster.group, at(1, 10), at(1, 14))
    with django_capture_on_commit_callbacks(execute=True):
        call = services.help_call(actor=roster.secretary, need_id=need(gap).pk, now=NOW)
    assert call.recipients == 2
    assert set(Notification.objects.filter(kind__startswith="rosters.", title__contains="急需补位").values_list("recipient_id", flat=True)) == {free1.pk, free2.pk}
    assert len([m for m in MemorySmsBackend.outbox if "急需补位" in m[1]]) == 2
    with pytest.raises(ValidationError, match="30分钟内"):
        services.help_call(actor=roster.secretary, need_id=need(gap).pk, now=NOW)


def test_reminders_in_app_and_sms_once(roster, django_capture_on_commit_callbacks):
    from sanshe.accounts.sms import MemorySmsBackend

    shift = make_shift(roster.group, at(0, 9), at(0, 12))
    services.shift_claim(actor=roster.medics[0], need_id=need(shift).pk, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_shift_reminders(now=at(0, 7, 30)) == 0  # 90 minutes before: not yet
        assert send_shift_reminders(now=at(0, 8, 5)) == 1
        assert send_shift_reminders(now=at(0, 8, 10)) == 0
    assert Notification.objects.filter(kind__startswith="rosters.", recipient=roster.medics[0], title__contains="值班提醒").count() == 1
    assert any("值班提醒" in text for _phone, text in MemorySmsBackend.outbox)


def test_hours_corrections_and_certificate(roster):
    medic = roster.medics[0]
    shift = make_shift(roster.group, at(0, 9), at(0, 12))
    a = services.shift_claim(actor=medic, need_id=need(shift).pk, now=NOW)
    services.assignment_check_in(actor=medic, assignment_id=a.pk, now=at(0, 9, 30))
    record = services.assignment_check_out(actor=medic, assignment_id=a.pk, now=at(0, 12))
    assert record.minutes == 150
    correction = services.hours_correction_request(actor=medic, record_id=record.pk, minutes=180,
                                                   reason="9点已在群内答疑，忘记签到")
    services.hours_correction_decide(actor=roster.social_worker, correction_id=correction.pk, accept=True)
    record.refresh_from_db()
    assert record.minutes == 180
    manual = services.hours_manual_add(actor=medic, organisation_id=roster.group.organisation_id,
                                       service_date=date(2026, 3, 1), minutes=60, content="电话随访")
    certificate = services.certificate_issue(actor=medic, organisation_id=roster.group.organisation_id, now=NOW)
    assert certificate.minutes == 180  # the manual entry is not yet confirmed
    assert certificate.number.endswith("00001") and "*" in certificate.doc_masked
    services.hours_decide(actor=roster.social_worker, record_id=manual.pk, approve=True)
    second = services.certificate_issue(actor=medic, organisation_id=roster.group.organisation_id, now=NOW)
    assert second.minutes == 240 and second.number.endswith("00002")


def test_feed_token_is_revocable(roster):
    from sanshe.rosters.models import CalendarFeed

    token = services.feed_create(actor=roster.medics[0])
    assert CalendarFeed.objects.get(token_hash=services.feed_token_hash(token)).revoked_at is None
    services.feed_revoke(actor=roster.medics[0])
    assert CalendarFeed.objects.get(token_hash=services.feed_token_hash(token)).revoked_at is not None


def test_cancel_tells_everyone_on_the_shift(roster):
    shift = make_shift(roster.group, at(1, 8), at(1, 12), medical=2)
    services.shift_claim(actor=roster.medics[0], need_id=need(shift).pk, now=NOW)
    with pytest.raises(ValidationError):
        services.shift_cancel(actor=roster.secretary, shift_id=shift.pk, reason="", now=NOW)
    services.shift_cancel(actor=roster.secretary, shift_id=shift.pk, reason="本群合并", now=NOW - timedelta(hours=1))
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.CANCELLED and need(shift).filled == 0
    assert Notification.objects.filter(kind__startswith="rosters.", recipient=roster.medics[0], title__contains="班次已取消").exists()
