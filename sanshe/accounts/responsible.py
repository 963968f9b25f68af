"""Who is responsible here: the one place that reads role memberships (directory layer).

Every feature that asks "who holds role X for this community / building / organisation / group", "which
roles does this user hold" or "who are the admins of this organisation" asks here; no other module queries
`Membership` rows (a grep for `Membership.objects.filter` finds only this module). Memberships are written
only by accounts.services (`membership_grant`, `membership_extend`, `membership_revoke`); the account pages
list them through the scoped `Membership.objects.for_actor`.

The rule, the same for every question:

* **Live holders only.** A role counts while its membership is active *and* its user account is active.
  (Crisis escalation skipped deactivated users while chat-risk escalation, case referrals and case
  assignment did not; a deactivated account can no longer open anything an alert points to, so none of
  them reaches it now.)
* **Volunteer roles count only when cleared.** A medical volunteer, counsellor or general volunteer is
  responsible for nothing until they are approved, trained in the current version and have signed the
  current agreement (issue 3). The clearance rule lives in the volunteers feature, above this layer; it
  registers itself here at start-up (`clearance_rule_register`). Without it, volunteer holders are left
  out (deny by default). `holder_ids(..., cleared=False)` is for the few callers that do the clearance
  check themselves per role and organisation (the clearance computation itself).
* **Where a role reaches** is what `accounts.policies.Scope` says: a membership covers the communities it
  names and (for building stewards) the buildings it names; an organisation admin covers the communities
  their organisation serves. Hence "the admins for a community" are the admins of every organisation
  serving it (crisis), and "the admins of an organisation" those of that organisation (a chat group's
  organisation) — one function, `org_admin_ids`, answers both.

Account management (the user list, deactivating, the admin-site flag, the audit log's names) needs a
user's role *records* whatever the account's state; those functions say so in their names (`*_records`,
`any_account_state=True`) and never serve as recipients.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Q, QuerySet

from .models import Membership, User
from .roles import Role, WorkerKind

VOLUNTEER_ROLES = frozenset({Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR, Role.GENERAL_VOLUNTEER})

# (user ids, role) → the ids among them cleared for the role in at least one organisation.
ClearanceRule = Callable[[Iterable[int], str], set[int]]
_clearance_rule: ClearanceRule | None = None


def clearance_rule_register(rule: ClearanceRule) -> None:
    """Called once by the volunteers feature at start-up: how volunteer clearance is decided."""
    global _clearance_rule
    _clearance_rule = rule


def cleared_ids(user_ids: Iterable[int], role: str) -> set[int]:
    """The users among `user_ids` for whom `role` counts now: everyone for staff roles, cleared volunteers."""
    user_ids = set(user_ids)
    if role not in VOLUNTEER_ROLES:
        return user_ids
    if _clearance_rule is None or not user_ids:
        return set()
    return set(_clearance_rule(user_ids, role))


# ------------------------------------------------------------------------------------ live memberships

def live_memberships(*, any_account_state: bool = False) -> QuerySet[Membership]:
    """Active memberships of active accounts (of any account with `any_account_state`)."""
    condition = Q(is_active=True) if any_account_state else Q(is_active=True, user__is_active=True)
    return Membership.objects.filter(condition)


def memberships_of(user, *, roles: Iterable[str] | None = None, organisation_id: int | None = None,
                   any_account_state: bool = False) -> QuerySet[Membership]:
    """The user's live memberships (optionally of some roles / one organisation); callers add their joins."""
    rows = live_memberships(any_account_state=any_account_state).filter(user_id=getattr(user, "pk", user))
    if roles is not None:
        rows = rows.filter(role__in=list(roles))
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    return rows


def roles_of(user, *, community_id: int | None = None, roles: Iterable[str] | None = None) -> set[str]:
    """The roles the user holds now (in one community when given; not counting clearance)."""
    rows = memberships_of(user, roles=roles)
    if community_id is not None:
        rows = rows.filter(communities=community_id)
    return set(rows.values_list("role", flat=True))


def holds_role(user, roles: Iterable[str], *, organisation_id: int | None = None,
               any_account_state: bool = False) -> bool:
    """Whether the user holds one of `roles` now (in one organisation when given)."""
    return memberships_of(user, roles=roles, organisation_id=organisation_id,
                          any_account_state=any_account_state).exists()


def role_community_pairs(user) -> list[tuple[str, int]]:
    """(role, community id) for every community the user's live memberships name (organisation admins: none)."""
    return [(role, community_id) for role, community_id
            in memberships_of(user).values_list("role", "communities") if community_id is not None]


def place_values(user_id: int, roles: Iterable[str], field: str) -> QuerySet:
    """A subquery of one field ("communities", "buildings", "organisation_id") of the user's live memberships
    in `roles`, for scope filters that need it inside one SQL statement."""
    return memberships_of(user_id, roles=roles).values(field)


def organisation_member_ids(organisation_id: int, *, roles: Iterable[str] | None = None,
                            any_account_state: bool = False) -> QuerySet:
    """A subquery of the user ids holding a live role in the organisation."""
    rows = live_memberships(any_account_state=any_account_state).filter(organisation_id=organisation_id)
    if roles is not None:
        rows = rows.filter(role__in=list(roles))
    return rows.order_by().values("user_id").distinct()


# --------------------------------------------------------------------------------- who is responsible

def _covering(*, community_id: int | None, building_id: int | None) -> Q:
    """Memberships covering the place: naming the community, or (stewards) the building."""
    condition = Q(pk__in=[])
    if community_id is not None:
        condition |= Q(communities=community_id)
    if building_id is not None:
        condition |= Q(buildings=building_id)
    return condition


def holder_ids(*, roles: Iterable[str], community_id: int | None = None, building_id: int | None = None,
               organisation_id: int | None = None, worker_kind: str | None = None,
               cleared: bool = True) -> set[int]:
    """The ids of the active users holding one of `roles` live for the place.

    The place is a community and/or a building (a membership covering either counts; an organisation admin
    covers the communities their organisation serves) and/or an organisation (its memberships only).
    Volunteer roles count only for cleared holders unless `cleared=False`.
    """
    roles = list(roles)
    by_role: dict[str, set[int]] = {}
    other_roles = [r for r in roles if r != Role.ORG_ADMIN]
    if other_roles:
        rows = live_memberships().filter(role__in=other_roles)
        if community_id is not None or building_id is not None:
            rows = rows.filter(_covering(community_id=community_id, building_id=building_id))
        if organisation_id is not None:
            rows = rows.filter(organisation_id=organisation_id)
        if worker_kind is not None:
            rows = rows.filter(worker_kind=worker_kind)
        for user_id, role in rows.order_by().values_list("user_id", "role").distinct():
            by_role.setdefault(role, set()).add(user_id)
    if Role.ORG_ADMIN in roles:
        by_role[Role.ORG_ADMIN] = org_admin_ids(community_id=community_id, organisation_id=organisation_id)
    result: set[int] = set()
    for role, ids in by_role.items():
        result |= cleared_ids(ids, role) if cleared else ids
    return result


def holders(**place) -> QuerySet[User]:
    """The holders (`holder_ids`) as users, ordered by name (lists people choose from)."""
    return User.objects.filter(pk__in=holder_ids(**place)).order_by("display_name", "pk")


def community_workers_for(*, community_id: int, building_id: int | None) -> list[User]:
    """The community workers a resident's follow-up falls to (health monitoring, the crisis protocol's door
    knock): the building's stewards, else the community's own staff, else any community worker of the
    community (lowest id first, so the choice is stable)."""
    for place in ({"building_id": building_id} if building_id is not None else None,
                  {"community_id": community_id, "worker_kind": WorkerKind.COMMUNITY_STAFF},
                  {"community_id": community_id}):
        ids = holder_ids(roles=[Role.COMMUNITY_WORKER], **place) if place else set()
        if ids:
            return list(User.objects.filter(pk__in=ids).order_by("pk"))
    return []


def org_admin_ids(*, community_id: int | None = None, organisation_id: int | None = None) -> set[int]:
    """The live organisation admins of an organisation, or of every organisation serving a community."""
    if community_id is None and organisation_id is None:
        return set()
    rows = live_memberships().filter(role=Role.ORG_ADMIN)
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    if community_id is not None and organisation_id is None:
        rows = rows.filter(organisation__communities=community_id)
    return set(rows.values_list("user_id", flat=True))


def role_organisations(user_ids: Iterable[int], role: str) -> list[tuple[int, int]]:
    """(user id, organisation id) for each live membership of `role` among the users (clearance input)."""
    return list(live_memberships().filter(user_id__in=set(user_ids), role=role)
                .values_list("user_id", "organisation_id"))


def staff_ids(user_ids: Iterable[int]) -> set[int]:
    """The users among `user_ids` holding an active staff role, whatever their account's state now (the
    audit log names past actors: a deactivated worker's name is still a worker's name)."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    return set(live_memberships(any_account_state=True).filter(user_id__in=user_ids)
               .exclude(role=Role.RESIDENT).values_list("user_id", flat=True).distinct())


# ------------------------------------------------------------------- role records (account management)

def membership_records(*, organisation_ids: Iterable[int] | None = None,
                       condition: Q | None = None) -> QuerySet[Membership]:
    """Memberships as records, active or revoked, whatever the account's state: the user list and scope
    filters of account management. Never a recipient list."""
    rows = Membership.objects.all()
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=list(organisation_ids))
    if condition is not None:
        rows = rows.filter(condition)
    return rows


def other_organisation_records(user, organisation_ids: Iterable[int]) -> QuerySet[Membership]:
    """The user's active memberships outside `organisation_ids`, whatever the account's state."""
    return memberships_of(user, any_account_state=True).exclude(organisation_id__in=list(organisation_ids))
