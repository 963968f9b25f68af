"""Where health monitoring appears in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.features import HomePanel, NavEntry

from . import home
from .home import AUDIT_ACTION_LABELS  # noqa: F401 (collected by sanshe.core.features)
from .policies import can_monitor


def _panel(function):
    """A home panel shown only when the selector has something for this user."""
    def context(user):
        data = function(actor=user)
        return data if data.get("monitoring") else None
    return context


NAV = [
    NavEntry(_("今日随访"), "monitoring:today", allowed=lambda user, scope: can_monitor(user, "monitoring.view"),
             primary={Role.COMMUNITY_WORKER: 1}),
    NavEntry(_("排查"), "monitoring:round_list", allowed=lambda user, scope: can_monitor(user, "monitoring.record"),
             primary={Role.COMMUNITY_WORKER: 3}),
    NavEntry(_("健康预警"), "monitoring:alert_list",
             allowed=lambda user, scope: can_monitor(user, "monitoring.alerts")
             or can_monitor(user, "monitoring.alerts_medical"),
             primary={Role.COMMUNITY_WORKER: 4, Role.MEDICAL_VOLUNTEER: 2}),
    NavEntry(_("防控指标"), "monitoring:indicators",
             allowed=lambda user, scope: can_monitor(user, "monitoring.indicators")),
    NavEntry(_("健康打卡"), "monitoring:check_in_mine",
             allowed=lambda user, scope: not scope.is_staff_member and scope.person_id is not None,
             primary={Role.RESIDENT: 1}),
]

HOME_PANELS = [
    HomePanel("monitoring/_home_staff.html",
              frozenset({Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER, Role.ORG_ADMIN, "building_steward"}),
              _panel(home.home_staff), order=5),
    HomePanel("monitoring/_home_medical_volunteer.html", frozenset({Role.MEDICAL_VOLUNTEER}),
              _panel(home.home_medical_volunteer), order=5),
    HomePanel("monitoring/_home_resident.html", frozenset({Role.RESIDENT}), _panel(home.home_resident), order=1),
]
