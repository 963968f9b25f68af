"""The people register's answers to the directory apps below it: to accounts about the resident behind a login
(accounts/resident_link.py), to places about who lives in a place (places/residents.py)."""

from __future__ import annotations

from . import selectors, services


class PeopleResidentRegister:
    """`sanshe.accounts.resident_link.ResidentRegister`, answered from the people register."""

    def people_for_phone(self, phone_index):
        return selectors.people_for_phone(phone_index)

    def link_user(self, person, user) -> None:
        services.person_link_user(person=person, user=user)

    def person_of_user(self, user_id):
        return selectors.person_of_user(user_id)

    def resident_user_ids(self, community_ids, actor=None):
        return selectors.resident_user_ids(community_ids, actor)

    def resident_homes(self, actor, community_ids, user_ids):
        return selectors.resident_homes(actor, community_ids, user_ids)

    def resident_home(self, actor, person_id):
        return selectors.resident_home(actor, person_id)


class PeoplePlaceResidents:
    """`sanshe.places.residents.PlaceResidents`, answered from the people register."""

    def people_per_place(self, actor, key, ids):
        return selectors.people_per_place(actor, key, ids)

    def household_members(self, actor, household):
        return selectors.household_members(actor, household)
