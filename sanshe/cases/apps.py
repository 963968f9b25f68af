from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "sanshe.cases"
    label = "cases"
    verbose_name = _("转介与个案")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Wiring, not domain logic: monitoring's red alerts become referrals; its pages show them.
        from . import from_monitoring

        from_monitoring.register()
