"""The vocabulary of the access table: who may use a URL, and what everybody else must get."""

from __future__ import annotations

from dataclasses import dataclass, field

# Logged-in personas (tests/security/world.py): the home ones hold the demo's scope; "outsider" is a
# community worker of another organisation and community; "stranger" an account with no role at all.
RESIDENT = frozenset({"resident"})
VOLUNTEERS = frozenset({"secretary", "medic", "counsellor"})
COMMUNITY = frozenset({"community_worker", "building_steward"})
SOCIAL = frozenset({"social_worker"})
ADMIN = frozenset({"org_admin"})
STAFF = COMMUNITY | SOCIAL | ADMIN
EVERYONE = frozenset({"stranger", "outsider", "superuser"}) | RESIDENT | VOLUNTEERS | STAFF
NOBODY: frozenset[str] = frozenset()

# What "may use it" means per method: a page or a redirect; a POST with empty data may also be refused as
# invalid input (400/422) or a conflict (409), never by an error.
OK_GET = frozenset({200, 302})
OK_POST = frozenset({200, 201, 302, 400, 409, 422})


@dataclass(frozen=True)
class Rule:
    """The access rule of one URL pattern.

    kwargs: how to build the URL from the world's in-scope objects (`"case"` → objects.case.pk,
        `"summary.day"` → an attribute, `"=phq9"` a literal).
    method: GET, or POST for action URLs (sent with empty data).
    ok: personas who may use it (OK_GET/OK_POST); every other logged-in persona gets `others`
        (403: a role that can never do it), except those in `hidden` (404: the object is simply not theirs).
    anon: "login" (redirect to the login page), "401" (the API), "public" (anyone; `anon_status`).
    scoped: an object URL; the away twin of every scoped persona in `ok` must get 404 and see nothing of it.
    marker: attribute path of text identifying the object, which must not appear in an out-of-scope body.
    ok_status: the statuses `ok` personas get, when not the method's usual ones.
    query: query-string parameters (same path syntax as kwargs); data: a JSON body for API POSTs.
    twin_sees: the away twin may see the object (a link token is the capability, a shared library).
    """

    kwargs: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    ok: frozenset[str] = NOBODY
    hidden: frozenset[str] = NOBODY
    others: int = 403
    anon: str = "login"
    anon_status: frozenset[int] = OK_GET
    ok_status: frozenset[int] | None = None
    query: dict[str, str] = field(default_factory=dict)
    data: dict | None = None
    twin_sees: bool = False
    scoped: bool = False
    marker: str = ""
    note: str = ""


def get(kwargs=None, **rule) -> Rule:
    return Rule(kwargs=kwargs or {}, method="GET", **rule)


def post(kwargs=None, **rule) -> Rule:
    return Rule(kwargs=kwargs or {}, method="POST", **rule)


def public(kwargs=None, method: str = "GET", statuses=OK_GET, signed_in=None, **rule) -> Rule:
    """Open to anyone, signed in or not (login pages, health check, link-token pages)."""
    return Rule(kwargs=kwargs or {}, method=method, ok=EVERYONE, anon="public", anon_status=frozenset(statuses),
                ok_status=frozenset(signed_in or statuses), **rule)
