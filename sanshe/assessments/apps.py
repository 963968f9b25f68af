from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "sanshe.assessments"
    verbose_name = _("评估与分级")
    default_auto_field = "django.db.models.BigAutoField"
