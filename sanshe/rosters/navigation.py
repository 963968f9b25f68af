"""Where duty rosters appear in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.features import HomePanel, NavEntry

from .policies import is_roster_manager
from .selectors import home_coordinator, home_volunteer

VOLUNTEER_ROLES = frozenset({Role.GENERAL_VOLUNTEER, Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR})

NAV = [
    NavEntry(_("我的班次"), "rosters:my_shifts", allowed=lambda user, scope: bool(scope.roles & VOLUNTEER_ROLES),
             primary={Role.GENERAL_VOLUNTEER: 5, Role.MEDICAL_VOLUNTEER: 4, Role.COUNSELLOR: 4}),
    NavEntry(_("排班"), "rosters:group_list", allowed=lambda user, scope: is_roster_manager(user),
             primary={Role.GENERAL_VOLUNTEER: 4}),
]

HOME_PANELS = [
    HomePanel("rosters/_home_volunteer.html", frozenset(VOLUNTEER_ROLES),
              lambda user: home_volunteer(user=user), order=20),
    HomePanel("rosters/_home_coordinator.html",
              frozenset({Role.SOCIAL_WORKER, Role.ORG_ADMIN, Role.GENERAL_VOLUNTEER}),
              lambda user: home_coordinator(user=user) if is_roster_manager(user) else None, order=30),
]
