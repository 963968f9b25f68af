"""Writes of screening (排查): start and close a round, record what was found in one household."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ObjectNotFound
from sanshe.core.identity import age_on
from sanshe.people.models import Person
from sanshe.places.models import Building, Community, Compound, Household

from .choices import (
    ADULT_AGE,
    ADULT_ONLY_SITUATIONS,
    SITUATION_CATEGORY,
    ContactMethod,
    Exposure,
    Need,
    RoundStatus,
    Situation,
)
from .models import ScreeningEntry, ScreeningRound
from .policies import require_monitoring

MAX_NOTE = 1000


@transaction.atomic
def screening_round_start(*, actor, community_id: int | None = None, compound_id: int | None = None,
                          building_id: int | None = None, title: str = "",
                          now: datetime | None = None) -> ScreeningRound:
    """Start screening a whole community, a compound or a building (stewards: their own buildings)."""
    now = now or timezone.now()
    scope = require_monitoring(actor, "monitoring.record")
    communities = scope.communities("monitoring.record")
    place_name = ""
    if building_id:
        building = Building.objects.select_related("compound").filter(pk=building_id).first()
        if building is None or not scope.covers("monitoring.record", community_id=building.community_id,
                                                building_id=building.pk):
            raise ObjectNotFound()
        round_ = ScreeningRound(community_id=building.community_id, compound_id=building.compound_id,
                                building=building)
        place_name = f"{building.compound.name}{building.name}"
    elif compound_id:
        compound = Compound.objects.filter(pk=compound_id).first()
        if compound is None or compound.community_id not in communities:
            raise ObjectNotFound()
        round_ = ScreeningRound(community_id=compound.community_id, compound=compound)
        place_name = compound.name
    elif community_id:
        community = Community.objects.filter(pk=community_id).first()
        if community is None or community.pk not in communities:
            raise ObjectNotFound()
        round_ = ScreeningRound(community=community)
        place_name = community.name
    else:
        raise ValidationError({"place": _("请选择要排查的社区、小区或楼栋")})
    local = timezone.localtime(now)
    round_.title = (title or "").strip()[:100] or _("%(place)s %(month)s月%(day)s日排查") % {
        "place": place_name, "month": local.month, "day": local.day}
    round_.started_by = actor
    round_.full_clean()
    round_.save()
    audit_record(actor=actor, action="screening.start", obj=round_)
    return round_


@transaction.atomic
def screening_round_close(*, actor, round_id: int, now: datetime | None = None) -> ScreeningRound:
    """End a round: its progress stays as it was; unreached households stay listed."""
    round_ = ScreeningRound.objects.for_actor(actor, "change").select_for_update().filter(pk=round_id).first()
    if round_ is None:
        raise ObjectNotFound()
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError({"__all__": _("该排查已经结束")})
    round_.status = RoundStatus.CLOSED
    round_.closed_at = now or timezone.now()
    round_.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, action="screening.close", obj=round_)
    return round_


def _in_round(round_: ScreeningRound, household: Household) -> bool:
    if round_.building_id:
        return household.building_id == round_.building_id
    if round_.compound_id:
        return household.compound_id == round_.compound_id
    return household.community_id == round_.community_id


def is_child(person: Person, today: date) -> bool:
    """Under 18 today (see ADULT_ONLY_SITUATIONS for the rule); no birth date counts as adult unless flagged."""
    if person.birth_date is not None:
        return age_on(person.birth_date, today) < ADULT_AGE
    return bool(person.child_under_14)


def situation_choices(person: Person, today: date) -> list[tuple[str, str]]:
    """The situations screening may record for this person: a child is never offered adult-only ones."""
    child = is_child(person, today)
    return [(code, label) for code, label in Situation.choices if not (child and code in ADULT_ONLY_SITUATIONS)]


def child_situation_error(name: str, codes: list[str]) -> str:
    labels = "、".join(str(Situation(code).label) for code in sorted(codes))
    return _("%(name)s未满%(age)s岁，不能登记为“%(labels)s”，请重新选择") % {
        "name": name, "age": ADULT_AGE, "labels": labels}


def clean_members(raw: dict[Any, list[str]], member_ids: set[int],
                  children: dict[int, str] | None = None) -> dict[str, list[str]]:
    """{person id: situations}: only this household's people, known codes, "normal" alone or not at all,
    nothing adult-only for a child ({child id: name})."""
    children = children or {}
    cleaned: dict[str, list[str]] = {}
    for key, codes in raw.items():
        try:
            person_id = int(key)
        except (TypeError, ValueError):
            raise ValidationError({"members": _("成员信息有误，请刷新页面后重新填写")}) from None
        if person_id not in member_ids:
            raise ValidationError({"members": _("所选人员不是该户成员，请刷新页面后重新填写")})
        unknown = [c for c in codes if c not in Situation.values]
        if unknown:
            raise ValidationError({"members": _("未知的人员情况：%(codes)s") % {"codes": "、".join(unknown)}})
        adult_only = [c for c in codes if c in ADULT_ONLY_SITUATIONS]
        if person_id in children and adult_only:
            raise ValidationError({"members": child_situation_error(children[person_id], adult_only)})
        situations = sorted({c for c in codes if c != Situation.NORMAL}) or [Situation.NORMAL.value]
        cleaned[str(person_id)] = situations
    return cleaned


@transaction.atomic
def screening_entry_save(*, actor, round_id: int, household_id: int, contact: str,
                         members: dict[Any, list[str]] | None = None, exposure: str = Exposure.NONE,
                         exposure_date: date | None = None, needs: list[str] | None = None, note: str = "",
                         now: datetime | None = None) -> ScreeningEntry:
    """Record (or update) what screening found in one household; a second attempt counts as one more try."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    scope = require_monitoring(actor, "monitoring.record")
    round_ = ScreeningRound.objects.for_actor(actor, "work").filter(pk=round_id).first()
    if round_ is None:
        raise ObjectNotFound()
    if round_.status != RoundStatus.OPEN:
        raise ValidationError({"__all__": _("该排查已经结束，不能再记录")})
    household = Household.objects.select_related("unit").filter(pk=household_id).first()
    if household is None or not _in_round(round_, household) or not scope.covers(
            "monitoring.record", community_id=household.community_id, building_id=household.building_id):
        raise ObjectNotFound()
    if contact not in ContactMethod.values:
        raise ValidationError({"contact": _("请选择联系方式，或选择“未联系上”")})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("备注请控制在%(n)s字以内") % {"n": MAX_NOTE}})
    if contact == ContactMethod.UNREACHABLE:
        data: dict[str, Any] = {"note": note} if note else {}
    else:
        people = list(Person.objects.filter(household=household, is_active=True)
                      .only("pk", "name", "birth_date", "child_under_14"))
        children = {p.pk: p.name for p in people if is_child(p, today)}
        cleaned = clean_members(members or {}, {p.pk for p in people}, children)
        if exposure not in Exposure.values:
            raise ValidationError({"exposure": _("请选择近期接触情况")})
        if exposure_date is not None and exposure_date > today:
            raise ValidationError({"exposure_date": _("接触日期不能晚于今天（%(today)s）") % {"today": today.isoformat()}})
        unknown = [n for n in (needs or []) if n not in Need.values]
        if unknown:
            raise ValidationError({"needs": _("未知的需求：%(codes)s") % {"codes": "、".join(unknown)}})
        data = {"members": cleaned, "exposure": exposure, "needs": sorted(set(needs or [])), "note": note}
        if exposure_date is not None and exposure != Exposure.NONE:
            data["exposure_date"] = exposure_date.isoformat()
    entry = ScreeningEntry.objects.select_for_update().filter(round=round_, household=household).first()
    if entry is None:
        entry = ScreeningEntry(round=round_, household=household, community_id=household.community_id,
                               compound_id=household.compound_id, building_id=household.building_id, attempts=0)
    entry.contact = contact
    entry.attempts += 1
    entry.worked_by = actor
    entry.set_data(data)
    entry.full_clean()
    entry.save()
    audit_record(actor=actor, action="screening.record", obj=entry, detail={"contact": contact})
    if contact != ContactMethod.UNREACHABLE:
        _classify(actor, data.get("members", {}))
    return entry


def _classify(actor, members: dict[str, list[str]]) -> None:
    """Screening classifies people (六(一)3): a situation that names a client category updates the person's
    category through the people service (audited there) when the actor may change that person."""
    from sanshe.people.services import person_update

    wanted: dict[int, str] = {}
    for person_id, situations in members.items():
        for situation in situations:
            category = SITUATION_CATEGORY.get(situation)
            if category:
                wanted[int(person_id)] = category
                break
    if not wanted:
        return
    for person in Person.objects.for_actor(actor, "change").filter(pk__in=list(wanted)):
        if person.category != wanted[person.pk]:
            person_update(actor=actor, person=person, data={"category": wanted[person.pk]})
