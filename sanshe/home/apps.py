from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The site shell: each role's home page (工作台), the navigation, and `manage.py serve`."""

    name = "sanshe.home"
    label = "home"
    default_auto_field = "django.db.models.BigAutoField"
