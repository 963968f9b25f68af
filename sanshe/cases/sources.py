"""Where a referral may come from, and how to check that the referrer may see that record.

Each source kind maps to a checker `(actor, person_id, source_id) -> Person` that raises ObjectNotFound
when the record is missing, out of the actor's scope, or about someone else. Later features (chat,
self-help) register their own checkers with `register_source`.
"""

from __future__ import annotations

from collections.abc import Callable

from sanshe.core.errors import ObjectNotFound
from sanshe.people.models import Person

SourceCheck = Callable[..., Person]
SOURCES: dict[str, SourceCheck] = {}


def register_source(kind: str, check: SourceCheck) -> None:
    SOURCES[kind] = check


def _person(person_id: int) -> Person:
    person = Person.objects.select_related("household").filter(pk=person_id).first()
    if person is None:
        raise ObjectNotFound()
    return person


def _screening(actor, person_id: int, source_id: int | None) -> Person:
    from sanshe.monitoring.models import ScreeningEntry

    entry = ScreeningEntry.objects.for_actor(actor, "view").filter(pk=source_id).first()
    person = _person(person_id)
    if entry is None or person.household_id != entry.household_id:
        raise ObjectNotFound()
    return person


def _check_in(actor, person_id: int, source_id: int | None) -> Person:
    from sanshe.monitoring.models import CheckIn

    if not CheckIn.objects.for_actor(actor, "view").filter(pk=source_id, person_id=person_id).exists():
        raise ObjectNotFound()
    return _person(person_id)


def _alert(actor, person_id: int, source_id: int | None) -> Person:
    from sanshe.monitoring.models import Alert

    if not Alert.objects.for_actor(actor, "view").filter(pk=source_id, person_id=person_id).exists():
        raise ObjectNotFound()
    return _person(person_id)


register_source("screening", _screening)
register_source("check_in", _check_in)
register_source("alert", _alert)


def _self_help(actor, person_id: int, source_id: int | None) -> Person:
    """A resident's own request for help: the resident themself, or the social workers of their community."""
    from .models import HelpRequest
    from .policies import cases_scope

    request = HelpRequest.objects.filter(pk=source_id, person_id=person_id).select_related("person").first()
    if request is None:
        raise ObjectNotFound()
    person = request.person
    scope = cases_scope(actor)
    if not (request.user_id == actor.pk or person.community_id in scope.communities("cases.inbox")
            or (person.building_id and person.building_id in scope.buildings("cases.inbox"))):
        raise ObjectNotFound()
    return person


register_source("self_help", _self_help)
