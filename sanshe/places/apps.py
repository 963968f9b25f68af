from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "sanshe.places"
    label = "places"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sanshe.accounts.place_link import assignable_places_register

        from .selectors import assignable_places

        # The role form of accounts (below places) offers the places this tree answers for.
        assignable_places_register(assignable_places)
