"""Where online groups appear in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import HOME_ORDER, Role
from sanshe.core.features import HomePanel, NavEntry

from .membership.selectors import home_groups

NAV = [
    # The consultation groups are where volunteers work all day; residents meet their helpers there.
    NavEntry(_("线上群"), "groups:list", allowed=lambda user, scope: True,
             primary={Role.SOCIAL_WORKER: 4, Role.GENERAL_VOLUNTEER: 1, Role.MEDICAL_VOLUNTEER: 1,
                      Role.COUNSELLOR: 1, Role.RESIDENT: 3}),
    NavEntry(_("风险预警"), "groups:alerts", allowed=lambda user, scope: scope.is_staff_member),
    # How well the detector does, as staff judged it (organisation admins and social workers).
    NavEntry(_("预警准确率"), "groups:detector",
             allowed=lambda user, scope: bool(scope.roles & {Role.ORG_ADMIN, Role.SOCIAL_WORKER})),
]

HOME_PANELS = [
    HomePanel("groups/_home_groups.html", frozenset([*HOME_ORDER, "building_steward"]),
              lambda user: home_groups(user=user), order=10),
]

