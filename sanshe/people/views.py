"""People pages: the list with search and filters, detail with audited reveal, create and edit."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanshe.accounts.policies import require, scope_for
from sanshe.core.pages import apply_service_errors, capability_required, int_param
from sanshe.places import selectors as places

from . import selectors, services
from .forms import HouseholdPickerForm, PersonFilterForm, PersonForm, RevealForm
from .models import Person
from .search import MAX_QUERY, NumberLookup, number_lookup, parse_query

SEARCH_SESSION_KEY = "people_searches"
KEPT_SEARCHES = 20
FILTER_PARAMS = ("compound", "building", "category", "vulnerability")
REVEAL_LABELS = {"doc_number": gettext_lazy("证件号码"), "phone": gettext_lazy("手机号"),
                 "address": gettext_lazy("详细地址"), "birth_date": gettext_lazy("出生日期")}


def _store_search(request: HttpRequest, text: str) -> str | None:
    """Keep the typed search in the session under a random token, so it never appears in a URL or log.

    An ID or phone number is not kept at all: only its blind indexes and a masked form are.
    """
    query = parse_query(text)
    if query.mode == "all":
        return None
    if query.mode == "number":
        spec = {"number": number_lookup(query.text).as_dict()}
    else:
        spec = {"q": text.strip()[:MAX_QUERY]}
    searches = dict(request.session.get(SEARCH_SESSION_KEY, {}))
    token = secrets.token_urlsafe(6)
    searches[token] = spec
    for stale in list(searches)[:-KEPT_SEARCHES]:
        del searches[stale]
    request.session[SEARCH_SESSION_KEY] = searches
    return token


def _list_url(params: dict) -> str:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value not in (None, ""):
            query[key] = str(value)
    encoded = query.urlencode()
    return reverse("people:person_list") + (f"?{encoded}" if encoded else "")


@capability_required("people.view")
@require_http_methods(["GET", "POST"])
def person_list(request: HttpRequest) -> HttpResponse:
    """Search by name, pinyin, initials or an exact ID/phone number; filter; page by keyset cursors."""
    if request.method == "POST" or "q" in request.GET:
        # Post/redirect/get: the search text is swapped for a session token before it reaches any URL.
        source = request.POST if request.method == "POST" else request.GET
        params = {key: source.get(key, "") for key in FILTER_PARAMS}
        typed = source.get("q", "")
        if request.method == "GET" and parse_query(typed).mode == "number":
            # An ID or phone number in a URL lands in server logs and browser history: such a link is
            # not honoured (nothing here makes one), so nobody comes to rely on it. Names still work.
            messages.warning(request, _("为保护个人信息，证件号、手机号不能放在网址中搜索，请在搜索框中输入"))
            typed = ""
        params["s"] = _store_search(request, typed)
        return redirect(_list_url(params), permanent=False)

    token = request.GET.get("s", "")
    spec = request.session.get(SEARCH_SESSION_KEY, {}).get(token) if token else None
    if token and spec is None:
        messages.info(request, _("搜索条件已过期，请重新输入"))
    number = NumberLookup.from_dict(spec["number"]) if spec and "number" in spec else None
    typed = spec.get("q", "") if spec else ""
    data = request.GET.copy()
    data["q"] = typed  # shown back in the box; a number is shown only masked, beside it
    form = PersonFilterForm(data, actor=request.user)
    filters = form.filters()
    page = selectors.person_list(
        actor=request.user,
        filters=selectors.PersonFilters(q=typed, number=number, prefer_initials=request.GET.get("m") == "initials",
                                        **filters),
        after=int_param(request.GET.get("after")), before=int_param(request.GET.get("before")),
    )
    base = {**{key: request.GET.get(key, "") for key in FILTER_PARAMS}, "s": token if spec else "",
            "m": "initials" if page.mode == "initials" else ""}
    return render(request, "people/person_list.html", {
        "form": form,
        "page": page,
        "typed": typed,
        "number_masked": number.masked if number else "",
        "clear_search_url": _list_url({**base, "s": "", "m": ""}),
        "next_url": _list_url({**base, "after": page.next_after}) if page.next_after else "",
        "prev_url": _list_url({**base, "before": page.prev_before}) if page.prev_before else "",
        "filtered": any(filters.values()) or bool(spec),
        "can_add": scope_for(request.user).can("people.change") and scope_for(request.user).can("places.change"),
    })


@capability_required("people.view")
@require_GET
def building_options(request: HttpRequest) -> HttpResponse:
    """The building <option>s for the compound chosen in the list filters."""
    compound_id = int_param(request.GET.get("compound"))
    buildings = places.building_choices(actor=request.user, compound_id=compound_id, action="view")
    return render(request, "people/_person_building_options.html", {"buildings": buildings})


@capability_required("people.change")
@require_GET
def household_picker(request: HttpRequest) -> HttpResponse:
    """The compound → building → unit → room selects, re-rendered after one of them changed."""
    values = {key: request.GET.get(key) for key in ("compound", "building", "unit", "household", "new_room")}
    form = HouseholdPickerForm(actor=request.user, initial=values)
    return render(request, "people/_person_household_picker.html", {"form": form})


@capability_required("people.view")
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.access_person(actor=request.user, id=pk)
    return render(request, "people/person_detail.html", {
        "person": person,
        "protected": _protected_rows(person),
        "can_reveal": Person.objects.for_actor(request.user, "reveal").filter(pk=person.pk).exists(),
        "can_change": Person.objects.for_actor(request.user, "change").filter(pk=person.pk).exists(),
        "can_open_household": person.household_id is not None and places.can(
            request.user, type(person.household).objects, person.household_id),
        "reveal_form": RevealForm(),
        "crumbs": _crumbs(),
    })


def _crumbs(person: Person | None = None) -> list[tuple[str, str]]:
    crumbs = [(_("人员"), reverse("people:person_list"))]
    if person is not None:
        crumbs.append((person.name, reverse("people:person_detail", args=[person.pk])))
    return crumbs


def _protected_rows(person: Person) -> list[dict]:
    return [
        {"field": "doc_number", "label": person.get_doc_type_display(), "masked": person.doc_number_masked,
         "url": reverse("people:person_reveal", args=[person.pk, "doc_number"])},
        {"field": "phone", "label": REVEAL_LABELS["phone"], "masked": person.phone_masked,
         "url": reverse("people:person_reveal", args=[person.pk, "phone"])},
        {"field": "address", "label": REVEAL_LABELS["address"], "masked": person.address_masked,
         "url": reverse("people:person_reveal", args=[person.pk, "address"])},
        # Beside the masked ID only the year (sanshe.core.pii, rule 2); the full date through the audited reveal.
        {"field": "birth_date", "label": REVEAL_LABELS["birth_date"],
         "masked": _("%(year)s年**月**日") % {"year": person.birth_date.year} if person.birth_date else "",
         "url": reverse("people:person_reveal", args=[person.pk, "birth_date"])},
    ]


@capability_required("people.reveal")
@require_POST
def person_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """Show one protected value in full, for this response only, after a written reason (audited)."""
    form = RevealForm(request.POST)
    partial = bool(request.headers.get("HX-Request"))
    row = {"field": field, "label": REVEAL_LABELS.get(field, ""),
           "url": reverse("people:person_reveal", args=[pk, field])}
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    revealed = None
    try:
        # The service checks scope before the reason: out of scope is a 404 (audited), never a form error.
        revealed = services.person_reveal(actor=request.user, person_id=pk, field=field, reason=reason)
    except ValidationError as error:
        if not form.errors:
            apply_service_errors(form, error)
    context = {"form": form, "row": row, "revealed": revealed, "person_pk": pk}
    if partial:
        response = render(request, "core/_reveal.html", context)
        if revealed is not None:
            # The value replaces the masked one; a form with an error replaces only itself.
            response["HX-Retarget"] = f"#reveal-{field}"
            response["HX-Reswap"] = "innerHTML"
        return response
    person = selectors.access_person(actor=request.user, id=pk)
    return render(request, "people/person_reveal.html", {**context, "person": person, "crumbs": _crumbs(person)})


def _picker_values(person: Person | None, request: HttpRequest) -> dict:
    household_id = int_param(request.GET.get("household"))
    if household_id:
        household = places.access_household(actor=request.user, id=household_id, action="change")
    elif person is not None and person.household_id:
        household = person.household
    else:
        return {}
    return {"compound": household.compound_id, "building": household.building_id, "unit": household.unit_id,
            "household": household.pk}


def _picked(request: HttpRequest, form: PersonForm) -> dict:
    """The household (or unit + new room) the form chose, fetched through the actor's change scope."""
    data = form.cleaned_data
    if not form.can_move:
        return {}
    if data.get("household"):
        return {"household": places.access_household(actor=request.user, id=data["household"], action="change")}
    return {"unit": places.access_unit(actor=request.user, id=data["unit"], action="change"),
            "room": data.get("new_room") or ""}


@capability_required("people.change")
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """Register a person in a household; needs the right to register households too (not social workers)."""
    require(request.user, "places.change")
    form = PersonForm(request.POST or None, actor=request.user, initial=_picker_values(None, request))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(actor=request.user, data=form.service_data(), **_picked(request, form))
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"room": "new_room"})
        else:
            messages.success(request, _("已登记：%(name)s") % {"name": person.name})
            if "add_another" in request.POST:
                return redirect(f"{reverse('people:person_create')}?household={person.household_id}")
            return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": None, "title": _("登记人员"),
                                                       "crumbs": _crumbs()})


@capability_required("people.change")
@require_http_methods(["GET", "POST"])
def person_update(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.access_person(actor=request.user, id=pk, action="change")
    # No birth date: the form never shows a full date beside the masked ID (sanshe.core.pii, rule 3).
    initial = {key: getattr(person, key) for key in (
        "name", "sex", "doc_type", "relation", "is_representative", "category", "population_level",
        "elderly_alone", "chronic_disease", "pregnant", "disabled", "child_under_14", "needs_care", "is_active")}
    initial.update(_picker_values(person, request))
    form = PersonForm(request.POST or None, actor=request.user, person=person, initial=initial,
                      can_move=scope_for(request.user).can("places.change"))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_edit(actor=request.user, person=person, data=form.service_data(),
                                 **_picked(request, form))
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"room": "new_room"})
        else:
            messages.success(request, _("已保存"))
            return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person, "title": _("修改人员信息"),
                                                       "crumbs": _crumbs(person)})
