"""Reads for the household sheet pages: import jobs, progress, the choices for import and export."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet

from sanshe.accounts.policies import scope_for
from sanshe.core.errors import ObjectNotFound
from sanshe.places.models import Building, Community, Compound

from .household_sheet_services import progress_key
from .models import ImportJob, ImportStatus, Person


def access_import_job(*, actor, job_id: int) -> ImportJob:
    """An import job of a community the actor may import into; 404 for missing and out-of-scope alike."""
    job = ImportJob.objects.for_actor(actor, "import").select_related("community", "created_by").filter(
        pk=job_id).first()
    if job is None:
        raise ObjectNotFound()
    return job


def import_job_list(*, actor, limit: int = 10) -> list[ImportJob]:
    """The latest imports in the actor's communities (colleagues see each other's, to avoid double imports)."""
    return list(ImportJob.objects.for_actor(actor, "import").select_related("community", "created_by")[:limit])


def import_communities(*, actor) -> QuerySet[Community]:
    """Communities the actor may import household sheets into."""
    return Community.objects.filter(pk__in=scope_for(actor).community_ids("people.import")).order_by("street", "name")


@dataclass(frozen=True)
class Progress:
    phase: str  # "reading", "validating", "importing" or "" (not started)
    done: int
    total: int

    @property
    def percent(self) -> int:
        if self.phase == "reading" or not self.total:
            return 0
        return min(100, round(self.done * 100 / self.total))


def import_progress(job: ImportJob) -> Progress:
    """Where a running job is, from the cache the task writes to; the job row once it has finished."""
    if job.status in {ImportStatus.VALIDATING, ImportStatus.IMPORTING}:
        value = cache.get(progress_key(job.pk)) or {}
        return Progress(phase=value.get("phase", ""), done=value.get("done", 0), total=value.get("total", 0))
    return Progress(phase="", done=job.processed_rows, total=job.total_rows)


def export_communities(*, actor, unmasked: bool = False) -> QuerySet[Community]:
    """Communities whose people the actor may export (whole communities, not only stewarded buildings)."""
    capability = "people.export_unmasked" if unmasked else "people.export"
    return Community.objects.filter(pk__in=scope_for(actor).community_ids(capability)).order_by("street", "name")


def export_compounds(*, actor, community_id: int | None) -> QuerySet[Compound]:
    queryset = Compound.objects.for_actor(actor, "view")
    if community_id:
        queryset = queryset.filter(community_id=community_id)
    return queryset.order_by("name")


def export_buildings(*, actor, community_id: int | None, compound_id: int | None) -> QuerySet[Building]:
    queryset = Building.objects.for_actor(actor, "view").select_related("compound")
    if community_id:
        queryset = queryset.filter(community_id=community_id)
    if compound_id:
        queryset = queryset.filter(compound_id=compound_id)
    return queryset.order_by("compound__name", "sort_key", "name")


def household_sheet_export_people(*, actor, unmasked: bool, community_id: int | None = None, compound_id: int | None = None,
                         building_id: int | None = None, category: str = "") -> QuerySet[Person]:
    """The people an export contains, in household sheet order (compound, building, unit, room)."""
    people = Person.objects.for_actor(actor, "export_unmasked" if unmasked else "export").filter(is_active=True)
    if community_id:
        people = people.filter(community_id=community_id)
    if compound_id:
        people = people.filter(compound_id=compound_id)
    if building_id:
        people = people.filter(building_id=building_id)
    if category:
        people = people.filter(category=category)
    return people.select_related("compound", "building", "household__unit").order_by(
        "compound__name", "building__sort_key", "building__name", "household__unit__name", "household__room",
        "-is_representative", "id")
