"""Search by a phone's last 4 digits: a keyed hash of them per person (never the digits), backfilled here."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from sanshe.people.search import phone_tail_index

    Person = apps.get_model("people", "Person")
    batch = []
    # The phone field decrypts on load; only the hash of its last 4 digits is written.
    for person in Person.objects.exclude(phone__isnull=True).only("pk", "phone").iterator(chunk_size=2000):
        person.phone_tail_index = phone_tail_index(person.phone)
        batch.append(person)
        if len(batch) >= 2000:
            Person.objects.bulk_update(batch, ["phone_tail_index"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["phone_tail_index"])


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0003_person_vulnerability_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="phone_tail_index",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["community", "phone_tail_index"], name="person_comm_phone_tail"),
        ),
    ]
