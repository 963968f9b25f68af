"""Reads for accounts pages: users, their roles, what an administrator may assign."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from sanshe.core.errors import ObjectNotFound
from sanshe.places.models import Building, Community

from .lockout import locked_usernames
from .models import Membership, Organisation, User
from .policies import require, scope_for


def managed_organisation_ids(*, actor) -> frozenset[int]:
    """Organisations whose users the actor manages; 403 when the actor manages none."""
    return require(actor, "users.manage").organisation_ids_for("users.manage")


def managed_organisations(*, actor) -> list[Organisation]:
    return list(Organisation.objects.for_actor(actor, "manage").order_by("name"))


def _membership_prefetch(organisation_ids) -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(organisation_id__in=organisation_ids)
        .select_related("organisation")
        .prefetch_related("communities", "buildings__compound")
        .order_by("-is_active", "organisation__name", "role"),
        to_attr="managed_memberships",
    )


def user_list(*, actor, query: str = "", status: str = "") -> QuerySet[User]:
    """The users of the actor's organisations, with their roles there, searchable by name or username."""
    org_ids = managed_organisation_ids(actor=actor)
    users = User.objects.for_actor(actor, "manage").prefetch_related(_membership_prefetch(org_ids))
    query = query.strip()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    return users.order_by("-is_active", "username")


def user_page_flags(users: list[User]) -> None:
    """Mark which users on a page are locked out (one query for the page)."""
    locked = locked_usernames({user.username for user in users})
    for user in users:
        user.is_locked = user.username in locked


def access_user(*, actor, user_id: int) -> User:
    """A user the actor manages, with their roles in the actor's organisations; 404 otherwise."""
    org_ids = managed_organisation_ids(actor=actor)
    user = (
        User.objects.for_actor(actor, "manage").prefetch_related(_membership_prefetch(org_ids))
        .filter(pk=user_id).first()
    )
    if user is None:
        raise ObjectNotFound()
    user_page_flags([user])
    user.other_organisation_count = (
        Membership.objects.filter(user=user, is_active=True).exclude(organisation_id__in=org_ids)
        .values("organisation_id").distinct().count()
    )
    return user


def access_membership(*, actor, user_id: int, membership_id: int) -> Membership:
    """One membership of a managed user in one of the actor's organisations; 404 otherwise."""
    managed_organisation_ids(actor=actor)
    membership = (
        Membership.objects.for_actor(actor, "manage").select_related("organisation", "user")
        .filter(pk=membership_id, user_id=user_id).first()
    )
    if membership is None:
        raise ObjectNotFound()
    return membership


@dataclass(frozen=True)
class AssignablePlaces:
    """What a role may cover: the communities the actor's organisations serve, and their buildings."""

    communities: list[Community]
    buildings: list[Building]


def assignable_places(*, actor, organisations: list[Organisation]) -> AssignablePlaces:
    """Communities these organisations serve, and their buildings in compound order."""
    communities = list(
        Community.objects.for_actor(actor, "view").filter(organisations__in=organisations).distinct()
    )
    buildings = list(
        Building.objects.for_actor(actor, "view").filter(community_id__in=[c.pk for c in communities])
        .select_related("compound", "compound__community").order_by("community_id", "compound__name", "sort_key")
    )
    return AssignablePlaces(communities=communities, buildings=buildings)


def my_memberships(*, actor) -> list[Membership]:
    """The actor's own active roles, for the 'my account' page."""
    return list(
        Membership.objects.for_actor(actor, "view").filter(user=actor, is_active=True)
        .select_related("organisation")
        .prefetch_related("communities", "buildings__compound")
        .order_by("organisation__name", "role")
    )


def my_person(*, actor):
    """The roster entry a resident account is linked to, if any (for the 'my account' page)."""
    scope = scope_for(actor)
    if scope.person_id is None:
        return None
    from sanshe.people.models import Person

    return (
        Person.objects.for_actor(actor, "view").select_related("household__unit", "building", "compound", "community")
        .filter(pk=scope.person_id).first()
    )
