"""Where the resource library appears in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.features import HomePanel, NavEntry

from .policies import is_staff
from .selectors import review_counts

NAV = [
    NavEntry(_("资源库"), "knowledge:library", allowed=lambda user, scope: is_staff(user)),
    NavEntry(_("常见问题"), "knowledge:faq", allowed=lambda user, scope: not scope.is_staff_member,
             primary={Role.RESIDENT: 4}),
]

HOME_PANELS = [
    HomePanel("knowledge/_home_reviewer.html",
              frozenset({Role.SOCIAL_WORKER, Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR}),
              lambda user: {"knowledge_counts": review_counts(actor=user)}, order=40),
]
