from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "sanshe.groups"
    label = "groups"
    verbose_name = "线上群"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Wiring, not domain logic: risk alerts become a referral source of the cases feature.
        from . import referrals

        referrals.register()
