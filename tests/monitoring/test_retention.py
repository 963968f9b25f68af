"""Health data is deleted once its purpose has ended (PIPL); statuses and figures stay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sanshe.core.models import AuditEvent
from sanshe.monitoring import screening_services, services
from sanshe.monitoring.models import Alert, CheckIn, FollowUp, QuarantinePeriod, ScreeningEntry
from sanshe.monitoring.services import CheckInInput

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


def test_health_data_goes_after_the_retention_days(period, world, community_worker, morning):
    follow_up = FollowUp.objects.get(period=period, date=DAY, slot=0)
    services.check_in_record(actor=community_worker, follow_up_id=follow_up.pk,
                             data=CheckInInput(temperature_c=38.2, note="咳嗽三天"), idempotency_key="purge-key-1",
                             now=at(DAY, 9))
    alert = Alert.objects.get()
    services.alert_resolve(actor=community_worker, alert_id=alert.pk, outcome="advised", note="已指导用药",
                           now=at(DAY, 9, 30))
    services.quarantine_close(actor=community_worker, period_id=period.pk, status="hospital",
                              reason="转市一医院发热门诊", now=at(DAY, 10))
    round_ = screening_services.screening_round_start(actor=community_worker, compound_id=world.compound.pk,
                                                      now=morning)
    screening_services.screening_entry_save(actor=community_worker, round_id=round_.pk,
                                            household_id=world.household.pk, contact="phone",
                                            members={world.head.pk: ["fever"]}, now=morning)
    screening_services.screening_round_close(actor=community_worker, round_id=round_.pk, now=at(DAY, 11))

    assert services.health_data_purge(now=at(DAY, 12) + timedelta(days=29))["periods"] == 0
    assert CheckIn.objects.exists()

    counts = services.health_data_purge(now=at(DAY, 12) + timedelta(days=31))
    assert counts == {"periods": 1, "check_ins": 1, "alerts": 1, "screening_entries": 1}
    assert not CheckIn.objects.exists()
    alert.refresh_from_db()
    assert alert.flags == [] and alert.resolution_note is None and alert.level == 1 and alert.outcome == "advised"
    period.refresh_from_db()
    assert period.status_reason is None and period.purged_at is not None and period.status == "hospital"
    assert FollowUp.objects.get(pk=follow_up.pk).status == "seen_symptoms"  # the figures keep their history
    assert ScreeningEntry.objects.get().details is None
    assert AuditEvent.objects.get(action="monitoring.purge").detail == counts
    assert services.health_data_purge(now=at(DAY, 12) + timedelta(days=40)) == {
        "periods": 0, "check_ins": 0, "alerts": 0, "screening_entries": 0}


def test_open_periods_are_never_purged(period, morning):
    QuarantinePeriod.objects.filter(pk=period.pk).update(closed_at=at(DAY, 1))  # a stray date on an open period
    assert services.health_data_purge(now=at(DAY, 12) + timedelta(days=90))["periods"] == 0
