"""How feature apps plug into the shared layout: navigation entries and home-page panels.

A feature app may have a `navigation.py` module with
    NAV: list[NavEntry]            entries for the navigation, after the foundation's own; an entry names the
                                   roles whose daily work it is (`primary`), which puts it in that role's
                                   bottom bar on a phone (the rest are under 更多)
    HOME_PANELS: list[HomePanel]   panels shown on the home page (工作台) of the roles they name
    STAFF_LAYOUT_INCLUDES: [str]   templates included at the end of every staff page
    AUDIT_ACTION_LABELS: {code: label}  Chinese names of the audit actions the feature writes (audit log page)
and may have an `audit_labels.py` module with AUDIT_ACTION_LABELS and
    AUDIT_OBJECT_NAMES: {"app.model": AuditObjectName}  how the audit log names that model's objects
    AUDIT_STAFF_ACTORS: (user ids) -> set of ids        which actors are staff, named unmasked (the directory)
Core collects them from every installed `sanshe.*` app, so a feature never edits core's files and
the layout never imports a feature directly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.template.loader import render_to_string

from .gate import DirectoryScope as Scope


@dataclass(frozen=True)
class NavEntry:
    label: Any  # a lazy translation
    url_name: str
    # Who sees it: a capability held somewhere, or a predicate over (user, scope).
    capability: str | None = None
    allowed: Callable[[Any, Scope], bool] | None = None
    # Home role (accounts.roles.Role value, or "building_steward") → place in that role's bottom bar, lower
    # first. Only a role's daily work belongs here: a role gets at most MAX_PRIMARY such entries after 工作台.
    primary: Mapping[str, int] = field(default_factory=dict)

    def visible_to(self, user, scope: Scope) -> bool:
        if self.allowed is not None:
            return bool(self.allowed(user, scope))
        return self.capability is None or scope.can(self.capability)

    def rank_for(self, home_role: str) -> int | None:
        """This entry's place in the bottom bar of `home_role`, or None when it belongs under 更多."""
        if home_role in self.primary:
            return self.primary[home_role]
        if home_role == "building_steward":  # a steward is a community worker covering buildings only
            return self.primary.get("community_worker")
        return None


@dataclass(frozen=True)
class HomePanel:
    template: str
    # Home pages it appears on: role names as in accounts.roles.Role, plus "building_steward".
    roles: frozenset[str]
    # Returns the template's context, or None to leave the panel out for this user.
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditObjectName:
    """How the audit log names an object of one model: `name(obj)` must never return unmasked personal data."""

    name: Callable[[Any], str]
    related: tuple[str, ...] = ()  # select_related paths `name` reads
    # Named only when the viewer may see the object (its model's for_actor). False only for names that are
    # bare reference numbers carrying nothing about a person (a case number), which an auditor needs.
    scoped: bool = True


@lru_cache(maxsize=2)
def _feature_modules(module: str = "navigation") -> tuple:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sanshe.") or config.name == "sanshe.core":
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.{module}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{module}":
                raise
    return tuple(modules)


def feature_nav() -> list[NavEntry]:
    return [entry for module in _feature_modules() for entry in getattr(module, "NAV", [])]


def audit_action_labels() -> dict:
    """Every feature's audit action labels, merged (the foundation's own are in core/selectors.py)."""
    labels: dict = {}
    for module in (*_feature_modules(), *_feature_modules("audit_labels")):
        labels.update(getattr(module, "AUDIT_ACTION_LABELS", {}))
    return labels


def audit_object_names() -> dict[str, AuditObjectName]:
    """Every feature's audit object namers, by model label ("cases.case")."""
    names: dict[str, AuditObjectName] = {}
    for module in _feature_modules("audit_labels"):
        names.update(getattr(module, "AUDIT_OBJECT_NAMES", {}))
    return names


def audit_staff_actor_ids(user_ids: set[int]) -> set[int]:
    """The actors among `user_ids` the directory names as staff (none without a directory: all masked)."""
    found: set[int] = set()
    for module in _feature_modules("audit_labels"):
        staff = getattr(module, "AUDIT_STAFF_ACTORS", None)
        if staff is not None:
            found |= set(staff(user_ids))
    return found


def staff_layout_includes() -> list[str]:
    """Templates every staff page includes at the end of <body> (e.g. live alert toasts)."""
    return [t for module in _feature_modules() for t in getattr(module, "STAFF_LAYOUT_INCLUDES", [])]


def home_panels(*, request, role: str) -> list[str]:
    """The rendered HTML of each feature panel that applies to this role and user."""
    panels = sorted((p for m in _feature_modules() for p in getattr(m, "HOME_PANELS", []) if role in p.roles),
                    key=lambda p: p.order)
    shown = []
    for panel in panels:
        context = panel.context(request.user)
        if context is not None:
            shown.append(render_to_string(panel.template, {**panel.extra, **context}, request=request))
    return shown
