"""The places a role may cover, answered by the places tree (which is built on accounts).

The role form offers the communities an administrator's organisations serve and their buildings. The
places tree lives in `sanshe.places`, above accounts in the directory, so accounts never imports it: places
registers its answer here in its AppConfig.ready. Without it (places not installed) there is nothing to offer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AssignablePlaces:
    """What a role may cover: the communities the actor's organisations serve, and their buildings."""

    communities: list[Any] = field(default_factory=list)
    # Each with `compound` and `compound.community` loaded, in community and compound order.
    buildings: list[Any] = field(default_factory=list)


# (actor, organisations) -> the communities these organisations serve that the actor sees, and their buildings.
AssignablePlacesRule = Callable[[Any, list[Any]], AssignablePlaces]

_rule: AssignablePlacesRule | None = None


def assignable_places_register(rule: AssignablePlacesRule | None) -> None:
    """Called once by the places tree at start-up."""
    global _rule
    _rule = rule


def assignable_places(*, actor, organisations: list[Any]) -> AssignablePlaces:
    """Communities these organisations serve, and their buildings in compound order (for the role form)."""
    return _rule(actor, organisations) if _rule is not None else AssignablePlaces()
