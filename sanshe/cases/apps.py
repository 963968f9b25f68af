from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "sanshe.cases"
    label = "cases"
    verbose_name = _("转介与个案")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Wiring, not domain logic: chat risk alerts (sanshe.groups.alerts.referral) and monitoring's red alerts
        # become referrals; monitoring's pages show them.
        from . import from_chat, from_monitoring

        from_chat.register()
        from_monitoring.register()
