"""Where referrals appear in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.features import HomePanel, NavEntry

from .home import home_social_worker
from .policies import can_cases

NAV = [
    NavEntry(_("转介"), "cases:referral_inbox", allowed=lambda user, scope: can_cases(user, "cases.inbox")),
]

HOME_PANELS = [
    HomePanel("cases/_home_social_worker.html", frozenset({Role.SOCIAL_WORKER}),
              lambda user: (lambda data: data if data.get("referrals") is not None else None)(
                  home_social_worker(actor=user)), order=2),
]
