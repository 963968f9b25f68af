from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "sanshe.knowledge"
    label = "knowledge"
    verbose_name = _("线上抗疫资源信息库")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sanshe.groups import rumour_base

        from .rumour_base import LibraryRumours

        rumour_base.register(LibraryRumours())
