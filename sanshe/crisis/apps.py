from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "sanshe.crisis"
    verbose_name = _("危机处置")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Wiring, not domain logic: a chat alert handed over to a crisis shares its acknowledgement.
        from . import alert_link

        alert_link.register()
