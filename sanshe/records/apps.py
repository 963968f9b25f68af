from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "sanshe.records"
    verbose_name = _("服务记录")
    default_auto_field = "django.db.models.BigAutoField"
