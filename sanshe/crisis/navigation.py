"""Where crises appear in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.features import HomePanel, NavEntry

from .home import home_crises
from .policies import CRISIS_ROLES

NAV = [
    NavEntry(_("危机处置"), "crisis:list", allowed=lambda user, scope: bool(scope.roles & CRISIS_ROLES)),
]

HOME_PANELS = [
    HomePanel("crisis/_home_crises.html",
              frozenset({Role.SOCIAL_WORKER, Role.ORG_ADMIN, Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR}),
              home_crises, order=1),
]
