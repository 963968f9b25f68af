"""Monitoring pages: today's follow-ups, recording calls, quarantine periods, alerts, indicators, the profile,
and the person's own check-in page (personal link or login)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanshe.accounts.policies import scope_for
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.gate import page
from sanshe.core.pages import apply_service_errors, background_poll, int_param
from sanshe.people.models import Person
from sanshe.rules.redflags import (
    BREATHING_LABELS,
    CHILD_DANGER_SIGNS,
    HIGH_RISK_CONDITIONS,
    PREGNANCY_DANGER_SIGNS,
    Level,
)

from . import handoff, selectors, services
from .choices import SYMPTOM_LABELS
from .forms import AlertResolveForm, CheckInForm, CloseForm, EndDateForm, ProfileForm, QuarantineForm
from .models import QuarantinePeriod
from .policies import can_edit_profile, can_monitor, can_profile, monitoring_scope
from .rules import age_on

VIEW = "monitoring.view"
RECORD = "monitoring.record"
ALERTS = ("monitoring.alerts", "monitoring.alerts_medical")


def _is_fetch(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def ws_url() -> str:
    """Where pages open the alerts WebSocket: the ASGI port on a laptop, the same origin behind a proxy."""
    return f"{settings.WEBSOCKET_URL.rstrip('/')}/ws/monitoring/alerts/" if settings.WEBSOCKET_URL else \
        "/ws/monitoring/alerts/"


def _now():
    """The pages' clock (one place, so a browser journey can run at a fixed time of day)."""
    return timezone.now()


def _slot_labels() -> list[str]:
    return services.profile_slot_labels(services.profile_current())


def _realtime(request: HttpRequest) -> dict:
    return {"alerts_ws": ws_url(), "alerts_feed": reverse("monitoring:alert_feed")}


# ------------------------------------------------------------------------------------------------- today

@page(VIEW)
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """The worker's day: per building, who has and has not reported; open alerts on top."""
    now = _now()
    overview = selectors.today_overview(actor=request.user, day=timezone.localdate(now))
    if len(overview.buildings) == 1 and not request.GET.get("all"):
        return redirect("monitoring:today_building", building_id=overview.buildings[0].building.pk)
    return render(request, "monitoring/today.html", {
        "overview": overview, "totals": overview.totals, "labels": _slot_labels(), **_realtime(request),
        "can_record": can_monitor(request.user, RECORD),
    })


@page(VIEW)
@require_GET
def today_building(request: HttpRequest, building_id: int) -> HttpResponse:
    now = _now()
    building = selectors.access_building_today(actor=request.user, id=building_id)
    only_missing = request.GET.get("missing") == "1"
    rows = selectors.building_today(actor=request.user, building=building, day=timezone.localdate(now),
                                    labels=_slot_labels(), only_missing=only_missing)
    # The list is long and hot: build each row's links from one reversed pattern, not four reverse() calls.
    patterns = {name: reverse(f"monitoring:{view}", args=[0]) for name, view in (
        ("call", "follow_up_call"), ("record", "follow_up_record"), ("unreachable", "follow_up_unreachable"),
        ("detail", "period_detail"), ("alert", "alert_detail"))}
    for row in rows:
        target = row.next_open.follow_up_id if row.next_open else 0
        ids = {"call": target, "record": target, "unreachable": target, "detail": row.period_id,
               "alert": row.alert_id or 0}
        row.urls = {name: pattern.replace("/0/", f"/{ids[name]}/") for name, pattern in patterns.items()}
    return render(request, "monitoring/today_building.html", {
        "building": building, "rows": rows, "only_missing": only_missing, "now": now,
        "can_record": can_monitor(request.user, RECORD),
        "can_call": scope_for(request.user).can("people.reveal"),
        "crumbs": [(_("今日随访"), reverse("monitoring:today") + "?all=1")], **_realtime(request),
    })


@page(VIEW)
@require_POST
def follow_up_call(request: HttpRequest, pk: int) -> HttpResponse:
    """One tap to call: the phone number is revealed (audited, with the follow-up as the reason) and dialled."""
    from sanshe.people.services import person_reveal

    follow_up = selectors.access_follow_up(actor=request.user, id=pk)
    try:
        revealed = person_reveal(actor=request.user, person_id=follow_up.person_id, field="phone",
                                 reason=_("今日健康随访，电话询问体温和症状"))
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    return render(request, "monitoring/_call.html", {"phone": revealed.value, "follow_up": follow_up})


def _form_kwargs(person: Person, today) -> dict:
    years, _months = age_on(person.birth_date, today)
    return {"child": (years is not None and years < 14) or person.child_under_14, "pregnant": person.pregnant}


@page(RECORD)
@require_http_methods(["GET", "POST"])
def follow_up_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A worker types in what the person said on the phone."""
    follow_up = selectors.access_follow_up(actor=request.user, id=pk, action="record")
    now = _now()
    form = CheckInForm(request.POST or None, **_form_kwargs(follow_up.person, timezone.localdate(now)))
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.check_in_record(actor=request.user, follow_up_id=follow_up.pk, data=form.to_input(),
                                              idempotency_key=form.key, now=now)
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"breathing_difficulty": "breathing"})
    if result is not None:
        if not result.flags:
            messages.success(request, _("已记录：%(name)s") % {"name": follow_up.person.name})
            return redirect("monitoring:today_building", building_id=follow_up.building_id)
        follow_up.refresh_from_db()
    labels = _slot_labels()
    return render(request, "monitoring/record.html", {
        "follow_up": follow_up, "form": form, "result": result,
        "slot_label": labels[follow_up.slot] if follow_up.slot < len(labels) else "",
        "crumbs": [(_("今日随访"), reverse("monitoring:today") + "?all=1"),
                   (str(follow_up.building), reverse("monitoring:today_building", args=[follow_up.building_id]))],
    })


@page(RECORD)
@require_POST
def follow_up_unreachable(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        follow_up = services.followup_mark_unreachable(actor=request.user, follow_up_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        follow_up = selectors.access_follow_up(actor=request.user, id=pk)
    else:
        messages.info(request, _("已标记联系不上：%(name)s。请稍后再试，或上门查看。") % {"name": follow_up.person.name})
    return redirect("monitoring:today_building", building_id=follow_up.building_id)


# ------------------------------------------------------------------------------------------------ periods

@page(VIEW)
@require_GET
def period_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    if status not in selectors.PERIOD_FILTERS:
        status = "active"
    page = selectors.period_list(actor=request.user, status=status, after=int_param(request.GET.get("after")))
    return render(request, "monitoring/period_list.html", {
        "page": page, "status": status, "can_record": can_monitor(request.user, RECORD),
        "tabs": [("active", _("观察中")), ("lost", _("失访")), ("closed", _("已结束"))],
    })


@page(RECORD)
@require_http_methods(["GET", "POST"])
def period_new(request: HttpRequest) -> HttpResponse:
    """Find the person (by name or pinyin initials; the typed text is posted, never put in the URL)."""
    query = (request.POST.get("q") or "").strip()[:20]
    people = selectors.person_search(actor=request.user, q=query) if query else []
    open_ids = set(QuarantinePeriod.objects.filter(person__in=people, status__in=["active", "lost"])
                   .values_list("person_id", flat=True)) if people else set()
    return render(request, "monitoring/period_new.html", {"q": query, "people": people, "open_ids": open_ids,
                                                          "searched": request.method == "POST"})


@page(RECORD)
@require_http_methods(["GET", "POST"])
def period_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = (Person.objects.for_actor(request.user, "view").select_related("household__unit", "building__compound")
              .filter(pk=person_id).first())
    if person is None or not monitoring_scope(request.user).covers(RECORD, community_id=person.community_id,
                                                                    building_id=person.building_id):
        raise ObjectNotFound()
    existing = selectors.open_period_of(person.pk)
    if existing is not None and request.method == "GET":
        messages.info(request, _("%(name)s已在隔离观察中。") % {"name": person.name})
        return redirect("monitoring:period_detail", pk=existing.pk)
    form = QuarantineForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        try:
            period = services.quarantine_register(actor=request.user, person_id=person.pk, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error, aliases={"person": "__all__"})
        else:
            messages.success(request, _("已登记，观察至%(end)s。今天起每天生成随访。") % {"end": period.end_date.isoformat()})
            return redirect("monitoring:period_detail", pk=period.pk)
    profile = services.profile_current()
    return render(request, "monitoring/period_form.html", {
        "form": form, "person": person, "profile": profile,
        "crumbs": [(_("隔离观察"), reverse("monitoring:period_list"))],
    })


@page(VIEW)
@require_GET
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = selectors.access_period(actor=request.user, id=pk)
    now = _now()
    can_change = QuarantinePeriod.objects.for_actor(request.user, "change").filter(pk=period.pk).exists()
    check_ins = selectors.check_in_list(actor=request.user, person_id=period.person_id)
    return render(request, "monitoring/period_detail.html", {
        "period": period, "person": period.person, "days": selectors.period_days(period=period, labels=_slot_labels()),
        "check_ins": check_ins, "labels": _slot_labels(), "today": timezone.localdate(now),
        "risk_labels": [HIGH_RISK_CONDITIONS[c] for c in period.risk_codes if c in HIGH_RISK_CONDITIONS],
        "can_change": can_change,
        "can_shorten": QuarantinePeriod.objects.for_actor(request.user, "shorten").filter(pk=period.pk).exists(),
        "referrals": handoff.referrals_for_person(actor=request.user, person_id=period.person_id),
        "refer_url": handoff.referral_form_url(),
        "link_url": request.session.pop(f"link_{period.pk}", ""),
        "day_number": (timezone.localdate(now) - period.start_date).days + 1,
        "crumbs": [(_("隔离观察"), reverse("monitoring:period_list"))],
    })


@page(RECORD)
@require_http_methods(["GET", "POST"])
def period_end(request: HttpRequest, pk: int) -> HttpResponse:
    period = selectors.access_period(actor=request.user, id=pk, action="change")
    form = EndDateForm(request.POST or None, initial={"end_date": period.end_date})
    if request.method == "POST" and form.is_valid():
        try:
            period = services.quarantine_change_end(actor=request.user, period_id=period.pk, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except ActionForbidden:
            form.add_error("end_date", _("缩短观察期需要社区工作人员（社区两委或专职工作者）权限，请联系社区"))
        else:
            messages.success(request, _("观察截止日期已改为%(end)s") % {"end": period.end_date.isoformat()})
            return redirect("monitoring:period_detail", pk=period.pk)
    return render(request, "monitoring/period_end.html", {
        "form": form, "period": period,
        "can_shorten": QuarantinePeriod.objects.for_actor(request.user, "shorten").filter(pk=period.pk).exists(),
        "crumbs": [(_("隔离观察"), reverse("monitoring:period_list")),
                   (period.person.name, reverse("monitoring:period_detail", args=[period.pk]))],
    })


@page(RECORD)
@require_http_methods(["GET", "POST"])
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    period = selectors.access_period(actor=request.user, id=pk, action="change")
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.quarantine_close(actor=request.user, period_id=period.pk, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已更新：%(status)s") % {"status": period.get_status_display()})
            return redirect("monitoring:period_detail", pk=period.pk)
    return render(request, "monitoring/period_close.html", {
        "form": form, "period": period,
        "crumbs": [(_("隔离观察"), reverse("monitoring:period_list")),
                   (period.person.name, reverse("monitoring:period_detail", args=[period.pk]))],
    })


@page(RECORD)
@require_POST
def period_resume(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.quarantine_resume(actor=request.user, period_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已恢复随访，今天起继续生成随访"))
    return redirect("monitoring:period_detail", pk=pk)


@page(RECORD)
@require_POST
def period_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A new personal check-in link: texted to the person, or shown once to copy into a WeChat private chat."""
    url = request.build_absolute_uri(reverse("monitoring:check_in_link", args=["__TOKEN__"]))
    try:
        if request.POST.get("send") == "sms":
            services.check_in_link_send(actor=request.user, period_id=pk, url=url)
            messages.success(request, _("打卡链接已通过短信发给本人；之前发出的链接已失效"))
        else:
            link = services.check_in_link_issue(actor=request.user, period_id=pk)
            request.session[f"link_{pk}"] = url.replace("__TOKEN__", services.link_token(link))
            messages.success(request, _("已生成新的打卡链接（之前的链接已失效），请复制后私聊发给本人"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("monitoring:period_detail", pk=pk)


# ------------------------------------------------------------------------------------------------- alerts

@page(*ALERTS)
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "open")
    if view not in {"open", "mine", "resolved"}:
        view = "open"
    alerts = selectors.alert_list(actor=request.user, view=view)
    return render(request, "monitoring/alert_list.html", {
        "alerts": alerts, "view": view, "last_id": max((a.pk for a in alerts), default=0),
        "tabs": [("open", _("待处理")), ("mine", _("我负责的")), ("resolved", _("近7天已处理"))],
        **_realtime(request),
    })


@page(*ALERTS)
@require_GET
@background_poll
def alert_feed(request: HttpRequest) -> JsonResponse:
    """New alerts after an id, as JSON (the page's fallback when the WebSocket is unavailable)."""
    from .notify import alert_payload

    after = int_param(request.GET.get("after")) or 0
    return JsonResponse({"alerts": [alert_payload(a) for a in selectors.alerts_after(actor=request.user,
                                                                                      after_id=after)]})


@page(*ALERTS)
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.access_alert(actor=request.user, id=pk)
    check_in = alert.check_in
    return render(request, "monitoring/alert_detail.html", {
        "alert": alert, "title": selectors.alert_title(alert), "level": Level(alert.level),
        "flags": alert.flags, "check_in": check_in, "reading": _reading(check_in.data) if check_in else None,
        "form": AlertResolveForm(), "referral": handoff.referral_for_alert(actor=request.user, alert_id=alert.pk),
        "refer_url": handoff.referral_form_url(),
        "can_open_period": alert.period_id and can_monitor(request.user, VIEW),
        **_reach(request, alert),
        "crumbs": [(_("预警"), reverse("monitoring:alert_list"))],
    })


def _reach(request: HttpRequest, alert) -> dict:
    """How the handler reaches the person from an open alert, as on the crisis page: a one-tap audited call
    (the number only in the phone's dialler) and a private thread in a group they share (groups' thread_with)."""
    from sanshe.core.pii import mask_phone

    if not alert.is_open or not selectors.alert_can_handle(actor=request.user, alert=alert):
        return {}
    return {"reach": True, "phone_masked": mask_phone(alert.person.phone),
            "thread": selectors.alert_thread_offer(actor=request.user, alert=alert, now=_now())}


@page(*ALERTS)
@require_POST
def alert_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Tap to call the person about an alert: the full number is revealed only by this audited step, straight
    into the phone's dialler (the crisis page's call)."""
    from sanshe.core.redirects import tel_redirect

    alert = selectors.access_alert(actor=request.user, id=pk)
    try:
        number = services.alert_call_number(actor=request.user, alert_id=alert.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("monitoring:alert_detail", pk=alert.pk)
    return tel_redirect(number)


def _reading(data: dict) -> list[tuple[str, str]]:
    """A check-in's values as (label, text) rows for staff pages."""
    rows = []
    if data.get("temperature_c") is not None:
        rows.append((_("体温"), f"{data['temperature_c']:g}℃"))
    if data.get("spo2") is not None:
        rows.append((_("血氧饱和度"), f"{data['spo2']:g}%"))
    if data.get("breathing_rate") is not None:
        rows.append((_("呼吸次数"), _("%(n)s次/分") % {"n": data["breathing_rate"]}))
    if data.get("breathing") and data["breathing"] != "none":
        rows.append((_("呼吸困难"), str(BREATHING_LABELS.get(data["breathing"], data["breathing"]))))
    if data.get("symptoms"):
        rows.append((_("症状"), "、".join(str(SYMPTOM_LABELS.get(s, s)) for s in data["symptoms"])))
    if data.get("high_fever_days"):
        rows.append((_("服药后仍高热"), _("%(n)s天") % {"n": data["high_fever_days"]}))
    if data.get("underlying_worse"):
        rows.append((_("基础疾病"), _("明显加重")))
    if data.get("child_signs"):
        rows.append((_("儿童危险征象"), "、".join(str(CHILD_DANGER_SIGNS.get(s, s)) for s in data["child_signs"])))
    if data.get("pregnancy_signs"):
        rows.append((_("孕妇危险征象"), "、".join(str(PREGNANCY_DANGER_SIGNS.get(s, s))
                                                    for s in data["pregnancy_signs"])))
    return rows


@page(*ALERTS)
@require_POST
def alert_take(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.alert_take(actor=request.user, alert_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已接手，处理后请填写处理结果"))
    return redirect("monitoring:alert_detail", pk=pk)


@page(*ALERTS)
@require_POST
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    form = AlertResolveForm(request.POST)
    if form.is_valid():
        try:
            services.alert_resolve(actor=request.user, alert_id=pk, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("预警已处理"))
            return redirect("monitoring:alert_list")
    alert = selectors.access_alert(actor=request.user, id=pk)
    return render(request, "monitoring/alert_detail.html", {
        "alert": alert, "title": selectors.alert_title(alert), "level": Level(alert.level), "flags": alert.flags,
        "check_in": alert.check_in, "reading": _reading(alert.check_in.data) if alert.check_in else None,
        "form": form, "refer_url": handoff.referral_form_url(), **_reach(request, alert),
        "crumbs": [(_("预警"), reverse("monitoring:alert_list"))],
    }, status=400)


# ------------------------------------------------------------------------------------------------ indicators

@page("monitoring.indicators")
@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    places = selectors.indicator_places(actor=request.user)
    kind, _sep, pk = (request.GET.get("place") or "").partition(":")
    place = selectors.Place("all")
    lookup = {"community": places["communities"], "compound": places["compounds"], "building": places["buildings"]}
    if kind in lookup and pk.isdigit():
        obj = next((o for o in lookup[kind] if o.pk == int(pk)), None)
        if obj is None:
            raise ObjectNotFound()
        place = selectors.Place(kind, obj)
    figures = selectors.indicators(actor=request.user, place=place)
    peak = max([1] + [d["seen_well"] + d["seen_symptoms"] + d["missed"] + d["unreachable"] + d["pending"]
                      for d in figures.trend])
    options = [(f"community:{c.pk}", c.name) for c in places["communities"]]
    options += [(f"compound:{c.pk}", f"— {c.name}") for c in places["compounds"]]
    options += [(f"building:{b.pk}", f"—— {b.compound.name} {b.name}") for b in places["buildings"]]
    return render(request, "monitoring/indicators.html", {
        "figures": figures, "place_options": options, "place": place, "peak": peak,
        "selected": request.GET.get("place", ""),
    })


@require_http_methods(["GET", "POST"])
@page()
def profile(request: HttpRequest) -> HttpResponse:
    """The deployment's epidemic profile: platform admins change it, organisation admins read it."""
    if not can_profile(request.user):
        raise ActionForbidden("monitoring.profile")
    current = services.profile_current()
    initial = {"name": current.name, "follow_up_days": current.follow_up_days,
               "slot_deadlines": ", ".join(current.slot_deadlines), "fever_threshold_c": current.fever_threshold_c,
               "lost_after_days": current.lost_after_days, "worker_reminder_minutes": current.worker_reminder_minutes,
               "retention_days": current.retention_days}
    if not can_edit_profile(request.user):
        # Read-only: the profile (and its retention, which purges everyone's health data) is shared by every
        # organisation of the deployment, so only a platform admin changes it.
        form = ProfileForm(initial=initial)
        for field in form.fields.values():
            field.disabled = True
        status = 200
        if request.method == "POST":
            messages.error(request, _("您没有修改权限，内容未保存。"))
            status = 403
        return render(request, "monitoring/profile.html", {"form": form, "profile": current, "read_only": True},
                      status=status)
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(actor=request.user, data=form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("疫情配置已保存。新的打卡次数从今天起生效，新的观察天数用于之后登记的隔离。"))
            return redirect("monitoring:profile")
    return render(request, "monitoring/profile.html", {"form": form, "profile": current})


# ---------------------------------------------------------------------------------- the person's own check-in

def _check_in_page(request: HttpRequest, *, person: Person, period: QuarantinePeriod, submit, action: str,
                   draft_key: str, person_label: str) -> HttpResponse:
    now = _now()
    form = CheckInForm(request.POST or None, **_form_kwargs(person, timezone.localdate(now)))
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = submit(data=form.to_input(), idempotency_key=form.key, now=now)
            except ValidationError as error:
                apply_service_errors(form, error, aliases={"breathing_difficulty": "breathing"})
        if result is None:
            status = 400
    # Which of today's reports are done (补报 with its time), and which one this report fills.
    labels = _slot_labels()
    todays = list(period.follow_ups.filter(date=timezone.localdate(now)).order_by("slot"))
    slots = [selectors.SlotCell(follow_up=f, label=labels[f.slot] if f.slot < len(labels) else "") for f in todays]
    filled = _slot_target(result.follow_up, now=result.check_in.submitted_at, count=len(labels)) if result else None
    context = {
        "form": form, "result": result, "person_label": person_label, "period": period,
        "slots": slots, "action": action, "filled": filled,
        "target": _slot_target(services.follow_up_for_report(period, now=now), now=now, count=len(labels)),
        "draft_key": draft_key, "reading": _reading(result.check_in.data) if result else None,
        "level": result.level if result else None,
    }
    if _is_fetch(request):
        return render(request, "monitoring/_check_in_area.html", context, status=status)
    return render(request, "monitoring/check_in.html", context, status=status)


def _slot_target(follow_up, *, now, count: int) -> dict | None:
    """What the check-in page says about one slot: "补报上午体温" when its deadline has passed, with the time."""
    from .rules import slot_name

    if follow_up is None:
        return None
    name = slot_name(follow_up.slot, count)
    deadline = timezone.localtime(follow_up.due_at).strftime("%H:%M")
    late = now > follow_up.due_at
    if late:
        text = _("补报%(name)s体温") % {"name": name}
    else:
        text = _("%(name)s体温") % {"name": name}
    return {"slot": follow_up.slot, "late": late, "text": text, "deadline": deadline,
            "time": timezone.localtime(now).strftime("%H:%M")}


@page(login=False, private=True)
@require_http_methods(["GET", "POST"])
def check_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """The person's phone page from their personal link: no login, no name in full, no number anywhere."""
    link = services.link_resolve(token)
    if link is None:
        return render(request, "monitoring/check_in_invalid.html", status=404)

    def submit(**kwargs):
        return services.check_in_by_link(token=token, link=link, **kwargs)

    # A link can be forwarded or seen on a shared phone: the name stays masked there.
    from sanshe.core.notify.services import masked_name

    return _check_in_page(request, person=link.person, period=link.period, submit=submit,
                          action=request.path, draft_key=f"checkin-{link.public_id}",
                          person_label=masked_name(link.person.name))


@require_http_methods(["GET", "POST"])
@page()
def check_in_mine(request: HttpRequest) -> HttpResponse:
    """The logged-in resident's own check-in page."""
    period = services.resident_period(request.user)
    if period is None:
        return render(request, "monitoring/check_in_none.html")

    def submit(**kwargs):
        return services.check_in_by_resident(actor=request.user, **kwargs)

    # Logged in as themselves: the resident sees their own name in full (issue 12, item 9).
    return _check_in_page(request, person=period.person, period=period, submit=submit, action=request.path,
                          draft_key=f"checkin-me-{period.pk}", person_label=period.person.name)

