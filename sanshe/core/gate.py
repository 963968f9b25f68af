"""The one access gate: one `Scope` per user and request, one page decorator, used by pages, API and sockets.

Each app contributes its part of the scope the way it contributes menus through `navigation.py`: a module
`capabilities.py` with

    SCOPE_PARTS: list[ScopePart]

A part names the capability namespaces it answers ("monitoring" answers "monitoring.view", ...), how to
build the app's own view of the user (its scope object, plain data with a `can(capability)` method) and,
for capabilities that are not plain grants, a predicate over (user, part). `Scope.can("monitoring.view")`
finds the part by the capability's namespace, builds it once, and asks it; every part of one user is cached
in one place (the user object, i.e. one request or one socket re-check: a fresh user is loaded for each).
A capability no part answers is held by nobody (deny by default).

`page(...)` is the decorator every page view goes through: anonymous → login (204 + HX-Redirect for htmx,
401 JSON for script calls), a role without the capability anywhere → 403 (audited by the middleware), an
object outside the actor's scope → 404 through the model's `for_actor` or the app's `access_<noun>`, and
never cached; `private=True` also keeps the page out of search indexes and referrers (personal links).
The API (sanshe.api.scoping) and the socket base (sanshe.core.consumers.GuardedConsumer) ask the same Scope.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from typing import Any, Protocol

from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .errors import ActionForbidden, ObjectNotFound

CACHE_ATTRIBUTE = "_sanshe_scope"
MODULE = "capabilities"


class DirectoryScope(Protocol):
    """What the kernel reads of the directory's part ("accounts"): roles and places per capability.

    The directory (sanshe.accounts.policies.RoleScope) implements it; every `scope_filter` receives it.
    """

    user_id: int
    roles: frozenset[str]
    organisation_ids: frozenset[int]
    person_id: int | None
    household_id: int | None

    def can(self, capability: str) -> bool: ...
    def community_ids(self, capability: str) -> frozenset[int]: ...
    def building_ids(self, capability: str) -> frozenset[int]: ...
    def organisation_ids_for(self, capability: str) -> frozenset[int]: ...

    @property
    def is_staff_member(self) -> bool: ...

    @property
    def home_role(self) -> str | None: ...


@dataclass(frozen=True)
class ScopePart:
    """One app's contribution to the scope."""

    name: str
    build: Callable[[Any], Any]  # user → the app's scope object for that user
    namespaces: tuple[str, ...] = ()  # capability prefixes before the first "." this part answers
    # Capabilities answered by a predicate over (user, part) rather than by `part.can(capability)`.
    checks: dict[str, Callable[[Any, Any], bool]] = field(default_factory=dict)
    # The 403 reason shown for a capability (the capability's name otherwise).
    denials: dict[str, Any] = field(default_factory=dict)

    def can(self, user, part, capability: str) -> bool:
        check = self.checks.get(capability)
        if check is not None:
            return bool(check(user, part))
        can = getattr(part, "can", None)
        return bool(can(capability)) if can is not None else False


@lru_cache(maxsize=1)
def registry() -> dict[str, ScopePart]:
    """Every installed Sanshe app's scope parts, by name (collected once)."""
    parts: dict[str, ScopePart] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("sanshe."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.{MODULE}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{MODULE}":
                raise
            continue
        for part in getattr(module, "SCOPE_PARTS", []):
            if part.name in parts:
                raise ValueError(f"two scope parts named {part.name!r}")
            parts[part.name] = part
    return parts


@lru_cache(maxsize=1)
def _by_namespace() -> dict[str, ScopePart]:
    found: dict[str, ScopePart] = {}
    for part in registry().values():
        for namespace in part.namespaces:
            if namespace in found:
                raise ValueError(f"capability namespace {namespace!r} claimed twice")
            found[namespace] = part
    return found


def part_for(capability: str) -> ScopePart | None:
    """The part answering `capability` (by its namespace, or naming it among its checks)."""
    namespace = capability.split(".", 1)[0]
    found = _by_namespace().get(namespace)
    if found is not None:
        return found
    for part in registry().values():
        if capability in part.checks:
            return part
    return None


class Scope:
    """Everything access decisions need about one user: each app's part, built at most once."""

    def __init__(self, user) -> None:
        self.user = user
        self.user_id: int | None = getattr(user, "pk", None)
        self._parts: dict[str, Any] = {}
        # Per-user answers features derive and want once per request (e.g. a case assignee flag).
        self.memo: dict[str, Any] = {}

    def part(self, name: str) -> Any:
        """The app's own scope object for this user (built on first use)."""
        if name not in self._parts:
            self._parts[name] = registry()[name].build(self.user)
        return self._parts[name]

    @property
    def directory(self) -> DirectoryScope:
        """The user's roles and places from the directory (sanshe.accounts: `accounts.policies.RoleScope`)."""
        return self.part("accounts")

    def can(self, *capabilities: str) -> bool:
        """Holds at least one of `capabilities` somewhere."""
        if not getattr(self.user, "is_authenticated", False):
            return False
        for capability in capabilities:
            owner = part_for(capability)
            if owner is not None and owner.can(self.user, self.part(owner.name), capability):
                return True
        return False

    def require(self, *capabilities: str) -> Scope:
        """This scope if it holds one of `capabilities`; 403 otherwise (the role cannot do this at all)."""
        if not self.can(*capabilities):
            owner = part_for(capabilities[0]) if capabilities else None
            reason = owner.denials.get(capabilities[0]) if owner is not None else None
            raise ActionForbidden(str(reason) if reason else (capabilities[0] if capabilities else ""))
        return self


def scope_for(user) -> Scope:
    """The user's scope, computed once and cached on the user object (one request's lifetime)."""
    cached = getattr(user, CACHE_ATTRIBUTE, None)
    if not isinstance(cached, Scope):
        cached = Scope(user)
        try:
            setattr(user, CACHE_ATTRIBUTE, cached)
        except AttributeError:  # AnonymousUser and other read-only stand-ins: nothing worth caching
            pass
    return cached


def forget_scope(user) -> None:
    """Drop every cached part after a change of roles, groups or clearance in the same request."""
    if user is not None and CACHE_ATTRIBUTE in getattr(user, "__dict__", {}):
        delattr(user, CACHE_ATTRIBUTE)


def can(user, *capabilities: str) -> bool:
    """For templates, navigation and API: does the (possibly anonymous) user hold one of `capabilities`?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return scope_for(user).can(*capabilities)


def require(user, *capabilities: str) -> Scope:
    """The user's scope if they hold one of `capabilities`; 403 otherwise."""
    return scope_for(user).require(*capabilities)


# ------------------------------------------------------------------------------------------ the page gate

def _anonymous(request: HttpRequest, json_paths: tuple[str, ...]) -> HttpResponse:
    expired = JsonResponse({"error": _("登录已失效，请重新登录。")}, status=401)
    if json_paths and request.path.endswith(json_paths):
        return expired
    if request.headers.get("HX-Request"):
        # A fragment request after the session ended: send the whole page to the login form.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = f"{reverse('accounts:login')}?next={request.path}"
        return response
    if request.headers.get("Accept", "").startswith("application/json"):
        return expired
    return redirect_to_login(request.get_full_path())


def mark_private(response: HttpResponse, *, personal_link: bool = False) -> HttpResponse:
    """Never cached (shared phones, WeChat's browser); a personal link also never indexed nor referred."""
    add_never_cache_headers(response)
    if personal_link:
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
    return response


def _resolved(user, resolver, value: Any, action: str) -> Any:
    """One object through the app's `access_<noun>(actor=, id=)` or the model's `for_actor`; 404 otherwise."""
    if isinstance(resolver, type):
        found = resolver.objects.for_actor(user, action).filter(pk=value).first()
        if found is None:
            raise ObjectNotFound()
        return found
    return resolver(actor=user, id=value) if action == "view" else resolver(actor=user, id=value, action=action)


def page(*capabilities: str, login: bool = True, private: bool = False,
         objects: dict[str, Any] | None = None, action: str = "view",
         not_found_for: Callable[[Any], bool] | None = None,
         json_paths: Iterable[str] = ()) -> Callable:
    """The gate of a page view.

    capabilities   the user must hold one of them somewhere (none: any logged-in user); else 403
    login=False    a page that needs no account (a personal link); it is still never cached
    private        a personal page: never indexed, no referrer leaking its link
    objects        {"case_id": access_case or Case, ...}: the URL's id resolved in the actor's scope for
                   `action` (404 otherwise) and passed to the view as `case` in its place;
                   {"pk": ("crisis", access_crisis)} names the argument
    not_found_for  for a user lacking the capability on an object's URL who could hold such objects
                   (a volunteer between groups): 404, the same answer as an object of another community
    json_paths     path endings answered with 401 JSON instead of the login page (script endpoints)
    """
    json_paths = tuple(json_paths)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if login:
                user = request.user
                if not user.is_authenticated:
                    return _anonymous(request, json_paths)
                if capabilities:
                    scope = scope_for(user)
                    if not scope.can(*capabilities):
                        if kwargs and not_found_for is not None and not_found_for(user):
                            raise ObjectNotFound()
                        scope.require(*capabilities)
                for name, resolver in (objects or {}).items():
                    argument, resolver = resolver if isinstance(resolver, tuple) else (name.removesuffix("_id"),
                                                                                       resolver)
                    kwargs[argument] = _resolved(user, resolver, kwargs.pop(name), action)
            return mark_private(view(request, *args, **kwargs), personal_link=private)

        wrapped.gate = {"capabilities": capabilities, "login": login, "private": private}  # type: ignore[attr-defined]
        return wrapped

    return decorator
