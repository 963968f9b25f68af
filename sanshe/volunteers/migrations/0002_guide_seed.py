"""Seed the guide's confidentiality agreement (tool 2) as global version 1, and the guide's training per role."""

from django.db import migrations


def seed(apps, schema_editor):
    from sanshe.volunteers import guide_texts as g

    AgreementVersion = apps.get_model("volunteers", "AgreementVersion")
    TrainingModule = apps.get_model("volunteers", "TrainingModule")
    if not AgreementVersion.objects.filter(organisation__isnull=True).exists():
        AgreementVersion.objects.create(organisation=None, version=1, title=g.AGREEMENT_TITLE, body=g.AGREEMENT_BODY)
    if TrainingModule.objects.filter(organisation__isnull=True).exists():
        return
    for role, (title, body, quiz) in g.ROLE_TRAINING.items():
        TrainingModule.objects.create(organisation=None, role=role, title=title, body=body, quiz=quiz, position=1)
        TrainingModule.objects.create(organisation=None, role=role, title="在线工作守则与专业伦理", body=g.RULES_BODY,
                                      quiz=g.RULES_QUIZ, position=2)


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
