"""Seed the guide's confidentiality agreement (tool 2) as global version 1, and the guide's training per role."""

from django.db import migrations


def seed(apps, schema_editor):
    from sanshe.volunteers.seed import seed_guide_defaults

    seed_guide_defaults(agreement_model=apps.get_model("volunteers", "AgreementVersion"),
                        module_model=apps.get_model("volunteers", "TrainingModule"))


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
