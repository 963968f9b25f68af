from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "sanshe.volunteers"
    label = "volunteers"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "志愿者"

    def ready(self) -> None:
        from sanshe.accounts.responsible import clearance_rule_register

        from .clearance import cleared_user_ids

        # Volunteer roles count as responsible only when cleared (the directory asks this feature).
        clearance_rule_register(cleared_user_ids)
