"""Roster notices live in the notify layer: the old Notice rows are migrated into notifications, and 我的班次
shows the unread roster notifications once, linking to the notification list."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from sanshe.core.notify.models import Channel, Delivery, DeliveryStatus, Notification
from sanshe.rosters import services
from tests.rosters.conftest import make_shift, need
from tests.rosters.test_views import soon as soon_hours

BEFORE = [("rosters", "0002_assignment_rest_override_reason")]
AFTER = [("rosters", "0003_notices_to_notify")]


@pytest.mark.django_db(transaction=True)
def test_existing_notices_become_notifications(django_user_model):
    reader = django_user_model.objects.create_user(username="reader", password="x" * 12)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Notice = old.get_model("rosters", "Notice")
    long_text = "班次已取消：" + "很长的原因" * 50
    unread = Notice.objects.create(user_id=reader.pk, text="值班提醒：周一 09:00", url="/rosters/shifts/3/")
    read = Notice.objects.create(user_id=reader.pk, text=long_text[:300])
    Notice.objects.filter(pk=read.pk).update(read_at=read.created_at)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    rows = list(Notification.objects.filter(recipient=reader).order_by("pk"))
    assert [n.kind for n in rows] == ["rosters.notice", "rosters.notice"]
    first, second = rows
    assert (first.title, first.url, first.read_at) == ("值班提醒：周一 09:00", "/rosters/shifts/3/", None)
    assert first.created_at == unread.created_at
    assert second.url == reverse("rosters:my_shifts") and second.read_at is not None
    assert second.title == long_text[:200] and second.body == long_text[:300]  # nothing of the text is lost
    assert list(Delivery.objects.filter(notification__in=rows).order_by("notification_id")
                .values_list("channel", "status")) == [(Channel.INAPP, DeliveryStatus.SENT),
                                                       (Channel.INAPP, DeliveryStatus.READ)]
    assert "rosters_notice" not in connection.introspection.table_names()


def test_my_shifts_shows_unread_roster_notifications_once_and_links_the_list(client, roster):
    medic = roster.medics[0]
    shift = make_shift(roster.group, soon_hours(30), soon_hours(34))
    services.shift_assign(actor=roster.secretary, need_id=need(shift).pk, user_id=medic.pk)
    note = Notification.objects.get(recipient=medic, kind="rosters.assigned")
    assert note.url == reverse("rosters:shift_detail", args=[shift.pk])
    assert set(note.deliveries.values_list("channel", flat=True)) >= {Channel.INAPP}
    client.force_login(medic)
    page = client.get(reverse("rosters:my_shifts")).content.decode()
    assert "新通知（1）" in page and "您被安排了值班" in page and reverse("notify:list") in page
    again = client.get(reverse("rosters:my_shifts")).content.decode()
    assert "新通知" not in again  # shown once, as the old notices were
    listing = client.get(reverse("notify:list")).content.decode()
    assert "您被安排了值班" in listing  # and kept in the one notification list
