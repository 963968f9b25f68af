"""The notification list (my own notices, unread count, mark read) and the admins' delivery log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.core.notify.models import Channel, Delivery, DeliveryStatus, Notification
from sanshe.core.notify.services import notify_send, notify_sms
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(social_worker, counsellor):
    social_worker.phone = "13900000005"
    social_worker.save(update_fields=["phone"])
    mine = notify_send(recipients=[social_worker], kind="cases.transfer", title="个案C-001已转由您负责",
                       url="/cases/", sms_text="【三社】个案已转由您负责", channels=(Channel.INAPP, Channel.SMS))[0]
    second = notify_send(recipients=[social_worker], kind="cases.assign", title="个案C-002已分派给您")[0]
    theirs = notify_send(recipients=[counsellor], kind="crisis.alert", title="危机个案需要立即处置",
                         critical=True)[0]
    return mine, second, theirs


def test_anonymous_is_sent_to_login(client):
    for name in ("notify:list", "notify:badge", "notify:preferences", "notify:deliveries"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_list_shows_my_notices_and_the_unread_count(client, social_worker, notices):
    mine, second, theirs = notices
    client.force_login(social_worker)
    page = client.get(reverse("notify:list"))
    text = page.content.decode()
    assert page.status_code == 200 and "no-cache" in page["Cache-Control"]
    assert mine.title in text and second.title in text and theirs.title not in text
    assert "2 条未读" in text
    badge = client.get(reverse("notify:badge")).content.decode()
    assert 'data-unread="2"' in badge
    # Opening one marks it read and goes where it points.
    response = client.post(reverse("notify:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/cases/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Delivery.objects.get(notification=mine, channel=Channel.INAPP).status == DeliveryStatus.READ
    assert 'data-unread="1"' in client.get(reverse("notify:badge")).content.decode()
    client.post(reverse("notify:read_all"))
    assert client.get(reverse("notify:badge")).content.decode().strip() == ""


def test_someone_elses_notification_is_not_found(client, social_worker, notices):
    _mine, _second, theirs = notices
    client.force_login(social_worker)
    assert client.post(reverse("notify:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notify:open", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_header_links_to_the_list(client, social_worker):
    client.force_login(social_worker)
    page = client.get(reverse("home:home")).content.decode()
    assert reverse("notify:list") in page and reverse("notify:badge") in page


def test_preferences_are_saved_and_checked(client, social_worker):
    client.force_login(social_worker)
    response = client.post(reverse("notify:preferences"), {"sms": "on", "quiet_start": "22:00"})
    assert response.status_code == 200 and "请同时填写" in response.content.decode()
    response = client.post(reverse("notify:preferences"), {"sms": "on", "quiet_start": "22:00", "quiet_end": "07:00"})
    assert response.status_code == 302
    preference = social_worker.notification_preference
    assert preference.sms and not preference.wecom and str(preference.quiet_end) == "07:00:00"


def test_the_delivery_log_is_for_admins_only(client, social_worker, org_admin, outsider, notices):
    client.force_login(social_worker)
    assert client.get(reverse("notify:deliveries")).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("notify:deliveries")).status_code == 403
    client.force_login(org_admin)
    assert client.get(reverse("notify:deliveries")).status_code == 200


def test_the_delivery_log_lists_and_filters_an_organisations_deliveries(client, world, org_admin, social_worker,
                                                                         notices):
    mine, _second, _theirs = notices
    stranger = UserFactory(username="elsewhere")
    notify_send(recipients=[stranger], kind="cases.assign", title="别处的通知")
    notify_sms(phone="13800000009", text="【三社】请打卡", kind="monitoring.check_in_link")
    client.force_login(org_admin)
    page = client.get(reverse("notify:deliveries"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "cases.transfer" in text and "crisis.alert" in text
    assert "别处的通知" not in text and str(stranger) not in text  # not a member of the admin's organisation
    assert "13900000005" not in text and "139****0005" in text  # phones masked
    sms_only = client.get(reverse("notify:deliveries"), {"channel": "sms"}).content.decode()
    assert "cases.transfer" in sms_only and "crisis.alert" not in sms_only
    failed = client.get(reverse("notify:deliveries"), {"status": "failed"}).content.decode()
    assert "cases.transfer" not in failed


def test_a_superuser_sees_every_delivery(client, notices):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    notify_sms(phone="13800000009", text="【三社】请打卡", kind="monitoring.check_in_link")
    client.force_login(admin)
    text = client.get(reverse("notify:deliveries")).content.decode()
    assert "monitoring.check_in_link" in text and "138****0009" in text
    assert Notification.objects.count() == 4


def test_an_id_beyond_the_database_integer_is_not_found(client, social_worker):
    client.force_login(social_worker)
    response = client.post(reverse("notify:open", args=[10**20]))
    assert response.status_code == 404
