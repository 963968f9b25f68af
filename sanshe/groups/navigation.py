"""Where online groups appear in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import HOME_ORDER
from sanshe.core.features import HomePanel, NavEntry

from .selectors import home_groups

NAV = [
    NavEntry(_("线上群"), "groups:list", allowed=lambda user, scope: True),
    NavEntry(_("风险预警"), "groups:alerts", allowed=lambda user, scope: scope.is_staff_member),
]

HOME_PANELS = [
    HomePanel("groups/_home_groups.html", frozenset([*HOME_ORDER, "building_steward"]),
              lambda user: home_groups(user=user), order=10),
]

# Live risk alerts and private-chat notices on every staff page.
STAFF_LAYOUT_INCLUDES = ["groups/_notices.html"]
