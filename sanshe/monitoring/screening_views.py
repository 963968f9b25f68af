"""Screening pages, household by household on a phone: rounds, buildings with progress, one household."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanshe.core.gate import page
from sanshe.core.pages import apply_service_errors
from sanshe.places.models import Building, Community, Compound

from . import handoff
from . import screening_selectors as selectors
from . import screening_services as services
from .choices import NEEDS_FOLLOW_UP, NEEDS_SOCIAL_WORKER, ContactMethod, Need, RoundStatus, Situation
from .forms import RoundStartForm, ScreeningEntryForm
from .models import QuarantinePeriod
from .policies import can_monitor, monitoring_scope

VIEW = "monitoring.view"
RECORD = "monitoring.record"


def _place_choices(actor) -> list[tuple[str, str]]:
    """Where the actor may start a round: their communities (and compounds), or their own buildings."""
    scope = monitoring_scope(actor)
    communities = scope.communities(RECORD)
    choices: list[tuple[str, str]] = []
    for community in Community.objects.filter(pk__in=communities).order_by("name"):
        choices.append((f"community:{community.pk}", _("%(name)s（全社区）") % {"name": community.name}))
    for compound in Compound.objects.filter(community_id__in=communities).order_by("community_id", "name"):
        choices.append((f"compound:{compound.pk}", _("%(name)s（整个小区）") % {"name": compound.name}))
    buildings = Building.objects.filter(pk__in=scope.buildings(RECORD)).select_related("compound")
    for building in buildings.order_by("compound__name", "sort_key"):
        choices.append((f"building:{building.pk}", f"{building.compound.name} {building.name}"))
    return choices


@page(VIEW)
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponse:
    can_start = can_monitor(request.user, RECORD)
    form = RoundStartForm(request.POST or None, places=_place_choices(request.user) if can_start else [])
    if request.method == "POST":
        if not can_start:
            from sanshe.core.errors import ActionForbidden

            raise ActionForbidden(RECORD)
        if form.is_valid():
            try:
                round_ = services.screening_round_start(actor=request.user, title=form.cleaned_data["title"],
                                                        **form.place_kwargs())
            except ValidationError as error:
                apply_service_errors(form, error, aliases={"place": "place"})
            else:
                messages.success(request, _("已开始：%(title)s") % {"title": round_.title})
                return redirect("monitoring:round_detail", pk=round_.pk)
    return render(request, "monitoring/round_list.html", {
        "rows": selectors.round_list(actor=request.user), "form": form, "can_start": can_start,
    })


@page(VIEW)
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.access_round(actor=request.user, id=pk)
    rows = selectors.round_progress(actor=request.user, round_=round_)
    if len(rows) == 1 and not request.GET.get("all"):
        return redirect("monitoring:round_building", pk=round_.pk, building_id=rows[0].building.pk)
    total = selectors.Progress(households=sum(r.progress.households for r in rows),
                               reached=sum(r.progress.reached for r in rows),
                               unreachable=sum(r.progress.unreachable for r in rows))
    return render(request, "monitoring/round_detail.html", {
        "round": round_, "rows": rows, "total": total,
        "can_close": round_.status == RoundStatus.OPEN and can_monitor(request.user, RECORD),
        "crumbs": [(_("排查"), reverse("monitoring:round_list"))],
    })


@page(RECORD)
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.screening_round_close(actor=request.user, round_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("排查已结束"))
    return redirect("monitoring:round_detail", pk=pk)


@page(VIEW)
@require_GET
def round_building(request: HttpRequest, pk: int, building_id: int) -> HttpResponse:
    round_ = selectors.access_round(actor=request.user, id=pk)
    building = selectors.round_building(actor=request.user, round_=round_, building_id=building_id)
    only_to_do = request.GET.get("todo") == "1"
    rows = selectors.building_households(actor=request.user, round_=round_, building=building, only_to_do=only_to_do)
    all_rows = rows if not only_to_do else selectors.building_households(actor=request.user, round_=round_,
                                                                         building=building)
    progress = selectors.Progress(households=len(all_rows),
                                  reached=sum(1 for r in all_rows if r.state == "done"),
                                  unreachable=sum(1 for r in all_rows if r.state == "unreachable"))
    return render(request, "monitoring/round_building.html", {
        "round": round_, "building": building, "rows": rows, "progress": progress, "only_to_do": only_to_do,
        "can_work": round_.status == RoundStatus.OPEN and can_monitor(request.user, RECORD),
        "crumbs": [(_("排查"), reverse("monitoring:round_list")),
                   (round_.title, reverse("monitoring:round_detail", args=[round_.pk]) + "?all=1")],
    })


@page(RECORD)
@require_http_methods(["GET", "POST"])
def entry_form(request: HttpRequest, pk: int, household_id: int) -> HttpResponse:
    """One household: reached or not, each member's situation, exposure, needs, notes; then the next one."""
    round_ = selectors.access_round(actor=request.user, id=pk, action="work")
    row = selectors.household_for_entry(actor=request.user, round_=round_, household_id=household_id)
    initial = {}
    if row.entry is not None:
        data = row.entry.data
        initial = {"contact": row.entry.contact, "exposure": data.get("exposure", "none"),
                   "exposure_date": data.get("exposure_date"), "needs": data.get("needs", []),
                   "note": data.get("note", "")}
        for person_id, codes in data.get("members", {}).items():
            initial[f"m_{person_id}"] = codes
    # A household not yet screened in this round starts from what is already known about its members.
    known = selectors.known_situations(round_=round_, household=row.household, members=row.members) \
        if row.entry is None else {}
    form = ScreeningEntryForm(request.POST or None, members=row.members, initial=initial, known=known)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            entry = services.screening_entry_save(
                actor=request.user, round_id=round_.pk, household_id=row.household.pk, contact=values["contact"],
                members=form.situations(), exposure=values.get("exposure") or "none",
                exposure_date=values.get("exposure_date"), needs=values.get("needs") or [], note=values.get("note", ""))
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"members": "__all__"})
        else:
            follow = _follow_on(entry, row.members)
            if follow:
                request.session[f"screening_follow_{entry.pk}"] = follow
                return redirect("monitoring:entry_done", pk=round_.pk, household_id=row.household.pk)
            messages.success(request, _("已保存：%(room)s") % {"room": _room(row.household)})
            return _next(round_, row.household)
    return render(request, "monitoring/entry_form.html", {
        "round": round_, "row": row, "form": form, "room": _room(row.household),
        "crumbs": [(_("排查"), reverse("monitoring:round_list")),
                   (str(row.household.building), reverse("monitoring:round_building",
                                                         args=[round_.pk, row.household.building_id]))],
    })


def _room(household) -> str:
    return f"{household.building.name}-{household.unit.name}-{household.room}"


def _next(round_, household) -> HttpResponse:
    following = selectors.next_household(round_=round_, household=household)
    if following is None:
        return redirect(reverse("monitoring:round_building", args=[round_.pk, household.building_id]))
    return redirect("monitoring:entry_form", pk=round_.pk, household_id=following.pk)


def _follow_on(entry, members) -> list[dict]:
    """What the found situations call for: a quarantine record, a referral to a social worker."""
    if entry.contact == ContactMethod.UNREACHABLE:
        return []
    situations = entry.data.get("members", {})
    open_periods = dict(QuarantinePeriod.objects.filter(person__in=members, status__in=["active", "lost"])
                        .values_list("person_id", "pk"))
    items = []
    for person in members:
        codes = set(situations.get(str(person.pk), []))
        labels = [str(Situation(c).label) for c in sorted(codes) if c != Situation.NORMAL]
        if not labels:
            continue
        items.append({
            "person_id": person.pk, "name": person.name, "labels": labels,
            "quarantine": bool(codes & NEEDS_FOLLOW_UP) and person.pk not in open_periods,
            "period_id": open_periods.get(person.pk),
            "kind": "centralised" if Situation.CENTRAL_QUARANTINE in codes else (
                "home" if codes & {Situation.HOME_QUARANTINE, Situation.CLOSE_CONTACT} else "health_monitoring"),
            "refer": bool(codes & NEEDS_SOCIAL_WORKER) or bool(entry.data.get("needs")),
        })
    needs = entry.data.get("needs") or []
    if needs and not items and members:
        # Needs without anyone unwell (medicine, supplies, care, someone to talk to): refer the household's
        # representative.
        person = members[0]
        items.append({"person_id": person.pk, "name": person.name, "quarantine": False, "refer": True,
                      "period_id": None,
                      "labels": [str(Need(code).label) for code in needs], "kind": ""})
    return items


@page(RECORD)
@require_GET
def entry_done(request: HttpRequest, pk: int, household_id: int) -> HttpResponse:
    """After saving a household where someone needs more: register quarantine, refer, or go on."""
    round_ = selectors.access_round(actor=request.user, id=pk, action="work")
    row = selectors.household_for_entry(actor=request.user, round_=round_, household_id=household_id)
    if row.entry is None:
        return redirect("monitoring:entry_form", pk=pk, household_id=household_id)
    items = request.session.get(f"screening_follow_{row.entry.pk}") or _follow_on(row.entry, row.members)
    following = selectors.next_household(round_=round_, household=row.household)
    return render(request, "monitoring/entry_done.html", {
        "round": round_, "row": row, "items": items, "entry": row.entry, "room": _room(row.household),
        "refer_url": handoff.referral_form_url(),
        "next_url": reverse("monitoring:entry_form", args=[round_.pk, following.pk]) if following else
        reverse("monitoring:round_building", args=[round_.pk, row.household.building_id]),
        "crumbs": [(_("排查"), reverse("monitoring:round_list")),
                   (str(row.household.building), reverse("monitoring:round_building",
                                                         args=[round_.pk, row.household.building_id]))],
    })
