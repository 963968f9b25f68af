from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "sanshe.groups"
    label = "groups"
    verbose_name = "线上群"
    default_auto_field = "django.db.models.BigAutoField"

