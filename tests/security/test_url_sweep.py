"""The access sweep: every URL pattern (pages, htmx fragments, API, exports, prints, downloads, admin) for
every persona, against the rule written for it in tests/security/access_table.py:

- anonymous → the login page (the admin's own login for /admin/; 401 for /api/v1/);
- a persona whose role can never use it → 403; one for whom the object simply is not theirs → 404;
- the away twin of every persona allowed (same role, another organisation and community) → 404 on an
  in-scope object, and nothing of the home community (names) in any page it does get;
- never a server error.

A URL pattern without an entry in the table fails `test_every_url_pattern_has_an_access_rule`.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import reverse

from tests.security.access_table import (
    ADMIN_OPEN,
    ADMIN_OUT_OF_SCOPE,
    ADMIN_RULE_PERSONAS,
    TABLE,
    admin_kwargs,
    admin_path,
)
from tests.security.rules import OK_GET, OK_POST
from tests.security.sweep import resolve_kwargs, url_patterns
from tests.security.world import PERSONAS, SCOPED

# The root of an object's kwargs path → the text that identifies it, which an away twin must never see.
MARKERS = {"person": "person.name", "group": "group.name", "community": "community.name",
           "household": "person.name", "case": "case.person.name", "thread": "group.name",
           "member": "member.nickname", "application": "application.name", "crisis": "crisis.person.name",
           "period": "period.person.name", "follow_up": "follow_up.person.name", "referral": "referral.person.name"}


def _attr(objects, path: str):
    for part in path.split("."):
        objects = getattr(objects, part, None)
    return objects


def _send(world, who: str, method: str, url: str, data: dict | None = None):
    """One request as `who`, rolled back afterwards so no persona's action changes what the next one sees.
    A POST carries empty form data, or `data` as JSON (API endpoints)."""
    with transaction.atomic():
        client = world.client(who)
        if method == "GET":
            response = client.get(url)
        elif data is not None:
            send = client.patch if method == "PATCH" else client.post
            response = send(url, data=json.dumps(data), content_type="application/json")
        else:
            response = client.post(url)
        transaction.set_rollback(True)
    return response


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    try:
        return response.content.decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 (binary downloads)
        return ""


def _outcome(response) -> str:
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(resolve_url(settings.LOGIN_URL)):
        return "login"
    if response.status_code == 302 and location.startswith("/admin/login/"):
        return "admin-login"
    return str(response.status_code)


def _is_admin(name: str) -> bool:
    """The admin's patterns (named `admin:…`, and its unnamed catch-all) share one rule class."""
    return name.startswith(("admin:", "admin/"))


def test_every_url_pattern_has_an_access_rule():
    patterns = url_patterns()
    missing = [f"{name}  ({pattern})" for name, pattern in patterns
               if name not in TABLE and not _is_admin(name)]
    assert not missing, (
        "URL patterns without an access rule in tests/security/access_table.py:\n  " + "\n  ".join(missing)
        + "\nAdd an entry to TABLE for each: how to build its kwargs from the sweep world's objects, its method, "
        "which personas may use it (ok), who gets 404 rather than 403 (hidden), and scoped=True for an object URL.")
    names = {name for name, _pattern in patterns}
    stale = sorted(set(TABLE) - names)
    assert not stale, f"TABLE lists URL names that no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(TABLE))
def test_url_obeys_its_access_rule(sweep_world, db, name):
    world, rule = sweep_world, TABLE[name]
    url = reverse(name, kwargs=resolve_kwargs(rule.kwargs, world.o, world.tokens))
    if rule.query:
        url += "?" + urlencode(resolve_kwargs(rule.query, world.o))
    data = None if rule.data is None else {
        key: _attr(world.o, value[1:]).pk if isinstance(value, str) and value.startswith("@") else value
        for key, value in rule.data.items()}
    allowed = rule.ok_status or (OK_GET if rule.method == "GET" else OK_POST)
    problems: list[str] = []

    def check(who: str, expected: set[str], what: str):
        try:
            response = _send(world, who, rule.method, url, data)
        except Exception as error:  # noqa: BLE001 (a server error is a finding, listed with the others)
            problems.append(f"{who}: {what} expected, server error {type(error).__name__}: {error}")
            return None
        got = _outcome(response)
        if got not in expected:
            problems.append(f"{who}: {what} expected ({'/'.join(sorted(expected))}), got {got}")
        return response

    anonymous = {"login": {"login"}, "401": {"401"}, "login|401": {"login", "401"},
                 "public": {str(s) for s in rule.anon_status}}[rule.anon]
    check("anonymous", anonymous, f"anonymous {rule.anon}")
    for persona in PERSONAS[1:]:
        if persona in rule.ok:
            check(persona, {str(s) for s in allowed}, "allowed")
        elif persona in rule.hidden:
            check(persona, {"404"}, "not theirs: 404")
        else:
            check(persona, {str(rule.others)}, f"never: {rule.others}")

    home_text = [text for text in (world.o.person.name, world.o.group.name, world.o.community.name) if text]
    root = next(iter(rule.kwargs.values()), "").split(".")[0]
    marker = _attr(world.o, rule.marker or MARKERS.get(root, "")) if (rule.marker or root in MARKERS) else None
    for persona in sorted(rule.ok & set(SCOPED)):
        twin = f"away:{persona}"
        if rule.scoped and not rule.twin_sees:
            response = check(twin, {"404"}, "out of scope: 404")
        elif rule.anon != "public" or rule.method == "GET":
            response = check(twin, {str(s) for s in allowed} | {"403", "404"}, "twin: no error")
        else:
            continue
        if response is not None and not rule.twin_sees:
            body = _body(response)
            leaked = [text for text in [marker, *home_text] if isinstance(text, str) and text and text in body]
            if leaked:
                problems.append(f"{twin}: the page shows what is out of its scope: {leaked}")
    assert not problems, f"{rule.method} {url}\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("name", sorted(n for n, _p in url_patterns() if _is_admin(n)))
def test_admin_url_obeys_the_admin_rule(sweep_world, db, name):
    """The admin, one rule class: anonymous and non-staff → the admin's login; staff → scoped or refused;
    the superuser → the page; never a server error."""
    world = sweep_world
    url = reverse(name, kwargs=admin_kwargs(name, world)) if name.startswith("admin:") else admin_path(name, world)
    problems = []
    object_page = not name.startswith("admin:") or bool({"object_id", "id"} & set(admin_kwargs(name, world)))
    for who, expected in ADMIN_RULE_PERSONAS.items():
        expected = ADMIN_OPEN.get(name, expected)
        if who == "away:org_admin" and object_page and name not in ADMIN_OPEN:
            expected = ADMIN_OUT_OF_SCOPE
        try:
            response = _send(world, who, "GET", url)
        except Exception as error:  # noqa: BLE001
            problems.append(f"{who}: server error {type(error).__name__}: {error}")
            continue
        got = _outcome(response)
        if got not in expected:
            problems.append(f"{who}: expected {'/'.join(sorted(expected))}, got {got}")
        leaked = [text for text in (world.o.person.name, world.o.community.name) if text in _body(response)]
        if who == "away:org_admin" and leaked:
            problems.append(f"{who}: the page shows what is out of its scope: {leaked}")
    assert not problems, f"GET {url}\n  " + "\n  ".join(problems)


# Server-to-server endpoints, exempt from CSRF on purpose: no browser session can use them, each request is
# authenticated by its own signature (tests/core/notify/test_receipts.py: unsigned or wrongly signed → 403).
CSRF_EXEMPT = {"notify:sms_status"}


def test_every_post_url_refuses_a_request_without_a_csrf_token(sweep_world, db):
    """The sweep's POSTs skip CSRF to reach the access rule; here each action URL, sent by a persona allowed
    to use it but without the token a page would carry, is refused (no view is accidentally csrf_exempt)."""
    world, refused_not = sweep_world, []
    for name, rule in sorted(TABLE.items()):
        signed_in = sorted(rule.ok - {"superuser", "stranger"})
        if rule.method == "GET" or not signed_in or name in CSRF_EXEMPT:
            continue
        url = reverse(name, kwargs=resolve_kwargs(rule.kwargs, world.o, world.tokens))
        with transaction.atomic():
            client = world.client(signed_in[0], enforce_csrf_checks=True)
            response = client.patch(url) if rule.method == "PATCH" else client.post(url)
            transaction.set_rollback(True)
        if response.status_code != 403:
            refused_not.append(f"{name} ({url}) as {signed_in[0]}: {response.status_code}")
    assert not refused_not, "POST accepted without a CSRF token:\n  " + "\n  ".join(refused_not)
