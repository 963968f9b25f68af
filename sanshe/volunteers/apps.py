from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "sanshe.volunteers"
    label = "volunteers"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "志愿者"
