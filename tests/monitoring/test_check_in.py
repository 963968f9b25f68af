"""Check-ins: the personal link, the resident's login, a worker's phone call; stored once; bad values refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from sanshe.core.errors import ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.monitoring import services
from sanshe.monitoring.choices import FollowUpStatus, QuarantineStatus
from sanshe.monitoring.models import Alert, CheckIn, FollowUp
from sanshe.monitoring.services import CheckInInput

from .conftest import DAY, at

pytestmark = pytest.mark.django_db
WELL = CheckInInput(temperature_c=36.6)


@pytest.fixture
def token(period, community_worker, morning):
    link = services.check_in_link_issue(actor=community_worker, period_id=period.pk, now=morning)
    return services.link_token(link)


def _submit(token, data=WELL, key="key-00000001", when=None):
    return services.check_in_by_link(token=token, data=data, idempotency_key=key, now=when or at(DAY, 8, 30))


def test_a_morning_report_fills_the_morning_follow_up(token, period):
    result = _submit(token)
    assert result.follow_up.slot == 0
    assert result.follow_up.status == FollowUpStatus.SEEN_WELL
    assert not result.follow_up.late
    assert result.flags == []
    assert FollowUp.objects.get(period=period, date=DAY, slot=1).status == FollowUpStatus.PENDING


def test_the_same_submission_twice_is_stored_once(token):
    first = _submit(token, key="double-tap-1")
    second = _submit(token, key="double-tap-1", when=at(DAY, 8, 31))
    assert second.duplicate and second.check_in.pk == first.check_in.pk
    assert CheckIn.objects.count() == 1
    assert AuditEvent.objects.filter(action="check_in.submit").count() == 1


def test_a_second_reading_in_the_same_window_stays_on_the_same_slot(token):
    _submit(token, data=CheckInInput(temperature_c=37.6), key="first-reading")
    second = _submit(token, data=CheckInInput(temperature_c=36.9), key="second-reading", when=at(DAY, 9, 30))
    assert second.follow_up.slot == 0
    assert second.follow_up.status == FollowUpStatus.SEEN_WELL  # the re-measurement is what counts
    assert CheckIn.objects.filter(follow_up=second.follow_up).count() == 2


def test_after_the_last_deadline_a_report_is_late_on_the_evening_slot(token, period):
    result = _submit(token, when=at(DAY, 21, 15))
    assert result.follow_up.slot == 1 and result.follow_up.late


@pytest.mark.parametrize(("data", "field", "message"), [
    (CheckInInput(temperature_c=33.9), "temperature_c", "体温应在34–43℃之间"),
    (CheckInInput(temperature_c=43.1), "temperature_c", "体温应在34–43℃之间"),
    (CheckInInput(temperature_c=36.5, spo2=101), "spo2", "血氧饱和度应在50%–100%之间"),
    (CheckInInput(temperature_c=36.5, spo2=49), "spo2", "血氧饱和度应在50%–100%之间"),
    (CheckInInput(temperature_c=36.5, breathing_rate=90), "breathing_rate", "呼吸频率应为每分钟5–80次"),
    (CheckInInput(), "temperature_c", "请至少填写体温"),
])
def test_impossible_values_are_refused_in_chinese_and_nothing_is_saved(token, data, field, message):
    with pytest.raises(ValidationError) as error:
        _submit(token, data=data)
    assert message in error.value.message_dict[field][0]
    assert not CheckIn.objects.exists()
    assert not FollowUp.objects.exclude(status=FollowUpStatus.PENDING).exists()


@pytest.mark.parametrize(("temperature", "alert"), [(37.2, False), (37.3, True)])
def test_fever_at_the_threshold_raises_a_notice(token, temperature, alert):
    result = _submit(token, data=CheckInInput(temperature_c=temperature))
    assert Alert.objects.filter(kind="red_flag").exists() is alert
    if alert:
        assert result.follow_up.status == FollowUpStatus.SEEN_SYMPTOMS
        assert Alert.objects.get().level == 1


def test_spo2_below_90_is_an_emergency_assigned_to_the_buildings_steward(token, building_steward, sms,
                                                                        django_capture_on_commit_callbacks):
    building_steward.phone = "13900000001"
    building_steward.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        result = _submit(token, data=CheckInInput(temperature_c=38.2, spo2=88))
    alert = Alert.objects.get()
    assert alert.level == 3 and alert.assigned_to == building_steward
    assert alert.check_in == result.check_in
    assert [f["code"] for f in alert.flags][0] == "spo2_very_low"
    # The steward is texted at once (urgent and emergency alerts), with no full name in the message.
    assert [phone for phone, _text in sms] == ["13900000001"]
    assert "危急预警" in sms[0][1] and "张*" in sms[0][1] and "张伟" not in sms[0][1]


def test_a_repeat_updates_the_open_alert_and_escalates_it(token, sms):
    _submit(token, data=CheckInInput(temperature_c=37.5), key="fever-morning")
    _submit(token, data=CheckInInput(temperature_c=38.0, breathing="severe"), key="fever-evening",
            when=at(DAY, 18))
    alert = Alert.objects.get()
    assert alert.times_raised == 2
    assert alert.level == 3
    assert alert.flags[0]["code"] == "breathing_difficulty_severe"


def test_any_fever_in_a_high_risk_person_is_urgent(world, community_worker, morning):
    period = services.quarantine_register(actor=community_worker, person_id=world.spouse.pk, kind="home",
                                          start_date=DAY, ordered_how="verbal", risk_codes=["diabetes"], now=morning)
    link = services.check_in_link_issue(actor=community_worker, period_id=period.pk, now=morning)
    _submit(services.link_token(link), data=CheckInInput(temperature_c=37.4))
    assert Alert.objects.get().flags[0]["code"] == "fever_high_risk"


def test_an_elderly_person_is_high_risk_by_age(world, community_worker, morning):
    # world.spouse was born 1949-12-31: over 60 in 2020.
    period = services.quarantine_register(actor=community_worker, person_id=world.spouse.pk, kind="home",
                                          start_date=DAY, ordered_how="verbal", now=morning)
    link = services.check_in_link_issue(actor=community_worker, period_id=period.pk, now=morning)
    _submit(services.link_token(link), data=CheckInInput(temperature_c=37.5))
    assert Alert.objects.get().level == 2


def test_health_data_is_encrypted_at_rest(token):
    _submit(token, data=CheckInInput(temperature_c=37.8, symptoms=("cough",), note="头有点痛"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT observation, note FROM monitoring_checkin")
        observation, note = cursor.fetchone()
        cursor.execute("SELECT details FROM monitoring_alert")
        (details,) = cursor.fetchone()
    for raw in (observation, note, details):
        assert "37.8" not in raw and "cough" not in raw and "头" not in raw
    assert CheckIn.objects.get().temperature == 37.8


def test_a_new_link_revokes_the_old_one(token, period, community_worker, morning):
    services.check_in_link_issue(actor=community_worker, period_id=period.pk, now=morning)
    assert services.link_resolve(token, now=morning) is None
    with pytest.raises(ObjectNotFound):
        _submit(token)


def test_a_tampered_token_is_refused(token):
    assert services.link_resolve(token[:-2] + "xx") is None


def test_links_stop_working_after_the_period(token, period):
    assert services.link_resolve(token, now=at(date(2020, 2, 22), 9)) is not None
    assert services.link_resolve(token, now=at(date(2020, 2, 23), 9)) is None


def test_a_lost_person_who_reports_is_back_under_follow_up(token, period, community_worker, morning):
    services.quarantine_close(actor=community_worker, period_id=period.pk, status="lost", reason="三天联系不上",
                              now=morning)
    result = _submit(token, when=at(DAY, 9))
    period.refresh_from_db()
    assert period.status == QuarantineStatus.ACTIVE
    assert result.follow_up.status == FollowUpStatus.SEEN_WELL
    assert Alert.objects.get(kind="lost").status == "resolved"


def test_the_resident_checks_in_for_themselves(period, resident, morning):
    result = services.check_in_by_resident(actor=resident, data=WELL, idempotency_key="resident-key-1", now=morning)
    assert result.check_in.person == period.person
    assert result.check_in.source == "login" and result.check_in.recorded_by == resident


def test_a_resident_not_under_follow_up_is_told_so(resident, morning):
    with pytest.raises(ValidationError, match="不在隔离观察期内"):
        services.check_in_by_resident(actor=resident, data=WELL, idempotency_key="resident-key-2", now=morning)


def test_a_worker_records_a_phone_call_on_the_chosen_follow_up(period, community_worker):
    evening = FollowUp.objects.get(period=period, date=DAY, slot=1)
    result = services.check_in_record(actor=community_worker, follow_up_id=evening.pk,
                                      data=CheckInInput(temperature_c=36.8), idempotency_key="worker-key-1",
                                      now=at(DAY, 19))
    assert result.follow_up == evening
    assert result.check_in.source == "phone_call" and result.check_in.recorded_by == community_worker


def test_a_worker_cannot_record_outside_their_buildings(period, outsider):
    follow_up = FollowUp.objects.filter(period=period).first()
    with pytest.raises(ObjectNotFound):
        services.check_in_record(actor=outsider, follow_up_id=follow_up.pk, data=WELL,
                                 idempotency_key="worker-key-2", now=at(DAY, 9))


def test_unreachable_is_kept_apart_from_missed(period, community_worker):
    follow_up = FollowUp.objects.get(period=period, date=DAY, slot=0)
    services.followup_mark_unreachable(actor=community_worker, follow_up_id=follow_up.pk, now=at(DAY, 11))
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.UNREACHABLE and follow_up.marked_by == community_worker


def test_reporting_before_the_period_starts_owes_nothing(world, community_worker):
    period = services.quarantine_register(actor=community_worker, person_id=world.neighbour.pk, kind="home",
                                          start_date=DAY, ordered_how="phone", now=at(DAY, 21))
    link = services.check_in_link_issue(actor=community_worker, period_id=period.pk, now=at(DAY, 21))
    # After the last deadline on the day of registration: nothing owed, yet the report is kept.
    result = _submit(services.link_token(link), when=at(DAY, 21, 30))
    assert result.follow_up.date == DAY and result.follow_up.status == FollowUpStatus.SEEN_WELL
    assert FollowUp.objects.filter(period=period, date=DAY + timedelta(days=1)).count() == 0
