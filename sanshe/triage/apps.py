from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "sanshe.triage"
    label = "triage"
    verbose_name = _("评估与分流")
    default_auto_field = "django.db.models.BigAutoField"
