"""Navigation for the base layout: only the entries the user's roles can use."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from sanshe.accounts.policies import scope_for
from sanshe.accounts.roles import Role, WorkerKind
from sanshe.core.features import NavEntry, feature_nav, staff_layout_includes

from .selectors import home_role_for

# The foundation's own entries; features add theirs through their navigation.py (sanshe.core.features).
NAV = [
    NavEntry(_("工作台"), "home:home"),
    NavEntry(_("人员"), "people:person_list", "people.view",
             primary={Role.ORG_ADMIN: 1, Role.COMMUNITY_WORKER: 2}),
    NavEntry(_("地点"), "places:community_list", "places.view"),
    NavEntry(_("名册导入"), "people:household_sheet_import", "people.import"),
    NavEntry(_("用户"), "accounts:user_list", "users.manage", primary={Role.ORG_ADMIN: 2}),
    NavEntry(_("审计日志"), "core:audit_list", "audit.view", primary={Role.ORG_ADMIN: 4}),
]
# On a phone the bottom bar holds 工作台, at most this many entries of the role's daily work, and 更多.
MAX_PRIMARY = 4


def _nav_items(request, user, scope, home_role: str) -> list[dict]:
    """Every entry this user may open, in declaration order, each with its bottom-bar rank for the role."""
    items = []
    for index, entry in enumerate(NAV + feature_nav()):
        if not entry.visible_to(user, scope):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # a feature whose pages are not installed is simply not shown
            continue
        rank = -1 if entry.url_name == "home:home" else entry.rank_for(home_role)
        items.append({"label": entry.label, "url": url, "rank": rank, "order": index})
    # The active entry is the one whose URL is the longest prefix of the current path.
    matches = [item for item in items if request.path == item["url"] or (
        item["url"] != "/" and request.path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    home_role = home_role_for(user, scope.home_role)
    items = _nav_items(request, user, scope, home_role)
    ranked = sorted((item for item in items if item["rank"] is not None), key=lambda item: (item["rank"], item["order"]))
    primary = ranked[:MAX_PRIMARY + 1]  # 工作台 (rank -1) and the role's daily work
    more = [item for item in items if item not in primary]
    role = scope.home_role
    label = Role(role).label if role else ""
    if role == Role.COMMUNITY_WORKER and not scope.community_ids("places.view") and scope.building_ids("places.view"):
        label = f"{label}（{WorkerKind.BUILDING_STEWARD.label}）"
    return {"nav_items": items, "nav_primary": primary, "nav_more": more,
            "nav_more_active": any(item.get("active") for item in more),
            "scope": scope, "home_role_label": label,
            "staff_layout_includes": staff_layout_includes() if scope.is_staff_member else []}
