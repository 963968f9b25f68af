"""The registered resident behind a login, answered by the people register (which is built on accounts).

Residents log in with a one-time code texted to the phone the people register holds; the account page shows
a resident's home, and the user list shows the residents of the communities an administrator serves. The
register lives in `sanshe.people`, above accounts in the directory, so accounts never imports it: people
registers a `ResidentRegister` here in its AppConfig.ready (as volunteers registers its clearance rule in
`responsible.py`). Without one (people not installed) no phone is registered and nobody is a resident.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db.models import QuerySet


class ResidentRegister(Protocol):
    def people_for_phone(self, phone_index: str) -> list[Any]:
        """Active registered people with this phone (blind index), the household representative / head first.

        Unscoped on purpose: nobody is logged in yet. Each has `pk`, `name`, `phone`, `community_id`,
        `user_id` and `user`.
        """

    def link_user(self, person: Any, user: Any) -> None:
        """Link a registered person to the resident account made for them at their first login."""

    def person_of_user(self, user_id: int) -> tuple[int, int | None] | None:
        """(person id, household id) of the registered person linked to this account, or None."""

    def resident_user_ids(self, community_ids: frozenset[int], actor: Any = None) -> QuerySet:
        """A subquery (`user_id` values) of the active people with a login living in these communities;
        those the actor may see when `actor` is given, all of them otherwise (the user list's own scope)."""

    def resident_homes(self, actor: Any, community_ids: frozenset[int], user_ids: list[int]) -> dict[int, str]:
        """{user id: community name} for those of `user_ids` that are residents the actor sees there."""

    def resident_home(self, actor: Any, person_id: int) -> Any:
        """The linked person with their household, building, compound and community, if the actor may see
        them (the 'my account' page), else None."""


_register: ResidentRegister | None = None


def resident_register_set(register: ResidentRegister | None) -> None:
    """Called once by the people register at start-up."""
    global _register
    _register = register


def people_for_phone(phone_index: str) -> list[Any]:
    return _register.people_for_phone(phone_index) if _register is not None else []


def link_user(person: Any, user: Any) -> None:
    if _register is None:
        raise RuntimeError("no people register: a resident account needs one")
    _register.link_user(person, user)


def person_of_user(user_id: int) -> tuple[int, int | None] | None:
    return _register.person_of_user(user_id) if _register is not None else None


def resident_user_ids(community_ids: frozenset[int], actor: Any = None) -> QuerySet | None:
    """See `ResidentRegister.resident_user_ids`; None without a register (nobody is a resident)."""
    return _register.resident_user_ids(community_ids, actor) if _register is not None else None


def resident_homes(actor: Any, community_ids: frozenset[int], user_ids: list[int]) -> dict[int, str]:
    return _register.resident_homes(actor, community_ids, user_ids) if _register is not None else {}


def resident_home(actor: Any, person_id: int) -> Any:
    return _register.resident_home(actor, person_id) if _register is not None else None
