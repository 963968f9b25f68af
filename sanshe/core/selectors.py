"""Reads for the home pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from sanshe.core.models import AuditEvent
from sanshe.people.models import Person
from sanshe.places.models import Building, Community, Compound, Household


def home_context(*, actor, role: str) -> dict[str, Any]:
    """Figures each role's home page shows, all scoped to the actor."""
    context: dict[str, Any] = {"role": role}
    if role in {"org_admin", "social_worker", "community_worker"}:
        people = Person.objects.for_actor(actor, "view")
        context["communities"] = list(
            Community.objects.for_actor(actor, "view").annotate(compound_count=Count("compounds"))
        )
        context["people_count"] = people.count()
        context["household_count"] = Household.objects.for_actor(actor, "view").count()
        context["compound_count"] = Compound.objects.for_actor(actor, "view").count()
        context["building_count"] = Building.objects.for_actor(actor, "view").count()
        context["category_counts"] = list(
            people.exclude(category="resident").values("category").annotate(n=Count("id")).order_by("-n")
        )
    if role == "org_admin":
        context["recent_audit"] = list(AuditEvent.objects.for_actor(actor, "view")[:8])
    if role == "resident":
        context["household_members"] = list(
            Person.objects.for_actor(actor, "view").select_related("household__unit", "building", "compound")
        )
    return context
