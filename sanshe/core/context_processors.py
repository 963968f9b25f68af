"""Navigation for the base layout: only the entries the user's roles can use."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from sanshe.accounts.policies import scope_for
from sanshe.accounts.roles import Role, WorkerKind

from .features import NavEntry, feature_nav, staff_layout_includes

# (label, url name, capability needed; None = any logged-in user)
NAV = [
    (_("工作台"), "core:home", None),
    (_("人员"), "people:person_list", "people.view"),
    (_("地点"), "places:community_list", "places.view"),
    (_("名册导入"), "people:roster_import", "people.import"),
    (_("用户"), "accounts:user_list", "users.manage"),
    (_("审计日志"), "core:audit_list", "audit.view"),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    items = []
    entries = [NavEntry(label, url_name, capability) for label, url_name, capability in NAV] + feature_nav()
    for entry in entries:
        if not entry.visible_to(user, scope):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # a feature whose pages are not installed is simply not shown
            continue
        items.append({"label": entry.label, "url": url})
    # The active tab is the one whose URL is the longest prefix of the current path.
    matches = [item for item in items if request.path == item["url"] or (
        item["url"] != "/" and request.path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    role = scope.home_role
    label = Role(role).label if role else ""
    if role == Role.COMMUNITY_WORKER and not scope.community_ids("places.view") and scope.building_ids("places.view"):
        label = f"{label}（{WorkerKind.BUILDING_STEWARD.label}）"
    return {"nav_items": items, "scope": scope, "home_role_label": label,
            "staff_layout_includes": staff_layout_includes() if scope.is_staff_member else []}
