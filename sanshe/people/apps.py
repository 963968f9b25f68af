from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "sanshe.people"
    label = "people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sanshe.accounts.resident_link import resident_register_set
        from sanshe.places.residents import place_residents_set

        from .resident_link import PeoplePlaceResidents, PeopleResidentRegister

        # The directory's lower apps ask the people register: accounts for the resident behind a login,
        # places for how many people live in a place.
        resident_register_set(PeopleResidentRegister())
        place_residents_set(PeoplePlaceResidents())
