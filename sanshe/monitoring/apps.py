from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "sanshe.monitoring"
    label = "monitoring"
    verbose_name = _("排查与健康监测")
    default_auto_field = "django.db.models.BigAutoField"
