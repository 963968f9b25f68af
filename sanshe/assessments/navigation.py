"""Where assessments appear in the shared layout (collected by sanshe.core.features)."""

from sanshe.accounts.roles import Role
from sanshe.core.features import HomePanel

from .home import home_assessments

HOME_PANELS = [
    HomePanel("assessments/_home_social_worker.html", frozenset({Role.SOCIAL_WORKER}),
              lambda user: home_assessments(actor=user), order=3),
]
