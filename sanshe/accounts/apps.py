from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sanshe.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import login_audit, signals  # noqa: F401  (login outcomes → audit log; logout → sockets close)
