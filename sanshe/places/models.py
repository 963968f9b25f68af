"""The places tree: community 社区 → compound 小区 → building 楼栋 → unit 单元 → household 户."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.core.models import TimeStampedModel

from .querysets import (
    BuildingQuerySet,
    CommunityQuerySet,
    CompoundQuerySet,
    HouseholdQuerySet,
    UnitQuerySet,
)


class Community(TimeStampedModel):
    name = models.CharField(_("社区名称"), max_length=100)
    code = models.CharField(_("社区编码"), max_length=32, unique=True)
    district = models.CharField(_("区"), max_length=50, blank=True)
    street = models.CharField(_("街道"), max_length=50, blank=True)
    address = models.CharField(_("社区地址"), max_length=200, blank=True)
    phone = models.CharField(_("社区办公电话"), max_length=30, blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["street", "name"]

    def __str__(self) -> str:
        return self.name


class Compound(TimeStampedModel):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("社区"))
    name = models.CharField(_("小区名称"), max_length=100)
    address = models.CharField(_("小区地址"), max_length=200, blank=True)

    objects = CompoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name")]

    def __str__(self) -> str:
        return self.name


class Building(TimeStampedModel):
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("小区"))
    # Denormalised so that scoping is one indexed filter, not a join chain.
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", editable=False)
    name = models.CharField(_("楼栋"), max_length=50)
    sort_key = models.PositiveIntegerField(default=0, editable=False)

    objects = BuildingQuerySet.as_manager()

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["compound_id", "sort_key", "name"]
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="building_unique_name")]

    def __str__(self) -> str:
        return f"{self.compound.name} {self.name}"


class Unit(TimeStampedModel):
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("楼栋"))
    name = models.CharField(_("单元"), max_length=50)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering = ["building_id", "name"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class Household(TimeStampedModel):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="households", verbose_name=_("单元"))
    room = models.CharField(_("房号"), max_length=20)
    # Denormalised from the unit for one-filter scoping and per-building lists.
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households", editable=False)
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="households", editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="households", editable=False)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["building_id", "unit_id", "room"]
        constraints = [models.UniqueConstraint(fields=["unit", "room"], name="household_unique_room")]

    def __str__(self) -> str:
        return f"{self.building.name}-{self.unit.name}-{self.room}"
