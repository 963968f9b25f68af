"""Who lives in a place, answered by the people register (which is built on places).

The places pages show how many people live under each community, compound, building and household, and a
household's members. The register lives in `sanshe.people`, above places in the directory, so places never
imports it: people registers a `PlaceResidents` here in its AppConfig.ready (as accounts is answered in
`accounts/resident_link.py`). Without one (people not installed) no place has residents.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class PlaceResidents(Protocol):
    def people_per_place(self, actor: Any, key: str, ids: Iterable[int]) -> dict[int, int]:
        """{place id: number of registered people the actor sees there}, `key` naming the place's field on a
        person (community_id, compound_id, building_id, household_id); one GROUP BY query."""

    def household_members(self, actor: Any, household: Any) -> list[Any]:
        """The people registered in a household that the actor may see, head and representative first."""


_register: PlaceResidents | None = None


def place_residents_set(register: PlaceResidents | None) -> None:
    """Called once by the people register at start-up."""
    global _register
    _register = register


def people_per_place(actor: Any, key: str, ids: Iterable[int]) -> dict[int, int]:
    return _register.people_per_place(actor, key, ids) if _register is not None else {}


def household_members(actor: Any, household: Any) -> list[Any]:
    return _register.household_members(actor, household) if _register is not None else []
