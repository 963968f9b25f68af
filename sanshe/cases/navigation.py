"""Where referrals, cases and 求助 appear in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.features import HomePanel, NavEntry

from .home import home_cases, home_resident, home_social_worker
from .policies import can_cases


def _resident_only(user, scope) -> bool:
    """Residents without a staff role (staff have their own ways to reach a social worker)."""
    return scope.person_id is not None and not scope.organisation_ids


NAV = [
    NavEntry(_("转介"), "cases:referral_inbox", allowed=lambda user, scope: can_cases(user, "cases.inbox"),
             primary={Role.SOCIAL_WORKER: 1}),
    NavEntry(_("个案"), "cases:my_cases", allowed=lambda user, scope: can_cases(user, "cases.manage"),
             primary={Role.SOCIAL_WORKER: 2}),
    NavEntry(_("求助"), "cases:help_request", allowed=_resident_only, primary={Role.RESIDENT: 2}),
]

HOME_PANELS = [
    HomePanel("cases/_home_social_worker.html", frozenset({Role.SOCIAL_WORKER}),
              lambda user: (lambda data: data if data.get("referrals") is not None else None)(
                  home_social_worker(actor=user)), order=2),
    HomePanel("cases/_home_cases.html", frozenset({Role.SOCIAL_WORKER}), lambda user: home_cases(actor=user), order=3),
    HomePanel("cases/_home_resident.html", frozenset({Role.RESIDENT}), lambda user: home_resident(actor=user),
              order=1),
]

from .audit_labels import AUDIT_ACTION_LABELS  # noqa: E402,F401 (collected by sanshe.core.features)
