from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "sanshe.core.notify"
    label = "notify"
    verbose_name = "通知"
    default_auto_field = "django.db.models.BigAutoField"
