"""crisis_open: idempotent, marks the case, alerts the right people at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sanshe.cases.models import Case
from sanshe.core.errors import ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.crisis.models import CrisisRecipient, CrisisResponse, RecipientReason
from sanshe.crisis.services import crisis_open

pytestmark = pytest.mark.django_db


def recipients(crisis) -> dict[int, str]:
    return dict(CrisisRecipient.objects.filter(crisis=crisis).values_list("user_id", "reason"))


def test_open_marks_case_and_is_idempotent(social_worker, case, t0):
    crisis = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                         reason="电话中说今晚想结束生命", now=t0)
    again = crisis_open(actor=social_worker, case=case, domain="medical", source="triage", reason="再次启动测试",
                        now=t0)
    assert again.pk == crisis.pk
    assert CrisisResponse.objects.filter(case=case).count() == 1
    case = Case.objects.get(pk=case.pk)
    assert case.is_crisis and case.urgency == "immediate" and case.urgency_rank == 3
    assert crisis.reason == "电话中说今晚想结束生命"
    assert crisis.ack_deadline == t0 + __import__("datetime").timedelta(minutes=5)
    assert AuditEvent.objects.filter(action="crisis.open", object_id=str(crisis.pk)).count() == 1


def test_reason_is_encrypted_at_rest(social_worker, case, t0):
    from django.db import connection

    crisis = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                         reason="电话中说今晚想结束生命", now=t0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM crisis_crisisresponse WHERE id = %s", [crisis.pk])
        raw = cursor.fetchone()[0]
    assert "结束生命" not in raw


def test_suicide_alerts_on_duty_counsellor_owner_and_org_admin(social_worker, org_admin, counsellor, medic,
                                                              on_duty, case, t0, other_social_worker):
    crisis = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                         reason="电话中说今晚想结束生命", now=t0)
    assert recipients(crisis) == {counsellor.pk: RecipientReason.ON_DUTY_COUNSELLOR,
                                  social_worker.pk: RecipientReason.OWNER,
                                  org_admin.pk: RecipientReason.ORG_ADMIN}
    assert set(CrisisRecipient.objects.filter(crisis=crisis).values_list("notified_at", flat=True)) == {t0}


def test_medical_alerts_on_duty_medic(social_worker, org_admin, counsellor, medic, on_duty, case, t0):
    crisis = crisis_open(actor=social_worker, case=case, domain="medical", source="triage",
                         reason="血氧88%，呼吸困难", now=t0)
    assert recipients(crisis) == {medic.pk: RecipientReason.ON_DUTY_MEDIC, social_worker.pk: RecipientReason.OWNER,
                                  org_admin.pk: RecipientReason.ORG_ADMIN}


def test_nobody_on_duty_still_alerts_owner_and_admin(social_worker, org_admin, focus, case, t0):
    crisis = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                         reason="电话中说今晚想结束生命", now=t0)
    assert set(recipients(crisis)) == {social_worker.pk, org_admin.pk}


def test_admin_of_another_organisation_is_not_alerted(world, social_worker, org_admin, case, t0):
    from tests.factories import Role, UserFactory, grant

    elsewhere = UserFactory(username="admin2")
    grant(elsewhere, world.other_org, Role.ORG_ADMIN)
    crisis = crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                         reason="电话中说今晚想结束生命", now=t0)
    assert elsewhere.pk not in recipients(crisis)


def test_bad_input_saves_nothing(social_worker, case, t0):
    with pytest.raises(ValidationError) as error:
        crisis_open(actor=social_worker, case=case, domain="fire", source="manual", reason="", now=t0)
    assert set(error.value.message_dict) == {"domain", "reason"}
    with pytest.raises(ValidationError) as error:
        crisis_open(actor=social_worker, case=case, domain="suicide", source="manual", reason=" 短 ", now=t0)
    assert "reason" in error.value.message_dict
    assert not CrisisResponse.objects.exists()
    assert not Case.objects.get(pk=case.pk).is_crisis


def test_wrong_role_and_out_of_scope(medic, outsider, world, case, t0):
    with pytest.raises(PermissionDenied):
        crisis_open(actor=medic, case=case, domain="suicide", source="manual", reason="今晚想结束生命", now=t0)
    from tests.factories import Role, UserFactory, grant

    away_worker = UserFactory(username="sw_away")
    grant(away_worker, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    with pytest.raises(ObjectNotFound):
        crisis_open(actor=away_worker, case=case, domain="suicide", source="manual", reason="今晚想结束生命", now=t0)
