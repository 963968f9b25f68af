"""Reads for accounts pages: users, their roles, what an administrator may assign."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from sanshe.core.errors import ObjectNotFound

from .lockout import locked_usernames
from .models import Membership, Organisation, User
from .policies import require, scope_for
from .resident_link import resident_home, resident_homes, resident_user_ids
from .responsible import membership_records, other_organisation_records
from .roles import Role


def managed_organisation_ids(*, actor) -> frozenset[int]:
    """Organisations whose users the actor manages; 403 when the actor manages none."""
    return require(actor, "users.manage").organisation_ids_for("users.manage")


def managed_organisations(*, actor) -> list[Organisation]:
    return list(Organisation.objects.for_actor(actor, "manage").order_by("name"))


def _membership_prefetch(organisation_ids) -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=membership_records(organisation_ids=organisation_ids)
        .select_related("organisation")
        .prefetch_related("communities", "buildings__compound")
        .order_by("-is_active", "organisation__name", "role"),
        to_attr="managed_memberships",
    )


def _listed_membership_prefetch(actor) -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.for_actor(actor, "list").select_related("organisation")
        .order_by("-is_active", "organisation__name", "role"),
        to_attr="listed_memberships",
    )


def user_list_filters(*, actor) -> tuple[list[Organisation], list[tuple[str, str]]]:
    """What the user list can be filtered by: the organisations on it, and every role (residents too)."""
    require(actor, "users.manage")
    organisations = list(Organisation.objects.for_actor(actor, "list").order_by("name"))
    return organisations, [(value, str(label)) for value, label in Role.choices]


def user_list(*, actor, query: str = "", status: str = "", organisation_id: int | None = None,
              role: str = "") -> QuerySet[User]:
    """Everyone in the admin's scope — their organisations' users, people holding roles of other
    organisations in the communities they serve, residents of those communities — with the roles in that
    scope, searchable by name or username and filterable by status, organisation and role."""
    require(actor, "users.manage")
    users = User.objects.for_actor(actor, "list").prefetch_related(_listed_membership_prefetch(actor))
    query = query.strip()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    if role == Role.RESIDENT:
        residents = resident_user_ids(_served_communities(actor), actor)
        users = users.none() if residents is None else users.filter(pk__in=residents)
    elif role:
        # Another organisation's former role is not in scope; one's own organisations' ones are (as listed).
        listed = Membership.objects.for_actor(actor, "list").filter(role=role, is_active=True)
        if organisation_id is not None:
            listed = listed.filter(organisation_id=organisation_id)
        users = users.filter(pk__in=listed.values("user_id"))
    if organisation_id is not None:
        users = users.filter(pk__in=Membership.objects.for_actor(actor, "list")
                             .filter(organisation_id=organisation_id).values("user_id"))
    return users.order_by("-is_active", "username")


def _served_communities(actor) -> frozenset[int]:
    """The communities whose registered residents (with a login) the admin's user list shows."""
    return require(actor, "users.manage").community_ids("users.manage")


def user_page_flags(users: list[User]) -> None:
    """Mark which users on a page are locked out (one query for the page)."""
    locked = locked_usernames({user.username for user in users})
    for user in users:
        user.is_locked = user.username in locked


def user_list_rows(*, actor, users: list[User]) -> None:
    """Mark each row of a list page: whether the admin manages the user (only those link to the managing
    pages and show lockout and phone), and the community a listed resident lives in (two queries a page)."""
    org_ids = managed_organisation_ids(actor=actor)
    scope = scope_for(actor)
    for user in users:
        user.is_managed = user.pk == scope.user_id or any(
            m.organisation_id in org_ids for m in user.listed_memberships)
        user.roles_shown = [m for m in user.listed_memberships if m.is_active]
        user.resident_of = None
    user_page_flags([user for user in users if user.is_managed])
    homes = resident_homes(actor, _served_communities(actor), [user.pk for user in users])
    for user in users:
        user.resident_of = homes.get(user.pk)


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
        other_organisation_records(user, org_ids).values("organisation_id").distinct().count()
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


def my_memberships(*, actor) -> list[Membership]:
    """The actor's own active roles, for the 'my account' page."""
    return list(
        Membership.objects.for_actor(actor, "view").filter(user=actor, is_active=True)
        .select_related("organisation")
        .prefetch_related("communities", "buildings__compound")
        .order_by("organisation__name", "role")
    )


def my_person(*, actor):
    """The registered person a resident account is linked to, if any (for the 'my account' page)."""
    scope = scope_for(actor)
    if scope.person_id is None:
        return None
    return resident_home(actor, scope.person_id)
