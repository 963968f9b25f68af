"""Urgent and emergency alerts escalate through the one engine: taken within 5 minutes, or the community's
social workers are told, then the organisations' admins, then everyone told is reminded (controlled clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sanshe.core.models import AuditEvent
from sanshe.core.notify.escalation import escalation_history
from sanshe.core.notify.models import Notification
from sanshe.monitoring import services
from sanshe.monitoring.models import Alert, FollowUp
from sanshe.monitoring.services import CheckInInput, alerts_escalate_overdue

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


def _raise(period, worker, data, capture):
    follow_up = FollowUp.objects.filter(period=period, date=DAY).order_by("slot").first()
    with capture(execute=True):
        services.check_in_record(actor=worker, follow_up_id=follow_up.pk, data=data, idempotency_key="esc-0001",
                                 now=at(DAY, 9))
    return Alert.objects.get()


@pytest.fixture
def phones(building_steward, social_worker, org_admin):
    for user, phone in ((building_steward, "13900000001"), (social_worker, "13900000002"),
                        (org_admin, "13900000003")):
        user.phone = phone
        user.save(update_fields=["phone"])


def test_an_emergency_nobody_takes_climbs_the_chain(period, community_worker, building_steward, social_worker,
                                                    org_admin, phones, sms, django_capture_on_commit_callbacks):
    alert = _raise(period, community_worker, CheckInInput(temperature_c=38.2, spo2=88),
                   django_capture_on_commit_callbacks)
    t0 = at(DAY, 9)
    assert alert.level == 3 and alert.ack_deadline == t0 + timedelta(minutes=5)
    # The building's steward is texted the alert at once (the social worker gets the automatic referral's text).
    assert [phone for phone, text in sms if "预警" in text] == ["13900000001"]
    sms[:] = [(phone, text) for phone, text in sms if "预警" in text]

    def escalate(minutes: float) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return alerts_escalate_overdue(now=t0 + timedelta(minutes=minutes))

    assert escalate(4.9) == 0
    assert escalate(5) == 1
    alert.refresh_from_db()
    assert alert.escalation_step == 1 and alert.ack_deadline == t0 + timedelta(minutes=10)
    assert [phone for phone, _ in sms] == ["13900000001", "13900000002"]  # the community's social worker
    assert "张*" in sms[1][1] and "张伟" not in sms[1][1]
    assert Notification.objects.filter(recipient=social_worker, kind="monitoring.alert", critical=True).exists()

    assert escalate(10) == 1
    assert sms[-1][0] == "13900000003"  # the organisation's admin
    assert escalate(15) == 1  # nobody new: everyone told is reminded
    assert sorted(phone for phone, text in sms[3:]) == ["13900000001", "13900000002", "13900000003"]
    assert all("仍无人接手" in text for _phone, text in sms[3:])
    assert [(e.tier, e.reminder) for e in escalation_history(domain="medical", object_id=alert.pk)] == [
        (1, False), (2, False), (2, True)]
    assert AuditEvent.objects.filter(action="alert.escalate", object_id=str(alert.pk)).count() == 3

    services.alert_take(actor=building_steward, alert_id=alert.pk, now=t0 + timedelta(minutes=16))
    alert.refresh_from_db()
    assert alert.ack_deadline is None
    assert escalate(60) == 0


def test_a_fever_notice_has_no_deadline(period, community_worker, sms, django_capture_on_commit_callbacks):
    alert = _raise(period, community_worker, CheckInInput(temperature_c=37.6), django_capture_on_commit_callbacks)
    assert alert.level == 1 and alert.ack_deadline is None
    assert alerts_escalate_overdue(now=at(DAY, 12)) == 0
    assert sms == []
