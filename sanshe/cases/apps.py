from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "sanshe.cases"
    label = "cases"
    verbose_name = _("转介与个案")
    default_auto_field = "django.db.models.BigAutoField"
