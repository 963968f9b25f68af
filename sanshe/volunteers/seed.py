"""The guide's defaults: the confidentiality agreement (tool 2) as global version 1 and the training per role.

Written by the data migration; idempotent, so a database emptied by a test flush or restored partially
gets them back by calling `seed_guide_defaults()` again.
"""

from __future__ import annotations

from . import guide_texts as g


def seed_guide_defaults(*, agreement_model=None, module_model=None) -> None:
    """Create whichever of the global defaults is missing (historical models may be passed by a migration)."""
    if agreement_model is None or module_model is None:
        from .models import AgreementVersion, TrainingModule

        agreement_model, module_model = AgreementVersion, TrainingModule
    if not agreement_model.objects.filter(organisation__isnull=True).exists():
        agreement_model.objects.create(organisation=None, version=1, title=g.AGREEMENT_TITLE, body=g.AGREEMENT_BODY)
    if module_model.objects.filter(organisation__isnull=True).exists():
        return
    for role, (title, body, quiz) in g.ROLE_TRAINING.items():
        module_model.objects.create(organisation=None, role=role, title=title, body=body, quiz=quiz, position=1)
        module_model.objects.create(organisation=None, role=role, title="在线工作守则与专业伦理", body=g.RULES_BODY,
                                    quiz=g.RULES_QUIZ, position=2)
