"""Where crises appear in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.features import HomePanel, NavEntry

from .home import home_crises

# Community workers reach a crisis only when an escalation alerts them (push, SMS, home panel): the nav entry
# stays with the roles that respond to crises every day.
NAV_ROLES = frozenset({Role.SOCIAL_WORKER, Role.ORG_ADMIN, Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR})

NAV = [
    NavEntry(_("危机处置"), "crisis:list", allowed=lambda user, scope: bool(scope.roles & NAV_ROLES),
             primary={Role.SOCIAL_WORKER: 3, Role.COUNSELLOR: 2, Role.MEDICAL_VOLUNTEER: 5}),
]

HOME_PANELS = [
    HomePanel("crisis/_home_crises.html", NAV_ROLES | {Role.COMMUNITY_WORKER, "building_steward"}, home_crises,
              order=1),
]

from .audit_labels import AUDIT_ACTION_LABELS  # noqa: E402,F401 (collected by sanshe.core.features)
