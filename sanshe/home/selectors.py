"""Reads for the home pages (工作台), all scoped to the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sanshe.accounts.models import Membership, Organisation
from sanshe.accounts.policies import scope_for
from sanshe.accounts.responsible import memberships_of
from sanshe.core.models import AuditEvent
from sanshe.core.selectors import action_label
from sanshe.people.choices import VULNERABILITY_FLAGS, Category
from sanshe.people.models import Person
from sanshe.places import selectors as places
from sanshe.places.models import Building


def _category_rows(people: QuerySet) -> list[dict]:
    """People per client category (not the ordinary residents: they are everyone else).

    One count per category, each a short range of the (community, category, …) index, instead of one
    GROUP BY that would read every resident's index entry.
    """
    rows = []
    for code, label in Category.choices:
        if code == Category.RESIDENT:
            continue
        n = people.filter(category=code).order_by().count()
        if n:
            rows.append({"code": code, "label": label, "n": n})
    return sorted(rows, key=lambda row: -row["n"])


def _vulnerability_rows(people: QuerySet) -> list[dict]:
    """People per vulnerability flag: one count per flag, each read from that flag's small partial index."""
    return [{"code": name, "label": label, "n": people.filter(**{name: True}).order_by().count()}
            for name, label in VULNERABILITY_FLAGS]


def _staff_figures(actor) -> dict[str, Any]:
    rows = places.community_list(actor=actor)
    people = Person.objects.for_actor(actor, "view")
    categories = _category_rows(people)
    return {
        "community_rows": rows,
        "attention_total": sum(row["n"] for row in categories),
        "totals": {key: sum(row.counts[key] for row in rows)
                   for key in ("compounds", "buildings", "households", "people")},
        "category_rows": categories,
        "vulnerability_rows": _vulnerability_rows(people),
    }


def _memberships(actor) -> list[Membership]:
    return list(memberships_of(actor).select_related("organisation")
                .order_by("organisation__name"))


def _buildings_by_compound(actor, buildings: QuerySet) -> list[dict]:
    """Buildings grouped under their compound, each with household and people counts."""
    buildings = list(buildings.select_related("compound").order_by("compound__name", "sort_key", "name"))
    rows = places.with_counts(buildings, actor, "building_id")
    groups: dict[int, dict] = {}
    for row in rows:
        group = groups.setdefault(row.obj.compound_id, {"compound": row.obj.compound, "rows": [],
                                                         "households": 0, "people": 0})
        group["rows"].append(row)
        group["households"] += row.counts["households"]
        group["people"] += row.counts["people"]
    return list(groups.values())


def home_context(*, actor, role: str) -> dict[str, Any]:
    """What each role's home page shows, all scoped to the actor."""
    scope = scope_for(actor)
    context: dict[str, Any] = {"role": role, "memberships": _memberships(actor)}
    if role in {"org_admin", "social_worker", "community_worker"}:
        context.update(_staff_figures(actor))
    if role == "org_admin":
        context["organisations"] = list(Organisation.objects.filter(pk__in=scope.organisation_ids_for("users.manage")))
        context["recent_audit"] = [
            (event, action_label(event.action)) for event in
            AuditEvent.objects.for_actor(actor, "view").select_related("actor")[:8]
        ]
    if role == "community_worker":
        communities = scope.community_ids("places.view")
        context["compound_groups"] = _buildings_by_compound(
            actor, Building.objects.for_actor(actor, "view").filter(community_id__in=communities))
    if role == "building_steward":
        people = Person.objects.for_actor(actor, "view")
        context["compound_groups"] = _buildings_by_compound(actor, Building.objects.for_actor(actor, "view"))
        context["category_rows"] = _category_rows(people)
        context["vulnerability_rows"] = _vulnerability_rows(people)
    if role == "resident":
        context.update(_resident_context(actor, scope))
    return context


def _resident_context(actor, scope) -> dict[str, Any]:
    me = Person.objects.for_actor(actor, "view").filter(pk=scope.person_id).select_related(
        "household__unit", "building", "compound", "community").first() if scope.person_id else None
    members = list(
        Person.objects.for_actor(actor, "view").filter(household_id=scope.household_id)
        .defer("doc_number", "address").order_by("-is_representative", "id")
    ) if scope.household_id else ([me] if me else [])
    community = me.community if me else None
    return {"me": me, "household_members": members, "community": community}


def home_role_for(actor, role: str | None) -> str:
    """The home page to show: a community worker who covers only stewarded buildings gets the steward's page."""
    if role is None:
        return "none"
    if role == "community_worker":
        scope = scope_for(actor)
        if not scope.community_ids("places.view") and scope.building_ids("places.view"):
            return "building_steward"
    return role
