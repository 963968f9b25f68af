"""Volunteers' part of the one scope (sanshe.core.gate): reviewing volunteers, publishing agreements."""

from sanshe.accounts.policies import scope_for
from sanshe.core.gate import ScopePart

from .policies import REVIEWER_ROLES

SCOPE_PARTS = [
    ScopePart(
        "volunteers", build=scope_for, namespaces=("volunteers",),
        checks={
            "volunteers.review": lambda user, scope: bool(scope.roles & REVIEWER_ROLES),
            "volunteers.agreement_publish": lambda user, scope: bool(scope.organisation_ids_for("users.manage")),
        },
    ),
]
