"""Medical volunteers see named alerts only while cleared for duty (approved, trained, current agreement signed).

The pages, the fallback feed and the alert WebSocket all read the reach from `monitoring_scope`, so an
uncleared medic gets an empty list, 404 for an alert, an empty feed and no socket.
"""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse

from sanshe.accounts.roles import Role
from sanshe.monitoring.models import Alert, CheckIn
from sanshe.monitoring.policies import forget_monitoring_scope, monitoring_scope
from sanshe.monitoring.selectors import alert_list
from sanshe.monitoring.services import CheckInInput
from tests.conftest import clear_for_duty
from tests.factories import UserFactory, grant

from .test_alerts import _connect, _record


@pytest.fixture
def urgent_alert(period, community_worker):
    _record(period, community_worker, CheckInInput(temperature_c=37.6, spo2=92), key="urgent-clearance")
    alert = Alert.objects.get()
    assert alert.level == 2
    return alert


@pytest.fixture
def uncleared_medic(world):
    """A medical volunteer of the organisation serving `home`, approved by nobody, trained in nothing."""
    user = UserFactory(username="new_medic")
    grant(user, world.org, Role.MEDICAL_VOLUNTEER, communities=[world.home])
    return user


@pytest.fixture
def cleared_medic(world, medic):
    medic.memberships.get().communities.set([world.home])
    forget_monitoring_scope(medic)
    return medic


@pytest.mark.django_db
def test_an_uncleared_medic_sees_no_alert_anywhere(client, urgent_alert, uncleared_medic):
    assert alert_list(actor=uncleared_medic) == []
    assert not CheckIn.objects.for_actor(uncleared_medic, "view").exists()
    assert monitoring_scope(uncleared_medic).communities("monitoring.alerts_medical") == frozenset()
    client.force_login(uncleared_medic)
    page = client.get(reverse("monitoring:alert_list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "张伟" not in body and "上岗进度" in body
    assert client.get(reverse("monitoring:alert_detail", args=[urgent_alert.pk])).status_code == 404
    feed = client.get(reverse("monitoring:alert_feed"), {"after": 0})
    assert feed.status_code == 200 and feed.json() == {"alerts": []}


@pytest.mark.django_db
def test_a_cleared_medic_sees_the_urgent_alert_with_the_name(client, urgent_alert, cleared_medic):
    assert [a.pk for a in alert_list(actor=cleared_medic)] == [urgent_alert.pk]
    client.force_login(cleared_medic)
    assert "张伟" in client.get(reverse("monitoring:alert_list")).content.decode()
    detail = client.get(reverse("monitoring:alert_detail", args=[urgent_alert.pk]))
    assert detail.status_code == 200 and "张伟" in detail.content.decode()
    assert [a["id"] for a in client.get(reverse("monitoring:alert_feed"), {"after": 0}).json()["alerts"]] == [
        urgent_alert.pk]


@pytest.mark.django_db
def test_clearance_is_per_organisation_and_lapses_with_a_new_agreement(world, urgent_alert, uncleared_medic):
    from sanshe.volunteers.models import AgreementVersion
    from tests.factories import OrganisationFactory

    # Cleared by another organisation: reaches nothing through the membership of this one.
    elsewhere = OrganisationFactory(name="另一家志愿者组织")
    grant(uncleared_medic, elsewhere, Role.MEDICAL_VOLUNTEER, communities=[world.away])
    clear_for_duty(uncleared_medic, elsewhere, Role.MEDICAL_VOLUNTEER)
    forget_monitoring_scope(uncleared_medic)
    assert monitoring_scope(uncleared_medic).communities("monitoring.alerts_medical") == {world.away.pk}
    assert alert_list(actor=uncleared_medic) == []
    # Cleared by this one too: the alert appears; a new agreement version hides it again until signed.
    clear_for_duty(uncleared_medic, world.org, Role.MEDICAL_VOLUNTEER)
    forget_monitoring_scope(uncleared_medic)
    assert [a.pk for a in alert_list(actor=uncleared_medic)] == [urgent_alert.pk]
    AgreementVersion.objects.create(organisation=world.org, version=99, title="保密协议", body="新版本")
    forget_monitoring_scope(uncleared_medic)
    assert alert_list(actor=uncleared_medic) == []


@pytest.mark.django_db(transaction=True)
def test_the_alert_socket_refuses_an_uncleared_medic_and_accepts_a_cleared_one(period, uncleared_medic, world):
    async def scenario():
        communicator, connected, code = await _connect(uncleared_medic)
        if connected:
            await communicator.disconnect()
        return connected, code

    connected, code = async_to_sync(scenario)()
    assert not connected and code == 4403
    clear_for_duty(uncleared_medic, world.org, Role.MEDICAL_VOLUNTEER)
    connected, _code = async_to_sync(scenario)()
    assert connected
