from django.apps import AppConfig


class RostersConfig(AppConfig):
    name = "sanshe.rosters"
    label = "rosters"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "排班"

    def ready(self) -> None:
        from . import chat_duty  # the roster puts people on duty in chat groups (sanshe.groups.duty)

        chat_duty.register()
