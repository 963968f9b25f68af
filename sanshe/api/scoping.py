"""The only way API endpoints read scoped data: a role check (403) and then `for_actor` (404 when absent).

The role check asks the same Scope the pages' gate asks (sanshe.core.gate).

Every endpoint starts from `scoped(request, Model, action)` or `scoped_get(...)`; neither can be called
without the scope being applied, and there is no other path from a request to a scoped model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.gate import scope_for
from sanshe.people.models import Person
from sanshe.people.querysets import PEOPLE_ACTIONS
from sanshe.places.models import Building, Community, Compound, Household, Unit
from sanshe.places.querysets import PLACE_ACTIONS

M = TypeVar("M", bound=models.Model)

# The capability a role must hold somewhere for an action on a model to be possible at all.
CAPABILITY_FOR: dict[type[models.Model], dict[str, str]] = {
    Community: PLACE_ACTIONS,
    Compound: PLACE_ACTIONS,
    Building: PLACE_ACTIONS,
    Unit: PLACE_ACTIONS,
    Household: PLACE_ACTIONS,
    Person: PEOPLE_ACTIONS,
}
# What a resident may do without any staff capability: see themselves and their household, and
# reveal their own data (the querysets narrow it to exactly those rows).
RESIDENT_ACTIONS: set[tuple[type[models.Model], str]] = {
    (Person, "view"), (Person, "reveal"), (Household, "view"),
}


def actor_of(request: HttpRequest):
    """The authenticated user of an API request (session or token)."""
    return request.auth  # type: ignore[attr-defined]


def require_action(request: HttpRequest, model: type[models.Model], action: str) -> None:
    """403 when the actor's roles cannot do `action` on `model` anywhere."""
    scope = scope_for(actor_of(request))
    capability = CAPABILITY_FOR.get(model, {}).get(action)
    if capability is not None and scope.can(capability):
        return
    if scope.directory.person_id is not None and (model, action) in RESIDENT_ACTIONS:
        return
    raise ActionForbidden(capability or f"{model._meta.label_lower}.{action}")


def scoped(request: HttpRequest, model: type[M], action: str = "view") -> QuerySet[M]:
    """The rows of `model` the actor may `action`; 403 if their roles cannot do it at all."""
    require_action(request, model, action)
    return model.objects.for_actor(actor_of(request), action)  # type: ignore[attr-defined]


def scoped_get(request: HttpRequest, model: type[M], pk: int, action: str = "view", *,
               refine: Callable[[QuerySet[M]], QuerySet[M]] | None = None) -> M:
    """One row the actor may `action`; 403 for a role that can't, 404 both when missing and out of scope.

    `refine` is a selector's select_related/annotate step, applied on top of the scoped queryset.
    """
    queryset = scoped(request, model, action)
    if refine is not None:
        queryset = refine(queryset)
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ObjectNotFound()
    return obj


def visible(request: HttpRequest, model: type[M], action: str = "view") -> QuerySet[M]:
    """The rows the actor may `action`, without the role check: for related rows inside a response
    (a household's members) where a role without the capability simply gets none."""
    return model.objects.for_actor(actor_of(request), action)  # type: ignore[attr-defined]


def visible_or_404(request: HttpRequest, model: type[models.Model], pk: int, action: str = "view") -> None:
    """404 unless the actor may `action` the parent object `pk`: an empty `?community=` style list
    tells "nothing there" from "not yours" (callers check it only when no child row is visible, since
    a building steward sees their building without seeing its compound)."""
    if not visible(request, model, action).filter(pk=pk).exists():
        raise ObjectNotFound()
