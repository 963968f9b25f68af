"""The roster's own in-app notices become notifications of the notify layer (kind `rosters.notice`), then the
Notice table goes: one notification list for everything."""

from django.db import migrations

BATCH = 500


def notices_to_notifications(apps, schema_editor):
    Notice = apps.get_model("rosters", "Notice")
    Notification = apps.get_model("notify", "Notification")
    Delivery = apps.get_model("notify", "Delivery")
    rows = Notice.objects.select_related("shift__group").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        last = batch[-1].pk
        for notice in batch:
            notification = Notification.objects.create(
                recipient_id=notice.user_id, kind="rosters.notice", title=notice.text[:200],
                body=notice.text if len(notice.text) > 200 else "", url=notice.url or "/rosters/",
                organisation_id=notice.shift.group.organisation_id if notice.shift_id else None,
                created_at=notice.created_at, read_at=notice.read_at)
            # The notice was shown in the app: its in-app delivery was sent (and read, if it was).
            Delivery.objects.create(
                notification=notification, channel="inapp", address="",
                status="read" if notice.read_at else "sent", sent_at=notice.created_at, read_at=notice.read_at,
                created_at=notice.created_at, updated_at=notice.read_at or notice.created_at)


def notifications_to_notices(apps, schema_editor):
    """Back to the roster's own list; the notifications stay (they are the delivery log too)."""
    Notice = apps.get_model("rosters", "Notice")
    Notification = apps.get_model("notify", "Notification")
    for n in Notification.objects.filter(kind__startswith="rosters.", recipient__isnull=False).order_by("pk"):
        Notice.objects.create(user_id=n.recipient_id, text=(n.body or n.title)[:300], url=n.url[:200],
                              read_at=n.read_at)


class Migration(migrations.Migration):

    dependencies = [
        ("notify", "0001_initial"),
        ("rosters", "0002_assignment_rest_override_reason"),
    ]

    operations = [
        migrations.RunPython(notices_to_notifications, notifications_to_notices),
        migrations.DeleteModel(
            name="Notice",
        ),
    ]
