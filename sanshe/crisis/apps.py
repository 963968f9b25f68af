from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "sanshe.crisis"
    verbose_name = _("危机处置")
    default_auto_field = "django.db.models.BigAutoField"
