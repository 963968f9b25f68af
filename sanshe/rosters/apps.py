from django.apps import AppConfig


class RostersConfig(AppConfig):
    name = "sanshe.rosters"
    label = "rosters"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "排班"
